package io.github.springipc.config;

import java.time.Duration;
import java.util.List;

import io.github.springipc.listener.DefaultIpcListenerContainer;
import io.github.springipc.listener.IpcErrorHandler;
import io.github.springipc.listener.IpcListenerContainer;
import io.github.springipc.messaging.DefaultIpcMessageConverter;
import io.github.springipc.messaging.IpcChannelResolver;
import io.github.springipc.messaging.IpcListenerObservationConvention;
import io.github.springipc.messaging.IpcMessageMapper;
import io.github.springipc.transport.IpcChannel;
import io.micrometer.observation.ObservationRegistry;

import org.springframework.core.retry.RetryPolicy;
import org.springframework.messaging.converter.MessageConverter;
import org.springframework.util.Assert;

/**
 * Creates {@link DefaultIpcListenerContainer}s with shared defaults, which each
 * {@code @IpcListener} may override (concurrency, autoStartup, deadLetterChannel, maxAttempts).
 *
 * <pre>{@code
 * @Bean
 * DefaultIpcListenerContainerFactory ipcListenerContainerFactory(IpcChannelResolver channels) {
 *     DefaultIpcListenerContainerFactory factory = new DefaultIpcListenerContainerFactory(channels);
 *     factory.setConcurrency(2);
 *     factory.setMaxAttempts(5);
 *     factory.setBackOffDelay(Duration.ofMillis(200));
 *     factory.setDeadLetterChannel("dead-letters");
 *     return factory;
 * }
 * }</pre>
 *
 * <p>Retry defaults: 3 attempts, 100 ms before the second, doubling up to 1 s. Set
 * {@link #setRetryPolicy} for full control (any Spring {@code RetryPolicy}).
 */
public class DefaultIpcListenerContainerFactory implements IpcListenerContainerFactory {

    private final IpcChannelResolver channelResolver;

    private MessageConverter messageConverter = new DefaultIpcMessageConverter();

    private IpcMessageMapper messageMapper = new IpcMessageMapper();

    private int concurrency = 1;

    private boolean autoStartup = true;

    private Integer phase;

    private Duration pollTimeout = DefaultIpcListenerContainer.DEFAULT_POLL_TIMEOUT;

    private Duration spinBeforeWait = DefaultIpcListenerContainer.DEFAULT_SPIN_BEFORE_WAIT;

    private int maxMessagesPerReceive = DefaultIpcListenerContainer.DEFAULT_MAX_MESSAGES_PER_RECEIVE;

    private Duration shutdownTimeout = DefaultIpcListenerContainer.DEFAULT_SHUTDOWN_TIMEOUT;

    private Duration sendTimeout; // null: each channel's own send timeout

    private int maxAttempts = 3;

    private Duration backOffDelay = Duration.ofMillis(100);

    private double backOffMultiplier = 2.0;

    private Duration backOffMaxDelay = Duration.ofSeconds(1);

    private RetryPolicy retryPolicy;

    private String deadLetterChannel;

    private java.util.Map<String, String> deadLetterChannels = java.util.Map.of();

    private IpcErrorHandler errorHandler;

    private boolean virtualThreads;

    private ObservationRegistry observationRegistry;

    private IpcListenerObservationConvention observationConvention;

    public DefaultIpcListenerContainerFactory(IpcChannelResolver channelResolver) {
        Assert.notNull(channelResolver, "channelResolver must not be null");
        this.channelResolver = channelResolver;
    }

    /** Converts listener arguments' replies and return values; default {@link DefaultIpcMessageConverter}. */
    public void setMessageConverter(MessageConverter messageConverter) {
        this.messageConverter = messageConverter;
    }

    public void setMessageMapper(IpcMessageMapper messageMapper) {
        this.messageMapper = messageMapper;
    }

    /** Consumer threads per channel of each listener; default 1. */
    public void setConcurrency(int concurrency) {
        Assert.isTrue(concurrency > 0, "concurrency must be > 0");
        this.concurrency = concurrency;
    }

    /** Whether listeners start with the context; default {@code true}. */
    public void setAutoStartup(boolean autoStartup) {
        this.autoStartup = autoStartup;
    }

    /** Lifecycle phase of the containers; default {@code SmartLifecycle.DEFAULT_PHASE}. */
    public void setPhase(int phase) {
        this.phase = phase;
    }

    /** How long one receive waits; bounds how fast an idle listener notices stop. Default 1 s. */
    public void setPollTimeout(Duration pollTimeout) {
        this.pollTimeout = pollTimeout;
    }

    /**
     * How long a consumer thread that just handled a message polls for the next one before it
     * blocks in {@code receive}; default 20 µs, {@code 0} to block at once.
     *
     * @see DefaultIpcListenerContainer#setSpinBeforeWait(Duration)
     */
    public void setSpinBeforeWait(Duration spinBeforeWait) {
        this.spinBeforeWait = spinBeforeWait;
    }

    /**
     * The most messages a consumer thread takes from the channel at once (fewer while its
     * listener is slow); default 64.
     *
     * @see DefaultIpcListenerContainer#setMaxMessagesPerReceive(int)
     */
    public void setMaxMessagesPerReceive(int maxMessagesPerReceive) {
        Assert.isTrue(maxMessagesPerReceive > 0, "maxMessagesPerReceive must be > 0");
        this.maxMessagesPerReceive = maxMessagesPerReceive;
    }

    /** How long stopping waits for messages in flight before releasing them; default 10 s. */
    public void setShutdownTimeout(Duration shutdownTimeout) {
        this.shutdownTimeout = shutdownTimeout;
    }

    /** How long sending a reply, forwarded result or dead letter may wait; by default each channel's own send timeout. */
    public void setSendTimeout(Duration sendTimeout) {
        this.sendTimeout = sendTimeout;
    }

    /** Attempts per message including the first (1 = no retry); default 3. */
    public void setMaxAttempts(int maxAttempts) {
        Assert.isTrue(maxAttempts > 0, "maxAttempts must be > 0");
        this.maxAttempts = maxAttempts;
    }

    /** Wait before the second attempt; default 100 ms. */
    public void setBackOffDelay(Duration backOffDelay) {
        this.backOffDelay = backOffDelay;
    }

    /** Factor applied to the wait after each attempt; default 2.0 (1.0 = fixed). */
    public void setBackOffMultiplier(double backOffMultiplier) {
        this.backOffMultiplier = backOffMultiplier;
    }

    /** Longest wait between attempts; default 1 s. */
    public void setBackOffMaxDelay(Duration backOffMaxDelay) {
        this.backOffMaxDelay = backOffMaxDelay;
    }

    /** Replaces maxAttempts and the back-off settings (except per-listener maxAttempts overrides). */
    public void setRetryPolicy(RetryPolicy retryPolicy) {
        this.retryPolicy = retryPolicy;
    }

    /** Default dead-letter channel for listeners that do not name one; none by default. */
    public void setDeadLetterChannel(String deadLetterChannel) {
        this.deadLetterChannel = deadLetterChannel;
    }

    /**
     * Dead-letter channel per source channel, used for listeners that name none themselves and
     * before the factory-wide {@linkplain #setDeadLetterChannel dead-letter channel}; the
     * auto-configuration fills it from {@code ipc.queues.<name>.dead-letter}.
     */
    public void setDeadLetterChannels(java.util.Map<String, String> deadLetterChannelsBySource) {
        this.deadLetterChannels = java.util.Map.copyOf(deadLetterChannelsBySource);
    }

    /** Container-level error handler, told about every message that failed for good. */
    public void setErrorHandler(IpcErrorHandler errorHandler) {
        this.errorHandler = errorHandler;
    }

    /**
     * Whether consumers run on virtual threads (JDK 21+; platform threads otherwise). The
     * auto-configuration sets it from {@code spring.threads.virtual.enabled}.
     */
    public void setVirtualThreads(boolean virtualThreads) {
        this.virtualThreads = virtualThreads;
    }

    /** Turns on an observation per received message; off when not set. */
    public void setObservationRegistry(ObservationRegistry observationRegistry) {
        this.observationRegistry = observationRegistry;
    }

    public void setObservationConvention(IpcListenerObservationConvention observationConvention) {
        this.observationConvention = observationConvention;
    }

    @Override
    public IpcListenerContainer createListenerContainer(IpcListenerEndpoint endpoint) {
        List<IpcChannel> channels = endpoint.getChannels().stream().map(this.channelResolver::resolve).toList();
        DefaultIpcListenerContainer container = new DefaultIpcListenerContainer(endpoint.getId(), channels,
                this.channelResolver);
        container.setMessageConverter(this.messageConverter);
        container.setMessageMapper(this.messageMapper);
        container.setConcurrency((endpoint.getConcurrency() != null)
                ? parseConcurrency(endpoint) : this.concurrency);
        container.setAutoStartup((endpoint.getAutoStartup() != null) ? endpoint.getAutoStartup() : this.autoStartup);
        if (this.phase != null) {
            container.setPhase(this.phase);
        }
        container.setPollTimeout(this.pollTimeout);
        container.setSpinBeforeWait(this.spinBeforeWait);
        container.setMaxMessagesPerReceive(this.maxMessagesPerReceive);
        container.setShutdownTimeout(this.shutdownTimeout);
        container.setSendTimeout(this.sendTimeout);
        container.setRetryPolicy(retryPolicyFor(endpoint));
        container.setDeadLetterChannel(endpoint.getDeadLetterChannel());
        java.util.Map<String, String> perChannel = new java.util.HashMap<>();
        if (this.deadLetterChannel != null) {
            endpoint.getChannels().forEach(channel -> perChannel.put(channel, this.deadLetterChannel));
        }
        perChannel.putAll(this.deadLetterChannels);
        container.setDeadLetterChannels(perChannel);
        container.setErrorHandler(this.errorHandler);
        container.setVirtualThreads(this.virtualThreads);
        container.setObservationRegistry(this.observationRegistry);
        container.setObservationConvention(this.observationConvention);
        endpoint.setupListenerContainer(container);
        return container;
    }

    private RetryPolicy retryPolicyFor(IpcListenerEndpoint endpoint) {
        if (endpoint.getMaxAttempts() == null && this.retryPolicy != null) {
            return this.retryPolicy;
        }
        int attempts = (endpoint.getMaxAttempts() != null) ? endpoint.getMaxAttempts() : this.maxAttempts;
        if (attempts <= 1) {
            return null;
        }
        return RetryPolicy.builder().maxRetries(attempts - 1).delay(this.backOffDelay)
                .multiplier(this.backOffMultiplier).maxDelay(this.backOffMaxDelay).build();
    }

    private static int parseConcurrency(IpcListenerEndpoint endpoint) {
        try {
            int value = Integer.parseInt(endpoint.getConcurrency().trim());
            Assert.isTrue(value > 0, "must be > 0");
            return value;
        }
        catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException("Listener '" + endpoint.getId() + "': concurrency '"
                    + endpoint.getConcurrency() + "' is not a positive number of threads", ex);
        }
    }
}

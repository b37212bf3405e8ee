package io.github.springipc.listener;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import io.github.springipc.messaging.DefaultIpcListenerObservationConvention;
import io.github.springipc.messaging.DefaultIpcMessageConverter;
import io.github.springipc.messaging.IpcChannelResolver;
import io.github.springipc.messaging.IpcHeaders;
import io.github.springipc.messaging.IpcListenerObservationConvention;
import io.github.springipc.messaging.IpcMessageMapper;
import io.github.springipc.messaging.IpcObservationDocumentation;
import io.github.springipc.messaging.IpcReceiverContext;
import io.github.springipc.transport.IpcChannel;
import io.github.springipc.transport.IpcClosedException;
import io.github.springipc.transport.IpcDelivery;
import io.github.springipc.transport.IpcMessage;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.core.retry.RetryException;
import org.springframework.core.retry.RetryPolicy;
import org.springframework.core.retry.RetryTemplate;
import org.springframework.core.retry.Retryable;
import org.springframework.core.task.TaskExecutor;
import org.springframework.messaging.Message;
import org.springframework.messaging.converter.MessageConverter;
import org.springframework.messaging.support.MessageBuilder;
import org.springframework.util.Assert;

/**
 * The listener container: {@code concurrency} threads per channel, each pulling deliveries with
 * {@link IpcChannel#receive} and handling one at a time.
 *
 * <p>Per delivery: map it to a Spring {@code Message} (adding {@code ipc_channel},
 * {@code ipc_listenerId}, {@code ipc_deliveryAttempt}), invoke the listener under the
 * {@linkplain #setRetryPolicy retry policy} (each attempt sees its own attempt number), then
 * acknowledge. When the listener fails for good: tell the {@linkplain #setErrorHandler error
 * handler}, send the message to the {@linkplain #setDeadLetterChannel dead-letter channel} or,
 * without one, log it with the channel name and count it ({@link #getUnhandledFailureCount()}),
 * answer a waiting requester with an error reply, and acknowledge. A message is never dropped
 * silently.
 *
 * <p>Stopping (context close or {@link #stop()}): the threads take no new message, messages in
 * flight get {@linkplain #setShutdownTimeout shutdownTimeout} to finish (retries included);
 * after that the threads are interrupted and what they hold is
 * {@linkplain IpcDelivery#release() released} to the channel, not lost. A thread idle in
 * {@code receive} notices the stop within {@linkplain #setPollTimeout pollTimeout}.
 */
public class DefaultIpcListenerContainer implements IpcListenerContainer {

    private static final Log logger = LogFactory.getLog(DefaultIpcListenerContainer.class);

    /** Default for {@link #setPollTimeout}. */
    public static final Duration DEFAULT_POLL_TIMEOUT = Duration.ofSeconds(1);

    /** Default for {@link #setShutdownTimeout}. */
    public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(10);

    /** Default for {@link #setSpinBeforeWait}. */
    public static final Duration DEFAULT_SPIN_BEFORE_WAIT = Duration.ofNanos(20_000);

    /** Default for {@link #setMaxMessagesPerReceive}. */
    public static final int DEFAULT_MAX_MESSAGES_PER_RECEIVE = 64;

    /**
     * About how much listener time a consumer thread takes messages for at once: a batch never
     * holds more than this of work that a competing consumer could have taken.
     */
    static final long BATCH_BUDGET_NANOS = 1_000_000;

    /** Polls that only spin before a lingering consumer starts yielding its CPU. */
    private static final int SPINS_BEFORE_YIELD = 16;

    private final String listenerId;

    private final List<IpcChannel> channels;

    private final IpcChannelResolver channelResolver;

    private IpcMessageListener messageListener;

    private MessageConverter messageConverter = new DefaultIpcMessageConverter();

    private IpcMessageMapper messageMapper = new IpcMessageMapper();

    private int concurrency = 1;

    private boolean autoStartup = true;

    private int phase = DEFAULT_PHASE;

    private Duration pollTimeout = DEFAULT_POLL_TIMEOUT;

    private long spinBeforeWaitNanos = DEFAULT_SPIN_BEFORE_WAIT.toNanos();

    private volatile int maxMessagesPerReceive = DEFAULT_MAX_MESSAGES_PER_RECEIVE;

    /** {@link #BATCH_BUDGET_NANOS}; tests change it to make batch sizes independent of the machine's speed. */
    long batchBudgetNanos = BATCH_BUDGET_NANOS;

    private Duration shutdownTimeout = DEFAULT_SHUTDOWN_TIMEOUT;

    private Duration sendTimeout; // null: each channel's own send timeout

    private RetryPolicy retryPolicy;

    private String deadLetterChannel;

    private java.util.Map<String, String> deadLetterChannels = java.util.Map.of();

    private IpcErrorHandler errorHandler;

    private boolean virtualThreads;

    private TaskExecutor taskExecutor;

    private ObservationRegistry observationRegistry;

    private IpcListenerObservationConvention observationConvention;

    private final Object lifecycleMonitor = new Object();

    /** Wakes paused and backing-off consumers on resume and stop. */
    private final Object pauseMonitor = new Object();

    private volatile boolean running;

    private volatile boolean paused;

    /** Set when the shutdown timeout passed: failures of interrupted messages mean "release". */
    private volatile boolean abortingInFlight;

    private List<Consumer> consumers = List.of();

    private RetryTemplate retryTemplate;

    /** Whether the retry template must make the first attempt too (its timeout counts from it). */
    private boolean retryFromStart;

    private DeadLetterPublisher deadLetterPublisher;

    private final LongAdder handled = new LongAdder();

    private final LongAdder failed = new LongAdder();

    private final LongAdder deadLettered = new LongAdder();

    private final LongAdder unhandledFailures = new LongAdder();

    private final LongAdder released = new LongAdder();

    /**
     * @param listenerId the listener id (thread names, logs, metrics)
     * @param channels the channels to receive from
     * @param channelResolver finds {@code @SendTo} and dead-letter channels
     */
    public DefaultIpcListenerContainer(String listenerId, List<IpcChannel> channels,
            IpcChannelResolver channelResolver) {
        Assert.hasText(listenerId, "listenerId must not be empty");
        Assert.notEmpty(channels, "a listener container needs at least one channel");
        this.listenerId = listenerId;
        this.channels = List.copyOf(channels);
        this.channelResolver = channelResolver;
    }

    @Override
    public void setupMessageListener(IpcMessageListener listener) {
        this.messageListener = listener;
    }

    public void setMessageConverter(MessageConverter messageConverter) {
        this.messageConverter = messageConverter;
    }

    public void setMessageMapper(IpcMessageMapper messageMapper) {
        this.messageMapper = messageMapper;
    }

    /** Consumer threads per channel; default 1. */
    public void setConcurrency(int concurrency) {
        Assert.isTrue(concurrency > 0, () -> "concurrency of listener '" + this.listenerId + "' must be > 0");
        this.concurrency = concurrency;
    }

    public int getConcurrency() {
        return this.concurrency;
    }

    /** Whether the registry starts this container with the context; default {@code true}. */
    public void setAutoStartup(boolean autoStartup) {
        this.autoStartup = autoStartup;
    }

    public void setPhase(int phase) {
        this.phase = phase;
    }

    /** How long one {@code receive} waits; bounds how fast an idle thread notices stop. Default 1 s. */
    public void setPollTimeout(Duration pollTimeout) {
        Assert.isTrue(pollTimeout != null && !pollTimeout.isNegative() && !pollTimeout.isZero(), "pollTimeout must be > 0");
        this.pollTimeout = pollTimeout;
    }

    /**
     * How long a consumer thread that just handled a message keeps looking for the next one
     * without blocking (a few spins, then yielding its CPU between polls) before it waits in
     * {@code receive}. Messages that follow each other closely are then taken without the
     * channel putting the thread to sleep and waking it again for each one, which costs both
     * sides a system call and a context switch per message. An idle listener does not spin: the
     * time counts from the last message. Default 20 µs; {@code 0} waits in {@code receive} at once.
     */
    public void setSpinBeforeWait(Duration spinBeforeWait) {
        Assert.isTrue(spinBeforeWait != null && !spinBeforeWait.isNegative(), "spinBeforeWait must be >= 0");
        this.spinBeforeWaitNanos = spinBeforeWait.toNanos();
    }

    public Duration getSpinBeforeWait() {
        return Duration.ofNanos(this.spinBeforeWaitNanos);
    }

    /**
     * The most messages a consumer thread takes from the channel at once
     * ({@link IpcChannel#receive(int, Duration)}); it handles them one after the other. Channels
     * that hand out several messages for the price of one (the queue) are then cheaper per
     * message, but messages a thread holds wait for it even when another consumer is idle; so
     * a thread takes only as many as its listener handled in about a millisecond at the pace of
     * its last batch, and one at a time after a batch that took longer, up to this bound. Only
     * when a fast listener turns slow does one batch hold more. A {@link #pause()} takes effect
     * after the batch in hand. Default 64; 1 turns batching off. May be changed while running.
     */
    public void setMaxMessagesPerReceive(int maxMessagesPerReceive) {
        Assert.isTrue(maxMessagesPerReceive > 0, "maxMessagesPerReceive must be > 0");
        this.maxMessagesPerReceive = maxMessagesPerReceive;
    }

    public int getMaxMessagesPerReceive() {
        return this.maxMessagesPerReceive;
    }

    /** How long stopping waits for messages in flight before releasing them; default 10 s. */
    public void setShutdownTimeout(Duration shutdownTimeout) {
        Assert.isTrue(shutdownTimeout != null && !shutdownTimeout.isNegative(), "shutdownTimeout must be >= 0");
        this.shutdownTimeout = shutdownTimeout;
    }

    public Duration getShutdownTimeout() {
        return this.shutdownTimeout;
    }

    /** How long sending a reply, forwarded result or dead letter may wait; by default each channel's own send timeout. */
    public void setSendTimeout(Duration sendTimeout) {
        this.sendTimeout = sendTimeout;
    }

    /**
     * Retries of a failing listener, with their back-off; {@code null} (default) for a single
     * attempt. Conversion, validation and reply failures are never retried.
     */
    public void setRetryPolicy(RetryPolicy retryPolicy) {
        this.retryPolicy = retryPolicy;
    }

    public RetryPolicy getRetryPolicy() {
        return this.retryPolicy;
    }

    /** Channel for messages whose listener failed for good; none by default (logged and counted). */
    public void setDeadLetterChannel(String deadLetterChannel) {
        this.deadLetterChannel = deadLetterChannel;
    }

    public String getDeadLetterChannel() {
        return this.deadLetterChannel;
    }

    /**
     * Dead-letter channel per source channel (e.g. from {@code ipc.queues.<name>.dead-letter}),
     * used when no {@linkplain #setDeadLetterChannel dead-letter channel} is set for the listener.
     */
    public void setDeadLetterChannels(java.util.Map<String, String> deadLetterChannelsBySource) {
        this.deadLetterChannels = java.util.Map.copyOf(deadLetterChannelsBySource);
    }

    /** Where failed messages from {@code channelName} go, or {@code null} when nowhere. */
    public String getDeadLetterChannelFor(String channelName) {
        return (this.deadLetterChannel != null) ? this.deadLetterChannel : this.deadLetterChannels.get(channelName);
    }

    /** Told about every message that failed for good. */
    public void setErrorHandler(IpcErrorHandler errorHandler) {
        this.errorHandler = errorHandler;
    }

    /** Whether to run the consumers on virtual threads (JDK 21+; platform threads otherwise). */
    public void setVirtualThreads(boolean virtualThreads) {
        this.virtualThreads = virtualThreads;
    }

    /**
     * Runs the consumer threads (one long-running task per thread). By default a
     * {@code SimpleAsyncTaskExecutor} with threads named {@code <listenerId>-N}.
     */
    public void setTaskExecutor(TaskExecutor taskExecutor) {
        this.taskExecutor = taskExecutor;
    }

    /** Turns on an observation per received message. */
    public void setObservationRegistry(ObservationRegistry observationRegistry) {
        this.observationRegistry = observationRegistry;
    }

    public void setObservationConvention(IpcListenerObservationConvention observationConvention) {
        this.observationConvention = observationConvention;
    }

    @Override
    public String getListenerId() {
        return this.listenerId;
    }

    @Override
    public List<String> getChannelNames() {
        return this.channels.stream().map(IpcChannel::name).toList();
    }

    @Override
    public MessageConverter getMessageConverter() {
        return this.messageConverter;
    }

    @Override
    public IpcMessageMapper getMessageMapper() {
        return this.messageMapper;
    }

    @Override
    public IpcChannelResolver getChannelResolver() {
        return this.channelResolver;
    }

    @Override
    public Duration getSendTimeout() {
        return this.sendTimeout;
    }

    @Override
    public boolean isAutoStartup() {
        return this.autoStartup;
    }

    @Override
    public int getPhase() {
        return this.phase;
    }

    @Override
    public boolean isRunning() {
        return this.running;
    }

    @Override
    public void start() {
        synchronized (this.lifecycleMonitor) {
            if (this.running) {
                return;
            }
            Assert.state(this.messageListener != null, () -> "No message listener set on '" + this.listenerId + "'");
            this.retryTemplate = (this.retryPolicy != null)
                    ? new RetryTemplate(new SkipNotRetryable(this.retryPolicy)) : null;
            Duration retryTimeout = (this.retryPolicy != null) ? this.retryPolicy.getTimeout() : null;
            this.retryFromStart = retryTimeout != null && retryTimeout.compareTo(Duration.ZERO) > 0;
            this.deadLetterPublisher = new DeadLetterPublisher(this.channelResolver, this.sendTimeout);
            TaskExecutor executor = (this.taskExecutor != null) ? this.taskExecutor
                    : ListenerThreads.executor(this.listenerId, this.virtualThreads);
            List<Consumer> started = new ArrayList<>();
            CountDownLatch done = new CountDownLatch(this.channels.size() * this.concurrency);
            this.abortingInFlight = false;
            this.running = true;
            for (IpcChannel channel : this.channels) {
                for (int i = 0; i < this.concurrency; i++) {
                    Consumer consumer = new Consumer(channel, done);
                    started.add(consumer);
                    executor.execute(consumer);
                }
            }
            this.consumers = started;
            logger.debug("Started listener '" + this.listenerId + "' on " + getChannelNames() + " with "
                    + started.size() + " consumer thread(s)");
        }
    }

    @Override
    public void stop() {
        CountDownLatch stopped = new CountDownLatch(1);
        stop(stopped::countDown);
        try {
            stopped.await(this.shutdownTimeout.toMillis() + this.pollTimeout.toMillis() + 5000, TimeUnit.MILLISECONDS);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Stops asynchronously: consumers finish their message in flight, then {@code callback} runs.
     * After {@code shutdownTimeout} the consumers still busy are interrupted and release their
     * message.
     */
    @Override
    public void stop(Runnable callback) {
        List<Consumer> stopping;
        synchronized (this.lifecycleMonitor) {
            if (!this.running) {
                callback.run();
                return;
            }
            this.running = false;
            stopping = this.consumers;
        }
        synchronized (this.pauseMonitor) {
            this.pauseMonitor.notifyAll();
        }
        Thread waiter = new Thread(() -> awaitStop(stopping, callback), this.listenerId + "-stop");
        waiter.setDaemon(true);
        waiter.start();
    }

    private void awaitStop(List<Consumer> stopping, Runnable callback) {
        try {
            CountDownLatch done = stopping.isEmpty() ? new CountDownLatch(0) : stopping.get(0).done;
            if (!done.await(this.shutdownTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                logger.warn("Listener '" + this.listenerId + "' did not finish its messages within the "
                        + "shutdown timeout of " + this.shutdownTimeout.toMillis() + " ms (ipc.listener.shutdown-timeout); "
                        + "interrupting it and releasing what it holds back to the channel");
                this.abortingInFlight = true;
                stopping.forEach(Consumer::interrupt);
                if (!done.await(this.pollTimeout.toMillis() + 1000, TimeUnit.MILLISECONDS)) {
                    logger.warn("Listener '" + this.listenerId + "' still has " + done.getCount()
                            + " busy thread(s) after interrupting them");
                }
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        finally {
            callback.run();
        }
    }

    @Override
    public void pause() {
        this.paused = true;
    }

    @Override
    public void resume() {
        this.paused = false;
        synchronized (this.pauseMonitor) {
            this.pauseMonitor.notifyAll();
        }
    }

    @Override
    public boolean isPaused() {
        return this.paused;
    }

    @Override
    public long getHandledCount() {
        return this.handled.sum();
    }

    @Override
    public long getFailedCount() {
        return this.failed.sum();
    }

    @Override
    public long getDeadLetteredCount() {
        return this.deadLettered.sum();
    }

    @Override
    public long getUnhandledFailureCount() {
        return this.unhandledFailures.sum();
    }

    @Override
    public long getReleasedCount() {
        return this.released.sum();
    }

    @Override
    public String toString() {
        return "IpcListenerContainer[id=" + this.listenerId + ", channels=" + getChannelNames() + "]";
    }

    // ---- handling one delivery

    private void process(IpcDelivery delivery, String channelName) {
        IpcMessage raw = delivery.message();
        ObservationRegistry registry = this.observationRegistry;
        if (registry == null || registry.isNoop()) {
            handle(delivery, channelName);
            return;
        }
        ListenerObservation.observe(registry, this.observationConvention,
                new IpcReceiverContext(channelName, this.listenerId, raw), () -> handle(delivery, channelName));
    }

    /** @return the listener's failure when the message failed for good, else {@code null} */
    private Throwable handle(IpcDelivery delivery, String channelName) {
        Message<byte[]> message = this.messageMapper.toMessage(delivery.message(), channelName,
                delivery.deliveryAttempt(), this.listenerId);
        AtomicInteger attempts = null; // made only when the first attempt fails
        try {
            if (this.retryFromStart) {
                attempts = new AtomicInteger();
                retry(message, delivery, attempts, null);
            }
            else {
                try {
                    this.messageListener.onMessage(message, delivery);
                }
                catch (Throwable firstFailure) {
                    if (this.retryTemplate == null) {
                        throw firstFailure;
                    }
                    attempts = new AtomicInteger(1);
                    retry(message, delivery, attempts, firstFailure);
                }
            }
        }
        catch (Throwable ex) {
            Throwable cause = unwrap(ex);
            if (this.abortingInFlight) {
                release(delivery, channelName);
                return null;
            }
            failed(delivery, message, channelName, cause, (attempts != null) ? Math.max(attempts.get(), 1) : 1);
            return cause;
        }
        delivery.acknowledge();
        this.handled.increment();
        return null;
    }

    /**
     * Runs the listener under the retry template. The first attempt usually succeeds and is made
     * before, without the template (which costs a state object, log suppliers and a clock read
     * per call); its failure is then handed to the template as the outcome of the template's
     * own first attempt, so policy, back-off and attempt counting are the same as if the
     * template had made it. With a retry timeout the template makes every attempt itself, as
     * its clock starts with its first one.
     *
     * @param attempts attempts made so far; counts on
     * @param firstFailure the failure of the attempt already made, or {@code null} when none was
     */
    private void retry(Message<byte[]> message, IpcDelivery delivery, AtomicInteger attempts, Throwable firstFailure)
            throws RetryException {
        int firstAttempt = delivery.deliveryAttempt();
        this.retryTemplate.execute(new Retryable<Object>() {

            private boolean replayed = (firstFailure == null);

            @Override
            public Object execute() throws Throwable {
                if (!this.replayed) {
                    this.replayed = true;
                    throw firstFailure;
                }
                int attempt = attempts.getAndIncrement();
                Message<?> attemptMessage = (attempt == 0) ? message
                        : MessageBuilder.fromMessage(message)
                                .setHeader(IpcHeaders.DELIVERY_ATTEMPT, firstAttempt + attempt).build();
                messageListener.onMessage(attemptMessage, delivery);
                return null;
            }

            @Override
            public String getName() {
                return "ipc listener " + listenerId;
            }
        });
    }

    private void failed(IpcDelivery delivery, Message<?> message, String channelName, Throwable error, int attempts) {
        this.failed.increment();
        if (this.errorHandler != null) {
            try {
                this.errorHandler.handleError(message, error);
            }
            catch (RuntimeException ex) {
                logger.error("Error handler of listener '" + this.listenerId + "' threw", ex);
            }
        }
        boolean deadLetteredOk = false;
        String deadLetterChannel = getDeadLetterChannelFor(channelName);
        if (deadLetterChannel != null) {
            try {
                this.deadLetterPublisher.publish(deadLetterChannel, delivery.message(), channelName,
                        this.listenerId, error, attempts);
                this.deadLettered.increment();
                deadLetteredOk = true;
                if (logger.isDebugEnabled()) {
                    logger.debug("Listener '" + this.listenerId + "' failed on a message from '" + channelName
                            + "' after " + attempts + " attempt(s); sent it to dead-letter channel '"
                            + deadLetterChannel + "'", error);
                }
            }
            catch (RuntimeException ex) {
                logger.error("Could not send a failed message from channel '" + channelName
                        + "' to dead-letter channel '" + deadLetterChannel + "'", ex);
            }
        }
        if (!deadLetteredOk) {
            this.unhandledFailures.increment();
            logger.error("Listener '" + this.listenerId + "' failed on a message from channel '" + channelName
                    + "' after " + attempts + " attempt(s); " + (this.deadLetterChannel == null
                            ? "no dead-letter channel is configured (@IpcListener(deadLetterChannel = ...) or the "
                                    + "container factory's deadLetterChannel), so"
                            : "dead-lettering failed, so")
                    + " the message is dropped after this log entry. Headers: "
                    + delivery.message().headers(), error);
        }
        if (delivery.expectsReply()) {
            sendErrorReply(delivery, channelName, error);
        }
        delivery.acknowledge();
    }

    private void sendErrorReply(IpcDelivery delivery, String channelName, Throwable error) {
        IpcMessage reply = IpcMessage.of(new byte[0])
                .withHeader(IpcHeaders.EXCEPTION_CLASS, error.getClass().getName())
                .withHeader(IpcHeaders.EXCEPTION_MESSAGE, DeadLetterPublisher.exceptionMessage(error));
        String correlationId = delivery.message().header(IpcHeaders.CORRELATION_ID);
        if (correlationId != null) {
            reply = reply.withHeader(IpcHeaders.CORRELATION_ID, correlationId);
        }
        try {
            delivery.reply(reply);
        }
        catch (RuntimeException ex) {
            logger.warn("Could not send the error reply for a request on '" + channelName + "'", ex);
        }
    }

    private void release(IpcDelivery delivery, String channelName) {
        try {
            delivery.release();
            this.released.increment();
        }
        catch (RuntimeException ex) {
            logger.error("Could not release a message back to channel '" + channelName + "'", ex);
        }
    }

    /** The listener's own exception, without the retry and adapter wrappers. */
    static Throwable unwrap(Throwable error) {
        Throwable current = error;
        if (current instanceof RetryException retry && retry.getLastException() != null) {
            current = retry.getLastException();
        }
        while (current instanceof ListenerExecutionFailedException && current.getCause() != null) {
            current = current.getCause();
        }
        return current;
    }

    /** Whether retrying cannot help: the message cannot be converted or is invalid, or the reply failed. */
    static boolean isNotRetryable(Throwable error) {
        for (Throwable current = error; current != null; current = current.getCause()) {
            if (current instanceof org.springframework.messaging.converter.MessageConversionException
                    || current instanceof org.springframework.messaging.handler.invocation.MethodArgumentResolutionException
                    || current instanceof ReplyFailureException) {
                return true;
            }
            if (current.getCause() == current) {
                break;
            }
        }
        return false;
    }

    /** The configured policy, except that failures retrying cannot fix end at once. */
    private record SkipNotRetryable(RetryPolicy delegate) implements RetryPolicy {

        @Override
        public boolean shouldRetry(Throwable error) {
            return !isNotRetryable(error) && this.delegate.shouldRetry(error);
        }

        @Override
        public Duration getTimeout() {
            return this.delegate.getTimeout();
        }

        @Override
        public org.springframework.util.backoff.BackOff getBackOff() {
            return this.delegate.getBackOff();
        }
    }

    // ---- consumer threads

    /**
     * How many messages a consumer takes next: as many as its listener handles in about
     * {@code budgetNanos} ({@link #BATCH_BUDGET_NANOS}) at the pace of the batch just handled,
     * at least 1, at most {@code max}. A batch that took longer than the budget (one slow
     * message is enough) brings it back to 1.
     */
    static int nextBatchSize(int handled, long nanos, int max, long budgetNanos) {
        if (nanos >= budgetNanos) {
            return 1;
        }
        long perMessage = Math.max(1, nanos / Math.max(1, handled));
        return (int) Math.max(1, Math.min(max, budgetNanos / perMessage));
    }

    private final class Consumer implements Runnable {

        private final IpcChannel channel;

        private final CountDownLatch done;

        private volatile Thread thread;

        /** How many messages to take next; adapted to the listener's speed (see {@link #nextBatchSize}). */
        private int batchSize = 1;

        /** Handled a message since the last wait: poll before waiting again. */
        private boolean busy;

        Consumer(IpcChannel channel, CountDownLatch done) {
            this.channel = channel;
            this.done = done;
        }

        @Override
        public void run() {
            this.thread = Thread.currentThread();
            String channelName = this.channel.name();
            try {
                while (running && step(channelName)) {
                    // each turn is one call: the JIT compiles step() as a whole method, where a
                    // loop that never returns would only get an on-stack replacement, thrown
                    // away and redone (a dip in throughput) whenever one of its paths changes
                }
            }
            catch (Throwable ex) {
                logger.error("Consumer thread of listener '" + listenerId + "' on '" + channelName + "' died", ex);
            }
            finally {
                this.thread = null;
                this.done.countDown();
            }
        }

        /**
         * Takes what is there (polling for a moment after a busy turn, then waiting up to the poll
         * timeout) and handles it.
         *
         * @return false when this consumer must stop
         */
        private boolean step(String channelName) {
            if (paused) {
                this.busy = false;
                waitWhilePaused();
                return true;
            }
            int max = maxMessagesPerReceive; // read once: it may be changed while running
            int take = Math.min(this.batchSize, max);
            List<IpcDelivery> deliveries;
            try {
                deliveries = this.busy ? receiveSpinning(take) : List.of();
                if (deliveries.isEmpty()) {
                    deliveries = this.channel.receive(take, pollTimeout);
                }
            }
            catch (InterruptedException ex) {
                return false;
            }
            catch (IpcClosedException ex) {
                if (running) {
                    logger.warn("Listener '" + listenerId + "' stops: channel '" + channelName + "' is closed");
                }
                return false;
            }
            catch (RuntimeException ex) {
                // A peer that is not up yet or went away: keep trying, the channel reconnects.
                logger.warn("Listener '" + listenerId + "' could not receive from channel '" + channelName
                        + "'; retrying in " + pollTimeout.toMillis() + " ms: " + ex);
                this.busy = false;
                pauseBriefly();
                return true;
            }
            int count = deliveries.size();
            this.busy = count > 0;
            long started = (max > 1) ? System.nanoTime() : 0;
            int next = 0;
            try {
                while (next < count && running) {
                    settle(deliveries.get(next++), channelName);
                }
            }
            finally {
                // not handled (stopping, or an Error out of the failure path): given back, last
                // first, since a pipe puts each one back at the front of its inbox
                for (int i = count - 1; i >= next; i--) {
                    release(deliveries.get(i), channelName);
                }
            }
            if (max > 1 && count > 0) {
                this.batchSize = nextBatchSize(count, System.nanoTime() - started, max, batchBudgetNanos);
            }
            return true;
        }

        /**
         * Polls without blocking for up to {@code spinBeforeWait}: spins first (the next message
         * is usually a few hundred nanoseconds away), then yields the CPU between polls, so
         * that a producer sharing the core can run.
         */
        private List<IpcDelivery> receiveSpinning(int take) throws InterruptedException {
            long spin = spinBeforeWaitNanos;
            if (spin <= 0) {
                return List.of();
            }
            long deadline = System.nanoTime() + spin;
            for (int polls = 0; running && !paused; polls++) {
                List<IpcDelivery> deliveries = this.channel.receive(take, Duration.ZERO);
                if (!deliveries.isEmpty() || System.nanoTime() - deadline >= 0) {
                    return deliveries;
                }
                if (polls < SPINS_BEFORE_YIELD) {
                    Thread.onSpinWait();
                }
                else {
                    Thread.yield();
                }
            }
            return List.of();
        }

        /** Handles one delivery to the end (acknowledged, retried, dead-lettered or released). */
        private void settle(IpcDelivery delivery, String channelName) {
            try {
                process(delivery, channelName);
            }
            catch (RuntimeException ex) {
                // Settling failed (the channel broke mid-message): the channel redelivers
                // what it did not see acknowledged; this thread keeps serving.
                logger.error("Listener '" + listenerId + "' could not settle a message from channel '"
                        + channelName + "'", ex);
            }
        }

        void interrupt() {
            Thread current = this.thread;
            if (current != null) {
                current.interrupt();
            }
        }

        private void waitWhilePaused() {
            synchronized (pauseMonitor) {
                if (paused && running) {
                    try {
                        pauseMonitor.wait(pollTimeout.toMillis());
                    }
                    catch (InterruptedException ex) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        }

        private void pauseBriefly() {
            synchronized (pauseMonitor) {
                if (running) {
                    try {
                        pauseMonitor.wait(pollTimeout.toMillis());
                    }
                    catch (InterruptedException ex) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        }
    }

    /** Keeps the Micrometer calls in one place, only reached when a registry was set. */
    private static final class ListenerObservation {

        @SuppressWarnings("try")
        static void observe(ObservationRegistry registry, IpcListenerObservationConvention convention,
                IpcReceiverContext context, java.util.function.Supplier<Throwable> handling) {
            Observation observation = IpcObservationDocumentation.LISTENER_OBSERVATION.observation(convention,
                    DefaultIpcListenerObservationConvention.INSTANCE, () -> context, registry);
            observation.start();
            try (Observation.Scope scope = observation.openScope()) {
                Throwable failure = handling.get();
                if (failure != null) {
                    observation.error(failure);
                }
            }
            finally {
                observation.stop();
            }
        }
    }
}

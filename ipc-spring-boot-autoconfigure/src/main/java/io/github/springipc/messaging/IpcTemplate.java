package io.github.springipc.messaging;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

import io.github.springipc.transport.IpcChannel;
import io.github.springipc.transport.IpcDelivery;
import io.github.springipc.transport.IpcException;
import io.github.springipc.transport.IpcMessage;
import io.github.springipc.transport.IpcTimeoutException;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;

import org.springframework.messaging.Message;
import org.springframework.messaging.MessageDeliveryException;
import org.springframework.messaging.MessagingException;
import org.springframework.messaging.converter.MessageConverter;
import org.springframework.messaging.core.AbstractMessagingTemplate;
import org.springframework.util.Assert;

/**
 * Sends messages to IPC channels, receives from them and makes requests; the destination is the
 * channel name.
 *
 * <pre>{@code
 * ipcTemplate.convertAndSend("jobs", new Job("build"));
 * ipcTemplate.convertAndSend("jobs", job, Map.of("priority", "high"));
 * Status status = ipcTemplate.convertSendAndReceive("control", "status", Status.class);
 * Status quick = ipcTemplate.convertSendAndReceive("control", "status", Status.class, Duration.ofMillis(200));
 * }</pre>
 *
 * <p>Request-reply never returns {@code null}: when no reply comes within the timeout it throws
 * {@link IpcReplyTimeoutException}, and when the listener failed it throws
 * {@link IpcRemoteListenerException}. Other transport failures (a full queue, a peer that is
 * away, an oversize message) surface as {@link MessageDeliveryException} with the transport's
 * exception as cause.
 *
 * <p>Objects are converted by the {@linkplain #setMessageConverter message converter}
 * (by default {@link DefaultIpcMessageConverter}: JSON, text, bytes), which writes the
 * {@code contentType} header.
 */
public class IpcTemplate extends AbstractMessagingTemplate<String> {

    /** Default for {@link #setSendTimeout}. */

    /** Default for {@link #setReplyTimeout}. */
    public static final Duration DEFAULT_REPLY_TIMEOUT = Duration.ofSeconds(5);

    /** Default for {@link #setReceiveTimeout}. */
    public static final Duration DEFAULT_RECEIVE_TIMEOUT = Duration.ofSeconds(1);

    private final IpcChannelResolver channelResolver;

    private IpcMessageMapper messageMapper = new IpcMessageMapper();

    private Duration sendTimeout;

    private final Map<String, SendCounts> sendCounts = new java.util.concurrent.ConcurrentHashMap<>();

    private Duration replyTimeout = DEFAULT_REPLY_TIMEOUT;

    private Duration receiveTimeout = DEFAULT_RECEIVE_TIMEOUT;

    private ObservationRegistry observationRegistry;

    private IpcTemplateObservationConvention observationConvention;

    /** No subclass changed the general send route: {@link #convertAndSend(String, Object)} may go direct. */
    private final boolean generalRouteUnchanged = !overridesGeneralRoute(getClass());

    /** A template that finds channels with the given resolver and converts with the defaults. */
    public IpcTemplate(IpcChannelResolver channelResolver) {
        this(channelResolver, new DefaultIpcMessageConverter());
    }

    /** A template that finds channels with the given resolver and converts with the given converter. */
    public IpcTemplate(IpcChannelResolver channelResolver, MessageConverter messageConverter) {
        Assert.notNull(channelResolver, "channelResolver must not be null");
        this.channelResolver = channelResolver;
        setMessageConverter(messageConverter);
    }

    /**
     * How long a send waits for room in the channel or for its peer; by default ({@code null})
     * each channel's own configured send timeout applies.
     */
    public void setSendTimeout(Duration sendTimeout) {
        Assert.isTrue(sendTimeout == null || !sendTimeout.isNegative(), "sendTimeout must be >= 0");
        this.sendTimeout = sendTimeout;
    }

    public Duration getSendTimeout() {
        return this.sendTimeout;
    }

    /**
     * How long a request waits for its reply unless the call says otherwise (a
     * {@code Duration} argument or the {@link IpcHeaders#REPLY_TIMEOUT} header); default 5 s.
     */
    public void setReplyTimeout(Duration replyTimeout) {
        Assert.isTrue(replyTimeout != null && !replyTimeout.isNegative(), "replyTimeout must be >= 0");
        this.replyTimeout = replyTimeout;
    }

    public Duration getReplyTimeout() {
        return this.replyTimeout;
    }

    /** How long {@link #receive(Object)} waits for a message before returning {@code null}; default 1 s. */
    public void setReceiveTimeout(Duration receiveTimeout) {
        Assert.isTrue(receiveTimeout != null && !receiveTimeout.isNegative(), "receiveTimeout must be >= 0");
        this.receiveTimeout = receiveTimeout;
    }

    public Duration getReceiveTimeout() {
        return this.receiveTimeout;
    }

    /** Maps Spring messages to wire messages; replace it to change header mapping. */
    public void setMessageMapper(IpcMessageMapper messageMapper) {
        Assert.notNull(messageMapper, "messageMapper must not be null");
        this.messageMapper = messageMapper;
    }

    /**
     * Turns on an observation per sent message (and per request), whose context injects the
     * trace context into the message headers. Off when not set.
     */
    public void setObservationRegistry(ObservationRegistry observationRegistry) {
        this.observationRegistry = observationRegistry;
    }

    /** Replaces the default naming and tags of the send observation. */
    public void setObservationConvention(IpcTemplateObservationConvention observationConvention) {
        this.observationConvention = observationConvention;
    }

    /** The resolver used to find channels. */
    public IpcChannelResolver getChannelResolver() {
        return this.channelResolver;
    }

    /**
     * Sends a request and waits up to {@code timeout} for the reply.
     *
     * @throws IpcReplyTimeoutException when no reply came in time
     */
    public Message<?> sendAndReceive(String channelName, Message<?> request, Duration timeout) {
        Assert.notNull(timeout, "timeout must not be null");
        return doSendAndReceive(channelName, request, timeout);
    }

    /**
     * Converts the request, sends it, waits up to {@code timeout} for the reply and converts
     * the reply to {@code replyType}.
     *
     * @throws IpcReplyTimeoutException when no reply came in time
     */
    public <T> T convertSendAndReceive(String channelName, Object request, Class<T> replyType, Duration timeout) {
        Assert.notNull(timeout, "timeout must not be null");
        return convertSendAndReceive(channelName, request, Map.of(IpcHeaders.REPLY_TIMEOUT, timeout), replyType);
    }

    /**
     * Messages this template sent (requests included) per channel, and sends that failed; for
     * metrics. The keys are channel names.
     */
    public Map<String, SendCounts> getSendCounts() {
        return java.util.Collections.unmodifiableMap(this.sendCounts);
    }

    /** Sent and failed counts of one channel. */
    public static final class SendCounts {

        private final java.util.concurrent.atomic.LongAdder sent = new java.util.concurrent.atomic.LongAdder();

        private final java.util.concurrent.atomic.LongAdder failed = new java.util.concurrent.atomic.LongAdder();

        public long getSent() {
            return this.sent.sum();
        }

        public long getFailed() {
            return this.failed.sum();
        }
    }

    private SendCounts countsOf(String channelName) {
        return this.sendCounts.computeIfAbsent(channelName, (name) -> new SendCounts());
    }

    /**
     * Converts the payload and sends it. An object that the {@link DefaultIpcMessageConverter}
     * writes as JSON goes straight to the wire message, with the same bytes and headers as the
     * general route (converter, Spring message, {@link #doSend}) would give. The direct route is
     * taken only while nothing on the general route was customised: the converter and the
     * message mapper are exactly the default classes, and a subclass of this template overrides
     * none of the methods the general route calls.
     */
    @Override
    public void convertAndSend(String channelName, Object payload) throws MessagingException {
        IpcMessage direct = (this.generalRouteUnchanged && !(payload instanceof Message)
                && this.messageMapper.getClass() == IpcMessageMapper.class
                && getMessageConverter() instanceof DefaultIpcMessageConverter converter
                && converter.getClass() == DefaultIpcMessageConverter.class) ? converter.toJsonIpcMessage(payload) : null;
        if (direct == null) {
            super.convertAndSend(channelName, payload);
            return;
        }
        send(channelName, direct, null, payload);
    }

    @Override
    protected void doSend(String channelName, Message<?> message) {
        send(channelName, this.messageMapper.toIpcMessage(message), message, null);
    }

    /**
     * @param message the Spring message sent, for exceptions; {@code null} on the direct route
     * @param payload on the direct route, the object sent (its Spring message is made only for an exception)
     */
    private void send(String channelName, IpcMessage outgoing, Message<?> message, Object payload) {
        IpcChannel channel = this.channelResolver.resolve(channelName);
        SendCounts counts = countsOf(channelName);
        ObservationRegistry registry = this.observationRegistry;
        if (registry == null || registry.isNoop()) {
            send(channel, channelName, outgoing, message, payload, counts); // no lambda to allocate per message
            return;
        }
        observe(channelName, outgoing, (observed) -> {
            send(channel, channelName, observed, message, payload, counts);
            return null;
        });
    }

    private void send(IpcChannel channel, String channelName, IpcMessage outgoing, Message<?> message, Object payload,
            SendCounts counts) {
        try {
            if (this.sendTimeout != null) {
                channel.send(outgoing, this.sendTimeout);
            }
            else {
                channel.send(outgoing);
            }
            counts.sent.increment();
        }
        catch (IpcException ex) {
            counts.failed.increment();
            // the direct route reports the message the general route would have failed with
            Message<?> failed = (message != null) ? message : getMessageConverter().toMessage(payload, null);
            throw new MessageDeliveryException(failed,
                    "Could not send to IPC channel '" + channelName + "': " + ex.getMessage(), ex);
        }
    }

    /** Whether {@code type}, a subclass of this class, overrides a method of the general send route. */
    private static boolean overridesGeneralRoute(Class<?> type) {
        java.util.Set<String> route = java.util.Set.of("convertAndSend", "doConvert", "processHeadersToSend", "send",
                "doSend");
        for (Class<?> c = type; c != IpcTemplate.class && c != null; c = c.getSuperclass()) {
            for (java.lang.reflect.Method method : c.getDeclaredMethods()) {
                if (route.contains(method.getName())) {
                    return true;
                }
            }
        }
        return false;
    }

    @Override
    protected Message<?> doSendAndReceive(String channelName, Message<?> request) {
        return doSendAndReceive(channelName, request, replyTimeoutOf(request));
    }

    private Message<?> doSendAndReceive(String channelName, Message<?> request, Duration timeout) {
        IpcChannel channel = this.channelResolver.resolve(channelName);
        IpcMessage outgoing = this.messageMapper.toIpcMessage(request);
        SendCounts counts = countsOf(channelName);
        IpcMessage reply = observe(channelName, outgoing, (observed) -> {
            try {
                IpcMessage answer = channel.request(observed, timeout);
                counts.sent.increment();
                return answer;
            }
            catch (IpcTimeoutException ex) {
                counts.failed.increment();
                throw new IpcReplyTimeoutException(request, channelName, timeout, ex);
            }
            catch (IpcException ex) {
                counts.failed.increment();
                throw new MessageDeliveryException(request,
                        "Request to IPC channel '" + channelName + "' failed: " + ex.getMessage(), ex);
            }
        });
        if (reply == null) {
            // A channel must throw on timeout; never hand null to the caller.
            throw new IpcReplyTimeoutException(request, channelName, timeout,
                    new IpcTimeoutException("Channel '" + channelName + "' returned no reply"));
        }
        Message<byte[]> replyMessage = this.messageMapper.toMessage(reply, channelName, 0);
        String exceptionClass = reply.header(IpcHeaders.EXCEPTION_CLASS);
        if (exceptionClass != null) {
            throw new IpcRemoteListenerException(replyMessage, channelName, exceptionClass,
                    reply.header(IpcHeaders.EXCEPTION_MESSAGE));
        }
        return replyMessage;
    }

    @Override
    protected Message<?> doReceive(String channelName) {
        IpcChannel channel = this.channelResolver.resolve(channelName);
        IpcDelivery delivery;
        try {
            delivery = channel.receive(this.receiveTimeout);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new MessagingException("Interrupted while receiving from IPC channel '" + channelName + "'", ex);
        }
        if (delivery == null) {
            return null;
        }
        Message<byte[]> message = this.messageMapper.toMessage(delivery.message(), channelName,
                delivery.deliveryAttempt());
        delivery.acknowledge();
        return message;
    }

    private Duration replyTimeoutOf(Message<?> request) {
        Object value = request.getHeaders().get(IpcHeaders.REPLY_TIMEOUT);
        if (value instanceof Duration duration) {
            return duration;
        }
        if (value instanceof Number number) {
            return Duration.ofMillis(number.longValue());
        }
        if (value instanceof String text) {
            try {
                return Duration.ofMillis(Long.parseLong(text.trim()));
            }
            catch (NumberFormatException ex) {
                throw new IllegalArgumentException("Header " + IpcHeaders.REPLY_TIMEOUT
                        + " must be a number of milliseconds, not '" + text + "'", ex);
            }
        }
        return this.replyTimeout;
    }

    private <R> R observe(String channelName, IpcMessage message, Function<IpcMessage, R> action) {
        if (this.observationRegistry == null || this.observationRegistry.isNoop()) {
            return action.apply(message);
        }
        return new TemplateObservation(this.observationRegistry, this.observationConvention)
                .observe(channelName, message, action);
    }

    /** Keeps the Micrometer calls in one place, only reached when a registry was set. */
    private record TemplateObservation(ObservationRegistry registry, IpcTemplateObservationConvention convention) {

        @SuppressWarnings("try")
        <R> R observe(String channelName, IpcMessage message, Function<IpcMessage, R> action) {
            Map<String, String> headers = new LinkedHashMap<>(message.headers());
            Supplier<IpcSenderContext> context = () -> new IpcSenderContext(channelName, headers);
            Observation observation = IpcObservationDocumentation.TEMPLATE_OBSERVATION.observation(
                    this.convention, DefaultIpcTemplateObservationConvention.INSTANCE, context, this.registry);
            observation.start();
            try (Observation.Scope scope = observation.openScope()) {
                // Handlers injected the trace context into 'headers' on start.
                return action.apply(IpcMessage.of(headers, message.payload()));
            }
            catch (RuntimeException ex) {
                observation.error(ex);
                throw ex;
            }
            finally {
                observation.stop();
            }
        }
    }
}

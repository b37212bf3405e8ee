package io.github.springipc.messaging;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import io.github.springipc.transport.IpcMessage;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.messaging.Message;
import org.springframework.messaging.MessageHeaders;
import org.springframework.messaging.converter.MessageConversionException;
import org.springframework.util.MimeType;

/**
 * Maps Spring {@link Message}s to the transports' {@link IpcMessage}s and back.
 *
 * <p>Outbound, the payload must already be a {@code byte[]} (or a {@code String}, sent as UTF-8);
 * a {@code MessageConverter} turns objects into bytes before. Header values that have a plain
 * text form (strings, numbers, booleans, enums, {@code MimeType}, {@code UUID},
 * {@code Duration}) are sent as strings; other values, Spring's {@code id}/{@code timestamp}
 * and the headers this layer adds on receipt ({@link IpcHeaders#DELIVERY_ATTEMPT},
 * {@link IpcHeaders#CHANNEL}, {@link IpcHeaders#LISTENER_ID}) are not sent.
 *
 * <p>Inbound, every wire header becomes a string header, and {@link IpcHeaders#CHANNEL} and
 * {@link IpcHeaders#DELIVERY_ATTEMPT} (an {@code Integer}) are added. Received headers named
 * {@code id} or {@code timestamp} are ignored: Spring sets those on every message.
 */
public class IpcMessageMapper {

    private static final Log logger = LogFactory.getLog(IpcMessageMapper.class);

    private static final Set<String> NOT_SENT = Set.of(MessageHeaders.ID, MessageHeaders.TIMESTAMP,
            MessageHeaders.REPLY_CHANNEL, MessageHeaders.ERROR_CHANNEL, IpcHeaders.DELIVERY_ATTEMPT,
            IpcHeaders.CHANNEL, IpcHeaders.LISTENER_ID, IpcHeaders.REPLY_TIMEOUT, "nativeHeaders");

    /** The wire headers for a Spring message's headers; a new, mutable map. */
    public Map<String, String> toIpcHeaders(MessageHeaders headers) {
        Map<String, String> result = new LinkedHashMap<>();
        headers.forEach((name, value) -> {
            if (NOT_SENT.contains(name) || value == null) {
                return;
            }
            String text = asText(value);
            if (text != null) {
                result.put(name, text);
            }
            else if (logger.isDebugEnabled()) {
                logger.debug("Not sending header '" + name + "': a " + value.getClass().getName()
                        + " has no text form; use a String value");
            }
        });
        return result;
    }

    /** The wire payload of a Spring message. */
    public byte[] toIpcPayload(Message<?> message) {
        Object payload = message.getPayload();
        if (payload instanceof byte[] bytes) {
            return bytes;
        }
        if (payload instanceof String text) {
            return text.getBytes(StandardCharsets.UTF_8);
        }
        throw new MessageConversionException(message, "Cannot send a payload of type "
                + payload.getClass().getName() + " as is: IPC messages carry bytes. Use "
                + "convertAndSend / convertSendAndReceive to convert it, or send a byte[]");
    }

    /** The wire message for a Spring message. */
    public IpcMessage toIpcMessage(Message<?> message) {
        Map<String, String> headers = toIpcHeaders(message.getHeaders());
        if (message.getPayload() instanceof String && !headers.containsKey(IpcHeaders.CONTENT_TYPE)) {
            headers.put(IpcHeaders.CONTENT_TYPE, "text/plain;charset=UTF-8");
        }
        return IpcMessage.of(headers, toIpcPayload(message));
    }

    /**
     * The Spring message for a received wire message.
     *
     * @param channelName the channel it came from
     * @param deliveryAttempt the delivery attempt to report; {@code <= 0} to leave it out
     */
    public Message<byte[]> toMessage(IpcMessage message, String channelName, int deliveryAttempt) {
        return toMessage(message, channelName, deliveryAttempt, null);
    }

    /**
     * The Spring message for a message received by a listener: an {@link IpcReceivedMessage},
     * whose headers are built when first asked for.
     *
     * @param channelName the channel it came from
     * @param deliveryAttempt the delivery attempt to report; {@code <= 0} to leave it out
     * @param listenerId the id of the receiving listener, or {@code null}
     */
    public Message<byte[]> toMessage(IpcMessage message, String channelName, int deliveryAttempt,
            String listenerId) {
        return new IpcReceivedMessage(this, message, channelName, deliveryAttempt, listenerId);
    }

    /** The Spring headers of a received message, built when an {@link IpcReceivedMessage} is first asked for them. */
    MessageHeaders headersOf(IpcMessage message, String channelName, int deliveryAttempt, String listenerId) {
        Map<String, String> wire = message.headers();
        // built directly (no MessageBuilder): this runs once per received message
        Map<String, Object> headers = new HashMap<>(capacityFor(wire.size() + 3));
        wire.forEach((name, value) -> {
            if (MessageHeaders.ID.equals(name) || MessageHeaders.TIMESTAMP.equals(name)) {
                // Spring sets these itself; a peer's value (e.g. from Python) must not break delivery
                if (logger.isDebugEnabled()) {
                    logger.debug("Ignoring received header '" + name + "': it is set by Spring on receipt");
                }
                return;
            }
            headers.put(name, value);
        });
        if (listenerId != null) {
            headers.put(IpcHeaders.LISTENER_ID, listenerId);
        }
        if (channelName != null) {
            headers.put(IpcHeaders.CHANNEL, channelName);
        }
        if (deliveryAttempt > 0) {
            headers.put(IpcHeaders.DELIVERY_ATTEMPT, deliveryAttempt);
        }
        return new IpcMessageHeaders(headers);
    }

    private static int capacityFor(int entries) {
        return (int) (entries / 0.75f) + 1;
    }

    private static String asText(Object value) {
        if (value instanceof String text) {
            return text;
        }
        if (value instanceof Number || value instanceof Boolean || value instanceof Character
                || value instanceof Enum<?> || value instanceof MimeType || value instanceof UUID) {
            return value.toString();
        }
        if (value instanceof Duration duration) {
            return Long.toString(duration.toMillis());
        }
        return null;
    }
}

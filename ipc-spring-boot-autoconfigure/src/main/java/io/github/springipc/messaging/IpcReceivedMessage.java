package io.github.springipc.messaging;

import org.springframework.messaging.Message;
import org.springframework.messaging.MessageHeaders;

import io.github.springipc.transport.IpcMessage;

/**
 * A received message as the listener pipeline sees it: the wire message's payload, and Spring
 * {@link MessageHeaders} made from its headers when first asked for.
 *
 * <p>Why lazily: a listener method that takes only the converted payload never looks at the
 * headers, and building them (two maps, an id and a clock read) cost about as much as the rest
 * of the pipeline around Jackson. The converter reads the content type from the
 * {@linkplain #wireHeader wire headers} instead. Once built, the headers never change: every
 * caller, on any thread, sees the same id and timestamp (the time the headers were built,
 * which for a listener is when the message was handled or failed). Like two
 * {@code GenericMessage}s with their distinct ids, two received messages are never equal.
 * Unlike {@code GenericMessage} it is not {@code Serializable}: nothing in this starter uses
 * Java serialization.
 */
public final class IpcReceivedMessage implements Message<byte[]> {

    private final IpcMessageMapper mapper;

    private final IpcMessage message;

    private final String channelName;

    private final int deliveryAttempt;

    private final String listenerId;

    private volatile MessageHeaders headers;

    IpcReceivedMessage(IpcMessageMapper mapper, IpcMessage message, String channelName, int deliveryAttempt,
            String listenerId) {
        this.mapper = mapper;
        this.message = message;
        this.channelName = channelName;
        this.deliveryAttempt = deliveryAttempt;
        this.listenerId = listenerId;
    }

    @Override
    public byte[] getPayload() {
        return this.message.payload();
    }

    @Override
    public MessageHeaders getHeaders() {
        MessageHeaders built = this.headers;
        if (built == null) {
            synchronized (this) {
                built = this.headers;
                if (built == null) {
                    built = this.mapper.headersOf(this.message, this.channelName, this.deliveryAttempt, this.listenerId);
                    this.headers = built;
                }
            }
        }
        return built;
    }

    /** A header as it came over the wire, without building the Spring headers; {@code null} when absent. */
    public String wireHeader(String name) {
        return this.message.header(name);
    }

    /** The wire message this message was made from. */
    public IpcMessage ipcMessage() {
        return this.message;
    }

    @Override
    public String toString() {
        return "IpcReceivedMessage [payload=byte[" + getPayload().length + "], headers=" + getHeaders() + "]";
    }
}

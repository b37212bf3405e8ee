package io.github.springipc.messaging;

import io.github.springipc.transport.IpcMessage;
import io.micrometer.observation.transport.Kind;
import io.micrometer.observation.transport.ReceiverContext;

/**
 * Observation context of one message handled by a listener container. Its carrier is the
 * received {@link IpcMessage}; tracing handlers read the sender's trace context from its headers.
 */
public class IpcReceiverContext extends ReceiverContext<IpcMessage> {

    private final String channelName;

    private final String listenerId;

    public IpcReceiverContext(String channelName, String listenerId, IpcMessage message) {
        super((carrier, key) -> carrier.header(key), Kind.CONSUMER);
        this.channelName = channelName;
        this.listenerId = listenerId;
        setCarrier(message);
        setRemoteServiceName("ipc");
    }

    /** The channel the message came from. */
    public String getChannelName() {
        return this.channelName;
    }

    /** The id of the listener handling the message. */
    public String getListenerId() {
        return this.listenerId;
    }
}

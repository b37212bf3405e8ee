package io.github.springipc.messaging;

import java.util.Map;

import io.micrometer.observation.transport.Kind;
import io.micrometer.observation.transport.SenderContext;

/**
 * Observation context of one message sent by {@link IpcTemplate}. Its carrier is the mutable
 * header map of the outgoing message, so that tracing handlers can inject the trace context
 * (for example {@code traceparent}) and the receiving process continues the trace.
 */
public class IpcSenderContext extends SenderContext<Map<String, String>> {

    private final String channelName;

    public IpcSenderContext(String channelName, Map<String, String> headers) {
        super((carrier, key, value) -> carrier.put(key, value), Kind.PRODUCER);
        this.channelName = channelName;
        setCarrier(headers);
        setRemoteServiceName("ipc");
    }

    /** The channel the message is sent to. */
    public String getChannelName() {
        return this.channelName;
    }
}

package io.github.springipc.messaging;

import org.springframework.messaging.Message;
import org.springframework.messaging.MessagingException;

/**
 * The listener that handled a request failed (after its retries) and answered with an error
 * reply instead of a result. Carries the name and message of the listener's exception; the
 * exception itself stays in the other process.
 */
public class IpcRemoteListenerException extends MessagingException {

    private static final long serialVersionUID = 1L;

    private final String channelName;

    private final String remoteExceptionClass;

    private final String remoteExceptionMessage;

    public IpcRemoteListenerException(Message<?> reply, String channelName, String remoteExceptionClass,
            String remoteExceptionMessage) {
        super(reply, "The listener on channel '" + channelName + "' failed: " + remoteExceptionClass
                + ": " + remoteExceptionMessage);
        this.channelName = channelName;
        this.remoteExceptionClass = remoteExceptionClass;
        this.remoteExceptionMessage = remoteExceptionMessage;
    }

    /** The channel the request was sent to. */
    public String getChannelName() {
        return this.channelName;
    }

    /** Class name of the listener's exception. */
    public String getRemoteExceptionClass() {
        return this.remoteExceptionClass;
    }

    /** Message of the listener's exception; may be {@code null}. */
    public String getRemoteExceptionMessage() {
        return this.remoteExceptionMessage;
    }
}

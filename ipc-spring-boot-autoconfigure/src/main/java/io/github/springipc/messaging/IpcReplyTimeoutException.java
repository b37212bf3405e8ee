package io.github.springipc.messaging;

import java.time.Duration;

import io.github.springipc.transport.IpcTimeoutException;

import org.springframework.messaging.Message;
import org.springframework.messaging.MessagingException;

/**
 * No reply came within the timeout of a request made with {@link IpcTemplate#sendAndReceive}
 * or {@link IpcTemplate#convertSendAndReceive}. The cause is the transport's
 * {@link IpcTimeoutException}.
 */
public class IpcReplyTimeoutException extends MessagingException {

    private static final long serialVersionUID = 1L;

    private final String channelName;

    private final Duration timeout;

    public IpcReplyTimeoutException(Message<?> request, String channelName, Duration timeout,
            IpcTimeoutException cause) {
        super(request, "No reply from channel '" + channelName + "' within " + timeout.toMillis()
                + " ms; is a listener running on it? Raise the timeout per call or with "
                + "IpcTemplate.setReplyTimeout (ipc.template.reply-timeout)", cause);
        this.channelName = channelName;
        this.timeout = timeout;
    }

    /** The channel the request was sent to. */
    public String getChannelName() {
        return this.channelName;
    }

    /** How long the request waited. */
    public Duration getTimeout() {
        return this.timeout;
    }
}

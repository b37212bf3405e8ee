package io.github.springipc.transport;

/** A message is larger than the channel's {@code max-message-size}. */
public class IpcMessageTooLargeException extends IpcException {

    private static final long serialVersionUID = 1L;

    public IpcMessageTooLargeException(String message) {
        super(message);
    }
}

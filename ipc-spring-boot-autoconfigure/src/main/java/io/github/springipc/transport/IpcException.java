package io.github.springipc.transport;

/**
 * Base of every error raised by the IPC transports. Messages name the channel, the file or
 * the setting to change, so that the user knows what to do.
 */
public class IpcException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public IpcException(String message) {
        super(message);
    }

    public IpcException(String message, Throwable cause) {
        super(message, cause);
    }
}

package io.github.springipc.transport;

/** The channel was closed by this process; no further operation is possible on it. */
public class IpcClosedException extends IpcException {

    private static final long serialVersionUID = 1L;

    public IpcClosedException(String message) {
        super(message);
    }
}

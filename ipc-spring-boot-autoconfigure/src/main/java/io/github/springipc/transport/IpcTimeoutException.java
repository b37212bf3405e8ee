package io.github.springipc.transport;

/**
 * An operation did not complete within its timeout: a send to a full queue or to a pipe whose
 * peer is away, or a request whose reply did not come.
 */
public class IpcTimeoutException extends IpcException {

    private static final long serialVersionUID = 1L;

    public IpcTimeoutException(String message) {
        super(message);
    }
}

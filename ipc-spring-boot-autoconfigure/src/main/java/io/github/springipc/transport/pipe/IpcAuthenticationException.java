package io.github.springipc.transport.pipe;

import io.github.springipc.transport.IpcException;

/**
 * The peer of a pipe failed authentication: a different {@code authkey}, a user that is not
 * allowed, or no answer to the challenge.
 */
public class IpcAuthenticationException extends IpcException {

    private static final long serialVersionUID = 1L;

    public IpcAuthenticationException(String message) {
        super(message);
    }
}

package io.github.springipc.transport.pipe;

import io.github.springipc.transport.IpcException;

/**
 * A third process tried to join a pipe whose two ends are already connected. A pipe has exactly
 * two ends; use a queue for more participants.
 */
public class IpcPipeOccupiedException extends IpcException {

    private static final long serialVersionUID = 1L;

    public IpcPipeOccupiedException(String message) {
        super(message);
    }
}

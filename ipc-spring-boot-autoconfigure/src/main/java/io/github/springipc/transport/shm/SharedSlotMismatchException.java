package io.github.springipc.transport.shm;

import io.github.springipc.transport.IpcException;

/**
 * A slot was asked for by a name that the region already holds with another type or length,
 * e.g. {@code longValue("hits")} where another process created {@code intValue("hits")}.
 */
public class SharedSlotMismatchException extends IpcException {

    private static final long serialVersionUID = 1L;

    public SharedSlotMismatchException(String message) {
        super(message);
    }
}

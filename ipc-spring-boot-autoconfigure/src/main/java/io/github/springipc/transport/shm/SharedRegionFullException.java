package io.github.springipc.transport.shm;

import io.github.springipc.transport.IpcException;

/**
 * A new slot does not fit: the region's data area or its directory is full. The message names
 * the region and the setting to raise.
 */
public class SharedRegionFullException extends IpcException {

    private static final long serialVersionUID = 1L;

    public SharedRegionFullException(String message) {
        super(message);
    }
}

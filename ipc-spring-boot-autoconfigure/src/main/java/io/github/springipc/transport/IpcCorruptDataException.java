package io.github.springipc.transport;

/**
 * Bytes read from a file, a region or a socket do not follow the documented layout: a wrong
 * magic or version, a size that does not match the configuration, a truncated or garbage frame.
 */
public class IpcCorruptDataException extends IpcException {

    private static final long serialVersionUID = 1L;

    public IpcCorruptDataException(String message) {
        super(message);
    }

    public IpcCorruptDataException(String message, Throwable cause) {
        super(message, cause);
    }
}

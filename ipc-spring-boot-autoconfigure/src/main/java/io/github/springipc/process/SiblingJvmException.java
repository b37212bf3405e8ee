package io.github.springipc.process;

/** A sibling JVM did not start, did not become ready in time, or exited unexpectedly. */
public class SiblingJvmException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public SiblingJvmException(String message) {
        super(message);
    }

    public SiblingJvmException(String message, Throwable cause) {
        super(message, cause);
    }
}

package io.github.springipc.autoconfigure;

/**
 * An {@code ipc.*} setting that can not work, found at start-up. Turned into a start-up
 * failure report naming the property by {@link InvalidIpcPropertyFailureAnalyzer}.
 */
public class InvalidIpcPropertyException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String property;

    private final transient Object value;

    private final String action;

    public InvalidIpcPropertyException(String property, Object value, String reason, String action) {
        super("Invalid IPC setting " + property + " = " + value + ": " + reason);
        this.property = property;
        this.value = value;
        this.action = action;
    }

    /** Full name of the offending property, e.g. {@code ipc.queues.jobs.capacity}. */
    public String getProperty() {
        return this.property;
    }

    /** The value it has. */
    public Object getValue() {
        return this.value;
    }

    /** What the user should do about it. */
    public String getAction() {
        return this.action;
    }
}

package io.github.springipc.messaging;

import io.github.springipc.transport.IpcMessage;

import org.springframework.messaging.MessageHeaders;

/**
 * Names of the headers the IPC messaging layer reads and writes. Use them with
 * {@code @Header}:
 *
 * <pre>{@code
 * @IpcListener("jobs")
 * void handle(Job job, @Header(IpcHeaders.DELIVERY_ATTEMPT) int attempt) { ... }
 * }</pre>
 *
 * <p>All headers travel as strings on the wire; the ones a listener sees with another type
 * (for example {@link #DELIVERY_ATTEMPT} as an {@code Integer}) are added on receipt.
 */
public final class IpcHeaders {

    /** Prefix of every header owned by this library. */
    public static final String PREFIX = "ipc_";

    /**
     * How many times the listener has been given this message, this time included (1 on the
     * first attempt; counts redeliveries by the channel and local retries). An {@code Integer}.
     */
    public static final String DELIVERY_ATTEMPT = PREFIX + "deliveryAttempt";

    /** Name of the channel the message was received from. */
    public static final String CHANNEL = PREFIX + "channel";

    /** Id of the listener that received the message. */
    public static final String LISTENER_ID = PREFIX + "listenerId";

    /** Id a request carries and its reply echoes. */
    public static final String CORRELATION_ID = IpcMessage.CORRELATION_ID;

    /** Present on a request: the sender waits for a reply. */
    public static final String REPLY_TO = IpcMessage.REPLY_TO;

    /** MIME type of the payload, for example {@code application/json}. */
    public static final String CONTENT_TYPE = MessageHeaders.CONTENT_TYPE;

    /** On a dead letter or an error reply: the class name of the listener's exception. */
    public static final String EXCEPTION_CLASS = PREFIX + "exceptionClass";

    /** On a dead letter or an error reply: the message of the listener's exception. */
    public static final String EXCEPTION_MESSAGE = PREFIX + "exceptionMessage";

    /** On a dead letter: the channel the failed message was received from. */
    public static final String ORIGINAL_CHANNEL = PREFIX + "originalChannel";

    /**
     * Per-call reply timeout for {@link IpcTemplate#sendAndReceive}, in milliseconds (a
     * {@code Number}, {@code Duration} or numeric string). Read by the template, never sent.
     */
    public static final String REPLY_TIMEOUT = PREFIX + "replyTimeout";

    private IpcHeaders() {
    }
}

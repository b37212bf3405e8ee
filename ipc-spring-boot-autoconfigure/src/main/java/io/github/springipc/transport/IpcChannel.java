package io.github.springipc.transport;

import java.time.Duration;

/**
 * A message channel between sibling processes, as the messaging layer sees it. Pipes and
 * queues implement it; {@code IpcTemplate} sends through it and listener containers receive
 * from it.
 *
 * <p>Receiving is pull-based: each container thread calls {@link #receive} and settles every
 * delivery it gets with {@link IpcDelivery#acknowledge()} or {@link IpcDelivery#release()}.
 * That keeps threading, shutdown and back-pressure in the container, and lets a queue keep a
 * message until its consumer is done with it (at-least-once).
 */
public interface IpcChannel extends AutoCloseable {

    /** The channel's configured name, as used in {@code ipc.*} and {@code @IpcListener}. */
    String name();

    /**
     * Sends one message, waiting up to {@code timeout} for room (a full queue) or for a peer
     * (a pipe whose other end is away).
     *
     * @throws IpcTimeoutException when the message could not be handed over in time; it was
     *         not sent
     * @throws IpcMessageTooLargeException when the message exceeds the channel's limit
     */
    void send(IpcMessage message, Duration timeout);

    /**
     * Sends one message, waiting up to the channel's own configured send timeout (e.g.
     * {@code ipc.queues.<name>.send-timeout}).
     *
     * @see #send(IpcMessage, Duration)
     */
    default void send(IpcMessage message) {
        send(message, sendTimeout());
    }

    /** The channel's configured send timeout, used by {@link #send(IpcMessage)}; 10 seconds unless overridden. */
    default Duration sendTimeout() {
        return Duration.ofSeconds(10);
    }

    /**
     * Sends a request and waits for its reply. The channel sets {@link IpcMessage#CORRELATION_ID}
     * and whatever routing its kind needs.
     *
     * @throws IpcTimeoutException when no reply came within {@code timeout}
     */
    IpcMessage request(IpcMessage message, Duration timeout);

    /**
     * Waits up to {@code timeout} for the next message.
     *
     * @return the delivery, which the caller must settle, or {@code null} when none came in time
     * @throws InterruptedException when the waiting thread is interrupted
     * @throws IpcClosedException when the channel is closed
     */
    IpcDelivery receive(Duration timeout) throws InterruptedException;

    /** Releases this process's resources for the channel; other processes are not affected. */
    @Override
    void close();
}

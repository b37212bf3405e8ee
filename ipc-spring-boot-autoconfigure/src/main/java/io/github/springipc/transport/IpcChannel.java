package io.github.springipc.transport;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

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

    /**
     * Waits up to {@code timeout} for the next message, then takes up to {@code maxMessages - 1}
     * more that are there already, without waiting for them. The caller must settle every
     * delivery, in order; deliveries it will not handle (e.g. on shutdown) it
     * {@linkplain IpcDelivery#release() releases}.
     *
     * <p>The default calls {@link #receive(Duration)} once with {@code timeout}, then with a zero
     * timeout until a call returns {@code null} or the list is full. A channel overrides it when
     * it can take several messages for the price of one (one claim, one lock, one read).
     *
     * <pre>{@code
     * for (IpcDelivery delivery : channel.receive(64, Duration.ofSeconds(1))) {
     *     handle(delivery.message());
     *     delivery.acknowledge();
     * }
     * }</pre>
     *
     * @param maxMessages the most deliveries to return, at least 1
     * @return the deliveries in channel order; empty (never {@code null}) when none came in time
     * @throws InterruptedException when the waiting thread is interrupted; deliveries taken
     *         before are released
     * @throws IpcClosedException when the channel is closed (deliveries taken before are
     *         released) or was closed before the call
     */
    default List<IpcDelivery> receive(int maxMessages, Duration timeout) throws InterruptedException {
        if (maxMessages < 1) {
            throw new IllegalArgumentException("maxMessages must be at least 1, not " + maxMessages);
        }
        IpcDelivery first = receive(timeout);
        if (first == null) {
            return List.of();
        }
        if (maxMessages == 1) {
            return List.of(first);
        }
        List<IpcDelivery> batch = new ArrayList<>(Math.min(maxMessages, 16));
        batch.add(first);
        try {
            while (batch.size() < maxMessages) {
                IpcDelivery next = receive(Duration.ZERO);
                if (next == null) {
                    break;
                }
                batch.add(next);
            }
        }
        catch (InterruptedException | RuntimeException ex) {
            // the caller never sees these deliveries: give them back instead of leaving them claimed
            for (IpcDelivery taken : batch) {
                try {
                    taken.release();
                }
                catch (RuntimeException releaseFailure) {
                    ex.addSuppressed(releaseFailure);
                }
            }
            throw ex;
        }
        return batch;
    }

    /** Releases this process's resources for the channel; other processes are not affected. */
    @Override
    void close();
}

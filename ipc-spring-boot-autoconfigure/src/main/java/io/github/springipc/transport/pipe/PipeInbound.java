package io.github.springipc.transport.pipe;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

import io.github.springipc.transport.IpcClosedException;

/**
 * The receiving side of a pipe: who reads the socket, and the bounded buffer of received
 * messages nobody has taken yet.
 *
 * <p>The socket is read by a <em>leader</em>: at most one thread at a time, chosen among the
 * threads that wait for something from the peer. A thread in {@code receive} that finds the
 * buffer empty becomes the leader when there is none, reads the socket itself and keeps the first
 * message for itself: no hand-off to another thread, so a ping-pong costs what a plain blocking
 * socket costs. A thread waiting for a reply or an ACK leads the same way and stops as soon as
 * what it waits for came. Anything a leader reads that is for someone else (a message while it
 * waits for a reply, a reply to another request) goes to the buffer or completes that request,
 * and wakes the waiting threads. When the leader leaves, a waiting thread takes over.
 *
 * <p>When no thread has waited for a while (a pipe only sent on, a listener that is busy), each
 * connection's background thread leads instead, so ACKs, replies and the end of the connection
 * are still seen; it hands the socket back as soon as a thread waits again.
 *
 * <p>Back-pressure: when the buffer holds {@code capacity} messages, only a thread in
 * {@code receive} (which empties it first) reads on; the socket fills and the peer's sends wait.
 */
final class PipeInbound {

    /** Decodes frames and learns about the end of a connection; implemented by the pipe. */
    interface FrameHandler {

        /**
         * Handles one frame body (valid during the call only).
         *
         * @return the delivery for {@code receive}, or {@code null} when the frame was consumed
         *         (an ACK, or a reply that completed a request)
         */
        PipeDelivery onFrame(PipeConnection connection, ByteBuffer body) throws IOException;

        /** Reading {@code connection} ended: the peer closed it, it failed, or it sent garbage. */
        void onReadEnded(PipeConnection connection, Throwable cause);
    }

    /** What {@link #drain} hands messages to; implemented by the pipe. */
    interface DrainTarget {

        /** Hands over a message a background reader had buffered (called without the lock). */
        void delivered(PipeDelivery delivery);

        /**
         * Handles the frame {@code reader} is positioned on.
         *
         * @return whether it was a message handed over (not an ACK or a reply)
         * @throws HandlerFailure wrapping what the application's handler threw
         */
        boolean frame(PipeConnection connection, FrameReader reader) throws IOException;

        /**
         * Hands over, in a tight loop, up to {@code limit} of the plain messages that follow in
         * {@code reader}'s buffer, stopping at anything else (which the next {@link #frame} call
         * handles).
         *
         * @return how many were handed over
         * @throws HandlerFailure wrapping what the application's handler threw
         */
        int plainMessages(PipeConnection connection, FrameReader reader, int limit);
    }

    /** What an application's handler threw inside {@link DrainTarget#frame}: not a read failure. */
    static final class HandlerFailure extends RuntimeException {

        private static final long serialVersionUID = 1L;

        HandlerFailure(RuntimeException cause) {
            super(cause);
        }

        RuntimeException unwrap() {
            return (RuntimeException) getCause();
        }
    }

    /** How long no thread must have waited before the background thread reads. */
    private static final long BACKGROUND_LINGER_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

    /** How often an idle background thread looks whether it should read. */
    private static final long BACKGROUND_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private final String pipeName;

    private final int capacity;

    private final FrameHandler handler;

    private final ReentrantLock lock = new ReentrantLock();

    /** Signalled when a delivery, a reply or an ACK came, or leadership or the connection changed. */
    private final Condition changed = this.lock.newCondition();

    private final Condition backgroundTurn = this.lock.newCondition();

    private final ArrayDeque<PipeDelivery> deliveries = new ArrayDeque<>();

    private PipeConnection current;

    /** The connection the leader reads, while there is one. */
    private PipeConnection leading;

    private boolean backgroundLeads;

    private boolean yieldRequested;

    /** Threads in {@link #take} or {@link #await}. */
    private int foreground;

    /** Threads sleeping on {@link #changed}. */
    private int sleepers;

    private long lastForegroundLeft = System.nanoTime();

    private boolean closed;

    PipeInbound(String pipeName, int capacity, FrameHandler handler) {
        this.pipeName = pipeName;
        this.capacity = capacity;
        this.handler = handler;
    }

    /** {@code connection} is the pipe's connection now. */
    void connected(PipeConnection connection) {
        this.lock.lock();
        try {
            this.current = connection;
            wakeAllLocked();
        }
        finally {
            this.lock.unlock();
        }
    }

    /** {@code connection} ended; waiters re-check (their request may have failed with it). */
    void disconnected(PipeConnection connection) {
        this.lock.lock();
        try {
            if (this.current == connection) {
                this.current = null;
            }
            wakeAllLocked();
        }
        finally {
            this.lock.unlock();
        }
    }

    /** Wakes every waiting thread to re-check what it waits for. */
    void wakeAll() {
        this.lock.lock();
        try {
            wakeAllLocked();
        }
        finally {
            this.lock.unlock();
        }
    }

    /**
     * The next delivery, or {@code null} after the timeout; reads the socket itself when no other
     * thread does.
     *
     * @throws IpcClosedException when the pipe is closed
     */
    PipeDelivery take(long timeoutNanos) throws InterruptedException {
        return participate(true, null, System.nanoTime() + Math.max(0, timeoutNanos));
    }

    /**
     * Waits until {@code done} holds (checked under this object's lock, after every frame and
     * every {@link #wakeAll}), reading the socket itself when no other thread does.
     *
     * @param deadline a {@link System#nanoTime()} value
     * @return whether {@code done} holds
     */
    boolean await(BooleanSupplier done, long deadline) throws InterruptedException {
        participate(false, done, deadline);
        return done.getAsBoolean();
    }

    /**
     * Run by each connection's background thread until the connection ends: reads the socket
     * whenever no thread has waited for {@value #BACKGROUND_LINGER_NANOS} ns.
     */
    void serveInBackground(PipeConnection connection) {
        this.lock.lock();
        try {
            while (!this.closed && !connection.isClosed()) {
                long now = System.nanoTime();
                long quietFor = now - this.lastForegroundLeft;
                boolean room = this.deliveries.size() < this.capacity;
                if (this.leading == null && this.foreground == 0 && quietFor >= BACKGROUND_LINGER_NANOS && room
                        && this.current == connection) {
                    this.leading = connection;
                    this.backgroundLeads = true;
                    this.yieldRequested = false;
                    try {
                        lead(connection, false, null, FrameReader.FOREVER, true);
                    }
                    finally {
                        this.leading = null;
                        this.backgroundLeads = false;
                        signalWaiters();
                    }
                    continue;
                }
                long wait = this.foreground == 0 && room ? BACKGROUND_LINGER_NANOS - quietFor : BACKGROUND_POLL_NANOS;
                this.backgroundTurn.awaitNanos(Math.max(wait, TimeUnit.MICROSECONDS.toNanos(100)));
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        finally {
            this.lock.unlock();
        }
    }

    /**
     * Hands up to {@code limit} messages to {@code target}: first what is buffered, otherwise, as
     * the leader, every message one read brought in. Waits until {@code deadline} for the first.
     *
     * @return how many messages were handed over; 0 after the deadline
     * @throws IpcClosedException when the pipe is closed
     */
    int drain(int limit, long deadline, DrainTarget target) throws InterruptedException {
        this.lock.lock();
        this.foreground++;
        try {
            while (true) {
                if (this.closed) {
                    throw new IpcClosedException("Pipe '" + this.pipeName + "' is closed");
                }
                if (!this.deliveries.isEmpty()) {
                    return drainBuffered(limit, target);
                }
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    return 0;
                }
                PipeConnection connection = this.current;
                if (this.leading == null && connection != null && !connection.isClosed()) {
                    int handed = leadDrain(connection, limit, deadline, target);
                    if (handed > 0) {
                        return handed;
                    }
                    continue;
                }
                awaitChange(remaining);
            }
        }
        finally {
            leaveForeground();
        }
    }

    private int drainBuffered(int limit, DrainTarget target) {
        int handed = 0;
        try {
            while (handed < limit) {
                PipeDelivery delivery = this.deliveries.pollFirst();
                if (delivery == null) {
                    break;
                }
                delivery.connection().buffered--;
                handed++;
                this.lock.unlock();
                try {
                    target.delivered(delivery);
                }
                finally {
                    this.lock.lock();
                }
            }
        }
        finally {
            signalWaiters(); // a leader may wait for room
        }
        return handed;
    }

    /** Reads as the leader (lock held on entry and exit, released around the I/O). */
    private int leadDrain(PipeConnection connection, int limit, long deadline, DrainTarget target)
            throws InterruptedException {
        this.leading = connection;
        int handed = 0;
        boolean interrupted = false;
        RuntimeException handlerFailure = null;
        this.lock.unlock();
        try {
            FrameReader reader = connection.reader;
            if (reader.advance(deadline, true)) {
                do {
                    if (target.frame(connection, reader)) {
                        handed++;
                    }
                    if (handed < limit) {
                        handed += target.plainMessages(connection, reader, limit - handed);
                    }
                }
                while (handed < limit && reader.advanceBuffered());
            }
        }
        catch (HandlerFailure ex) {
            handlerFailure = ex.unwrap();
        }
        catch (InterruptedIOException ex) {
            interrupted = true;
        }
        catch (IOException | RuntimeException ex) {
            this.handler.onReadEnded(connection, ex);
        }
        finally {
            this.lock.lock();
            this.leading = null;
            signalWaiters(); // replies or ACKs may have come; someone may take over the reading
        }
        if (interrupted) {
            throw new InterruptedException("interrupted while reading pipe '" + this.pipeName + "'");
        }
        if (handlerFailure != null) {
            throw handlerFailure;
        }
        return handed;
    }

    /** Puts a released delivery back at the head, over capacity if need be. */
    void pushBack(PipeDelivery delivery) {
        this.lock.lock();
        try {
            this.deliveries.addFirst(delivery);
            delivery.connection().buffered++;
            signalWaiters();
        }
        finally {
            this.lock.unlock();
        }
    }

    /** Whether the connection has nothing left in the buffer. */
    boolean isDrained(PipeConnection connection) {
        this.lock.lock();
        try {
            return connection.buffered == 0;
        }
        finally {
            this.lock.unlock();
        }
    }

    int size() {
        this.lock.lock();
        try {
            return this.deliveries.size();
        }
        finally {
            this.lock.unlock();
        }
    }

    void close() {
        this.lock.lock();
        try {
            this.closed = true;
            if (this.leading != null) {
                this.leading.reader.wakeup();
            }
            wakeAllLocked();
        }
        finally {
            this.lock.unlock();
        }
    }

    // ---------------------------------------------------------------- internals

    private PipeDelivery participate(boolean receiving, BooleanSupplier done, long deadline)
            throws InterruptedException {
        this.lock.lock();
        this.foreground++;
        try {
            while (true) {
                if (receiving) {
                    if (this.closed) {
                        throw new IpcClosedException("Pipe '" + this.pipeName + "' is closed");
                    }
                    PipeDelivery delivery = this.deliveries.pollFirst();
                    if (delivery != null) {
                        delivery.connection().buffered--;
                        signalWaiters(); // a leader may wait for room
                        return delivery;
                    }
                }
                else if (this.closed || done.getAsBoolean()) {
                    return null;
                }
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    return null;
                }
                PipeConnection connection = this.current;
                if (this.leading == null && connection != null && !connection.isClosed()
                        && (receiving || this.deliveries.size() < this.capacity)) {
                    this.leading = connection;
                    try {
                        PipeDelivery delivery = lead(connection, receiving, done, deadline, false);
                        if (delivery != null) {
                            return delivery;
                        }
                    }
                    finally {
                        this.leading = null;
                        signalWaiters();
                    }
                    continue;
                }
                awaitChange(remaining);
            }
        }
        finally {
            leaveForeground();
        }
    }

    /**
     * Reads frames as the leader (lock held on entry and exit, released around the I/O) until
     * the caller has what it waits for, must give way, or the deadline passed.
     *
     * @return a delivery for a receiving caller; otherwise {@code null}
     */
    private PipeDelivery lead(PipeConnection connection, boolean receiving, BooleanSupplier done, long deadline,
            boolean background) throws InterruptedException {
        while (true) {
            if (this.closed || connection.isClosed()) {
                return null;
            }
            if (receiving ? !this.deliveries.isEmpty() : (done != null && done.getAsBoolean())) {
                return null;
            }
            if (!receiving && this.deliveries.size() >= this.capacity) {
                return null; // back-pressure: the socket stays unread until a receiver makes room
            }
            if (background ? this.foreground > 0 : System.nanoTime() - deadline >= 0) {
                return null;
            }
            ByteBuffer body = null;
            PipeDelivery delivery = null;
            boolean interrupted = false;
            this.lock.unlock();
            try {
                body = connection.reader.next(deadline, !background); // a waiting thread polls first
                if (body != null) {
                    delivery = this.handler.onFrame(connection, body);
                }
            }
            catch (InterruptedIOException ex) {
                interrupted = true;
            }
            catch (IOException | RuntimeException ex) {
                this.handler.onReadEnded(connection, ex);
                body = null;
            }
            finally {
                this.lock.lock();
            }
            if (interrupted) {
                throw new InterruptedException("interrupted while reading pipe '" + this.pipeName + "'");
            }
            if (delivery != null) {
                if (receiving) {
                    return delivery;
                }
                this.deliveries.addLast(delivery);
                delivery.connection().buffered++;
                signalWaiters();
            }
            else if (body != null) {
                signalWaiters(); // a reply or an ACK: someone may wait for it
            }
        }
    }

    private void signalWaiters() {
        if (this.sleepers > 0) {
            this.changed.signalAll();
        }
    }

    private void wakeAllLocked() {
        this.changed.signalAll();
        this.backgroundTurn.signalAll();
    }

    /**
     * Sleeps until the reading state changes, first asking a background reader to hand the
     * socket to this waiting thread. Call with the lock held.
     */
    private void awaitChange(long remainingNanos) throws InterruptedException {
        if (this.backgroundLeads && !this.yieldRequested) {
            this.yieldRequested = true;
            this.leading.reader.wakeup();
        }
        this.sleepers++;
        try {
            this.changed.awaitNanos(remainingNanos);
        }
        finally {
            this.sleepers--;
        }
    }

    /** Ends a foreground (receiving) thread's turn and releases the lock. */
    private void leaveForeground() {
        if (--this.foreground == 0) {
            this.lastForegroundLeft = System.nanoTime();
        }
        this.lock.unlock();
    }
}

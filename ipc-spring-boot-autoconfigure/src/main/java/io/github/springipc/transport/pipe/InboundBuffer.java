package io.github.springipc.transport.pipe;

import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import io.github.springipc.transport.IpcClosedException;

/**
 * Received messages waiting for {@code receive}. Bounded: when full, the reader waits in
 * {@link #put}, stops reading the socket, and the peer's writes block: back-pressure, never a
 * drop.
 */
final class InboundBuffer {

    private final ArrayDeque<PipeDelivery> deliveries = new ArrayDeque<>();

    private final int capacity;

    private final ReentrantLock lock = new ReentrantLock();

    private final Condition notEmpty = this.lock.newCondition();

    private final Condition notFull = this.lock.newCondition();

    private final String pipeName;

    private boolean closed;

    InboundBuffer(String pipeName, int capacity) {
        this.pipeName = pipeName;
        this.capacity = capacity;
    }

    /**
     * Adds a delivery, waiting for room.
     *
     * @return false when the pipe or the delivery's connection closed while waiting
     */
    boolean put(PipeDelivery delivery) throws InterruptedException {
        this.lock.lock();
        try {
            while (this.deliveries.size() >= this.capacity) {
                if (this.closed || delivery.connection().isClosed()) {
                    return false;
                }
                this.notFull.await(100, TimeUnit.MILLISECONDS);
            }
            if (this.closed) {
                return false;
            }
            this.deliveries.addLast(delivery);
            delivery.connection().buffered++;
            this.notEmpty.signal();
            return true;
        }
        finally {
            this.lock.unlock();
        }
    }

    /** Puts a released delivery back at the head, over capacity if need be. */
    void pushBack(PipeDelivery delivery) {
        this.lock.lock();
        try {
            this.deliveries.addFirst(delivery);
            delivery.connection().buffered++;
            this.notEmpty.signal();
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

    /** The next delivery, or {@code null} after the timeout. */
    PipeDelivery take(long timeoutNanos) throws InterruptedException {
        this.lock.lock();
        try {
            long remaining = timeoutNanos;
            while (this.deliveries.isEmpty()) {
                if (this.closed) {
                    throw new IpcClosedException("Pipe '" + this.pipeName + "' is closed");
                }
                if (remaining <= 0) {
                    return null;
                }
                remaining = this.notEmpty.awaitNanos(remaining);
            }
            if (this.closed) {
                throw new IpcClosedException("Pipe '" + this.pipeName + "' is closed");
            }
            PipeDelivery delivery = this.deliveries.pollFirst();
            delivery.connection().buffered--;
            this.notFull.signal();
            return delivery;
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
            this.notEmpty.signalAll();
            this.notFull.signalAll();
        }
        finally {
            this.lock.unlock();
        }
    }
}

package io.github.springipc.transport.shm;

import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.function.LongBinaryOperator;
import java.util.function.LongUnaryOperator;

/**
 * {@code long} elements in a shared-memory region that every process sees, used like
 * {@link java.util.concurrent.atomic.AtomicLongArray}: each element is updated atomically
 * across processes. Indexes are checked against {@link #length()}.
 *
 * <pre>{@code
 * SharedLongArray perWorker = region.longArray("requests", 8);
 * perWorker.incrementAndGet(workerId);
 * }</pre>
 *
 * <p>No method allocates. Obtain instances from {@link IpcSharedMemory#longArray(String, int)}.
 */
public final class SharedLongArray {

    private final String name;

    private final ByteBuffer buffer;

    private final int offset;

    private final int length;

    SharedLongArray(String name, ByteBuffer buffer, int offset, int length) {
        this.name = name;
        this.buffer = buffer;
        this.offset = offset;
        this.length = length;
    }

    /** The slot's name. */
    public String name() {
        return this.name;
    }

    /** The number of elements. */
    public int length() {
        return this.length;
    }

    private int at(int i) {
        return this.offset + (Objects.checkIndex(i, this.length) << 3);
    }

    public long get(int i) {
        return (long) SharedAccess.LONG.getVolatile(this.buffer, at(i));
    }

    public void set(int i, long newValue) {
        SharedAccess.LONG.setVolatile(this.buffer, at(i), newValue);
    }

    public long getPlain(int i) {
        return (long) SharedAccess.LONG.get(this.buffer, at(i));
    }

    public void setPlain(int i, long newValue) {
        SharedAccess.LONG.set(this.buffer, at(i), newValue);
    }

    public long getAcquire(int i) {
        return (long) SharedAccess.LONG.getAcquire(this.buffer, at(i));
    }

    public void setRelease(int i, long newValue) {
        SharedAccess.LONG.setRelease(this.buffer, at(i), newValue);
    }

    public long getAndSet(int i, long newValue) {
        return (long) SharedAccess.LONG.getAndSet(this.buffer, at(i), newValue);
    }

    public boolean compareAndSet(int i, long expectedValue, long newValue) {
        return SharedAccess.LONG.compareAndSet(this.buffer, at(i), expectedValue, newValue);
    }

    public long compareAndExchange(int i, long expectedValue, long newValue) {
        return (long) SharedAccess.LONG.compareAndExchange(this.buffer, at(i), expectedValue, newValue);
    }

    public long getAndAdd(int i, long delta) {
        return (long) SharedAccess.LONG.getAndAdd(this.buffer, at(i), delta);
    }

    public long addAndGet(int i, long delta) {
        return (long) SharedAccess.LONG.getAndAdd(this.buffer, at(i), delta) + delta;
    }

    public long getAndIncrement(int i) {
        return getAndAdd(i, 1);
    }

    public long getAndDecrement(int i) {
        return getAndAdd(i, -1);
    }

    public long incrementAndGet(int i) {
        return addAndGet(i, 1);
    }

    public long decrementAndGet(int i) {
        return addAndGet(i, -1);
    }

    public long getAndUpdate(int i, LongUnaryOperator update) {
        int at = at(i);
        long prev = (long) SharedAccess.LONG.getVolatile(this.buffer, at);
        while (true) {
            long next = update.applyAsLong(prev);
            long found = (long) SharedAccess.LONG.compareAndExchange(this.buffer, at, prev, next);
            if (found == prev) {
                return prev;
            }
            prev = found;
        }
    }

    public long updateAndGet(int i, LongUnaryOperator update) {
        int at = at(i);
        long prev = (long) SharedAccess.LONG.getVolatile(this.buffer, at);
        while (true) {
            long next = update.applyAsLong(prev);
            long found = (long) SharedAccess.LONG.compareAndExchange(this.buffer, at, prev, next);
            if (found == prev) {
                return next;
            }
            prev = found;
        }
    }

    public long getAndAccumulate(int i, long x, LongBinaryOperator accumulator) {
        int at = at(i);
        long prev = (long) SharedAccess.LONG.getVolatile(this.buffer, at);
        while (true) {
            long next = accumulator.applyAsLong(prev, x);
            long found = (long) SharedAccess.LONG.compareAndExchange(this.buffer, at, prev, next);
            if (found == prev) {
                return prev;
            }
            prev = found;
        }
    }

    public long accumulateAndGet(int i, long x, LongBinaryOperator accumulator) {
        int at = at(i);
        long prev = (long) SharedAccess.LONG.getVolatile(this.buffer, at);
        while (true) {
            long next = accumulator.applyAsLong(prev, x);
            long found = (long) SharedAccess.LONG.compareAndExchange(this.buffer, at, prev, next);
            if (found == prev) {
                return next;
            }
            prev = found;
        }
    }

    /** The elements, each read with volatile semantics (the array as a whole is not a snapshot). */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("[");
        for (int i = 0; i < this.length; i++) {
            text.append(i == 0 ? "" : ", ").append(get(i));
        }
        return text.append(']').toString();
    }
}

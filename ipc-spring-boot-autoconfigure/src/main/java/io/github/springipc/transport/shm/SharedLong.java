package io.github.springipc.transport.shm;

import java.nio.ByteBuffer;
import java.util.function.LongBinaryOperator;
import java.util.function.LongUnaryOperator;

/**
 * A {@code long} in a shared-memory region that every process sees, used like
 * {@link java.util.concurrent.atomic.AtomicLong}: all updates are atomic across processes.
 *
 * <pre>{@code
 * SharedLong hits = region.longValue("hits");
 * hits.incrementAndGet();
 * }</pre>
 *
 * <p>{@code get}/{@code set} are volatile; {@code getAcquire}/{@code setRelease} and
 * {@code getPlain}/{@code setPlain} are the weaker modes of {@code AtomicLong}. No method
 * allocates. Obtain instances from {@link IpcSharedMemory#longValue(String)}.
 */
public final class SharedLong {

    private final String name;

    private final ByteBuffer buffer;

    private final int offset;

    SharedLong(String name, ByteBuffer buffer, int offset) {
        this.name = name;
        this.buffer = buffer;
        this.offset = offset;
    }

    /** The slot's name. */
    public String name() {
        return this.name;
    }

    public long get() {
        return (long) SharedAccess.LONG.getVolatile(this.buffer, this.offset);
    }

    public void set(long newValue) {
        SharedAccess.LONG.setVolatile(this.buffer, this.offset, newValue);
    }

    public long getPlain() {
        return (long) SharedAccess.LONG.get(this.buffer, this.offset);
    }

    public void setPlain(long newValue) {
        SharedAccess.LONG.set(this.buffer, this.offset, newValue);
    }

    public long getAcquire() {
        return (long) SharedAccess.LONG.getAcquire(this.buffer, this.offset);
    }

    public void setRelease(long newValue) {
        SharedAccess.LONG.setRelease(this.buffer, this.offset, newValue);
    }

    /** Same as {@link #setRelease}, named as in {@code AtomicLong}. */
    public void lazySet(long newValue) {
        setRelease(newValue);
    }

    public long getAndSet(long newValue) {
        return (long) SharedAccess.LONG.getAndSet(this.buffer, this.offset, newValue);
    }

    public boolean compareAndSet(long expectedValue, long newValue) {
        return SharedAccess.LONG.compareAndSet(this.buffer, this.offset, expectedValue, newValue);
    }

    /** Like {@link #compareAndSet}, returning the value found instead of a success flag. */
    public long compareAndExchange(long expectedValue, long newValue) {
        return (long) SharedAccess.LONG.compareAndExchange(this.buffer, this.offset, expectedValue, newValue);
    }

    public long getAndAdd(long delta) {
        return (long) SharedAccess.LONG.getAndAdd(this.buffer, this.offset, delta);
    }

    public long addAndGet(long delta) {
        return (long) SharedAccess.LONG.getAndAdd(this.buffer, this.offset, delta) + delta;
    }

    public long getAndIncrement() {
        return getAndAdd(1);
    }

    public long getAndDecrement() {
        return getAndAdd(-1);
    }

    public long incrementAndGet() {
        return addAndGet(1);
    }

    public long decrementAndGet() {
        return addAndGet(-1);
    }

    /** Applies {@code update} atomically (retrying on contention, so it must be free of side effects). */
    public long getAndUpdate(LongUnaryOperator update) {
        long prev = get();
        while (true) {
            long next = update.applyAsLong(prev);
            long found = compareAndExchange(prev, next);
            if (found == prev) {
                return prev;
            }
            prev = found;
        }
    }

    public long updateAndGet(LongUnaryOperator update) {
        long prev = get();
        while (true) {
            long next = update.applyAsLong(prev);
            long found = compareAndExchange(prev, next);
            if (found == prev) {
                return next;
            }
            prev = found;
        }
    }

    public long getAndAccumulate(long x, LongBinaryOperator accumulator) {
        long prev = get();
        while (true) {
            long next = accumulator.applyAsLong(prev, x);
            long found = compareAndExchange(prev, next);
            if (found == prev) {
                return prev;
            }
            prev = found;
        }
    }

    public long accumulateAndGet(long x, LongBinaryOperator accumulator) {
        long prev = get();
        while (true) {
            long next = accumulator.applyAsLong(prev, x);
            long found = compareAndExchange(prev, next);
            if (found == prev) {
                return next;
            }
            prev = found;
        }
    }

    @Override
    public String toString() {
        return Long.toString(get());
    }
}

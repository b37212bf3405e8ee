package io.github.springipc.transport.shm;

import java.nio.ByteBuffer;
import java.util.function.IntBinaryOperator;
import java.util.function.IntUnaryOperator;

/**
 * An {@code int} in a shared-memory region that every process sees, used like
 * {@link java.util.concurrent.atomic.AtomicInteger}: all updates are atomic across processes.
 *
 * <pre>{@code
 * SharedInt hits = region.intValue("hits");
 * hits.incrementAndGet();
 * }</pre>
 *
 * <p>{@code get}/{@code set} are volatile; {@code getAcquire}/{@code setRelease} and
 * {@code getPlain}/{@code setPlain} are the weaker modes of {@code AtomicInteger}. No method
 * allocates. Obtain instances from {@link IpcSharedMemory#intValue(String)}.
 */
public final class SharedInt {

    private final String name;

    private final ByteBuffer buffer;

    private final int offset;

    SharedInt(String name, ByteBuffer buffer, int offset) {
        this.name = name;
        this.buffer = buffer;
        this.offset = offset;
    }

    /** The slot's name. */
    public String name() {
        return this.name;
    }

    public int get() {
        return (int) SharedAccess.INT.getVolatile(this.buffer, this.offset);
    }

    public void set(int newValue) {
        SharedAccess.INT.setVolatile(this.buffer, this.offset, newValue);
    }

    public int getPlain() {
        return (int) SharedAccess.INT.get(this.buffer, this.offset);
    }

    public void setPlain(int newValue) {
        SharedAccess.INT.set(this.buffer, this.offset, newValue);
    }

    public int getAcquire() {
        return (int) SharedAccess.INT.getAcquire(this.buffer, this.offset);
    }

    public void setRelease(int newValue) {
        SharedAccess.INT.setRelease(this.buffer, this.offset, newValue);
    }

    /** Same as {@link #setRelease}, named as in {@code AtomicInteger}. */
    public void lazySet(int newValue) {
        setRelease(newValue);
    }

    public int getAndSet(int newValue) {
        return (int) SharedAccess.INT.getAndSet(this.buffer, this.offset, newValue);
    }

    public boolean compareAndSet(int expectedValue, int newValue) {
        return SharedAccess.INT.compareAndSet(this.buffer, this.offset, expectedValue, newValue);
    }

    /** Like {@link #compareAndSet}, returning the value found instead of a success flag. */
    public int compareAndExchange(int expectedValue, int newValue) {
        return (int) SharedAccess.INT.compareAndExchange(this.buffer, this.offset, expectedValue, newValue);
    }

    public int getAndAdd(int delta) {
        return (int) SharedAccess.INT.getAndAdd(this.buffer, this.offset, delta);
    }

    public int addAndGet(int delta) {
        return (int) SharedAccess.INT.getAndAdd(this.buffer, this.offset, delta) + delta;
    }

    public int getAndIncrement() {
        return getAndAdd(1);
    }

    public int getAndDecrement() {
        return getAndAdd(-1);
    }

    public int incrementAndGet() {
        return addAndGet(1);
    }

    public int decrementAndGet() {
        return addAndGet(-1);
    }

    /** Applies {@code update} atomically (retrying on contention, so it must be free of side effects). */
    public int getAndUpdate(IntUnaryOperator update) {
        int prev = get();
        while (true) {
            int next = update.applyAsInt(prev);
            int found = compareAndExchange(prev, next);
            if (found == prev) {
                return prev;
            }
            prev = found;
        }
    }

    public int updateAndGet(IntUnaryOperator update) {
        int prev = get();
        while (true) {
            int next = update.applyAsInt(prev);
            int found = compareAndExchange(prev, next);
            if (found == prev) {
                return next;
            }
            prev = found;
        }
    }

    public int getAndAccumulate(int x, IntBinaryOperator accumulator) {
        int prev = get();
        while (true) {
            int next = accumulator.applyAsInt(prev, x);
            int found = compareAndExchange(prev, next);
            if (found == prev) {
                return prev;
            }
            prev = found;
        }
    }

    public int accumulateAndGet(int x, IntBinaryOperator accumulator) {
        int prev = get();
        while (true) {
            int next = accumulator.applyAsInt(prev, x);
            int found = compareAndExchange(prev, next);
            if (found == prev) {
                return next;
            }
            prev = found;
        }
    }

    @Override
    public String toString() {
        return Integer.toString(get());
    }
}

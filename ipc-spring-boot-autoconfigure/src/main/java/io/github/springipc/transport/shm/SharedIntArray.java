package io.github.springipc.transport.shm;

import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.function.IntBinaryOperator;
import java.util.function.IntUnaryOperator;

/**
 * {@code int} elements in a shared-memory region that every process sees, used like
 * {@link java.util.concurrent.atomic.AtomicIntegerArray}: each element is updated atomically
 * across processes. Indexes are checked against {@link #length()}.
 *
 * <pre>{@code
 * SharedIntArray perWorker = region.intArray("requests", 8);
 * perWorker.incrementAndGet(workerId);
 * }</pre>
 *
 * <p>No method allocates. Obtain instances from {@link IpcSharedMemory#intArray(String, int)}.
 */
public final class SharedIntArray {

    private final String name;

    private final ByteBuffer buffer;

    private final int offset;

    private final int length;

    SharedIntArray(String name, ByteBuffer buffer, int offset, int length) {
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
        return this.offset + (Objects.checkIndex(i, this.length) << 2);
    }

    public int get(int i) {
        return (int) SharedAccess.INT.getVolatile(this.buffer, at(i));
    }

    public void set(int i, int newValue) {
        SharedAccess.INT.setVolatile(this.buffer, at(i), newValue);
    }

    public int getPlain(int i) {
        return (int) SharedAccess.INT.get(this.buffer, at(i));
    }

    public void setPlain(int i, int newValue) {
        SharedAccess.INT.set(this.buffer, at(i), newValue);
    }

    public int getAcquire(int i) {
        return (int) SharedAccess.INT.getAcquire(this.buffer, at(i));
    }

    public void setRelease(int i, int newValue) {
        SharedAccess.INT.setRelease(this.buffer, at(i), newValue);
    }

    public int getAndSet(int i, int newValue) {
        return (int) SharedAccess.INT.getAndSet(this.buffer, at(i), newValue);
    }

    public boolean compareAndSet(int i, int expectedValue, int newValue) {
        return SharedAccess.INT.compareAndSet(this.buffer, at(i), expectedValue, newValue);
    }

    public int compareAndExchange(int i, int expectedValue, int newValue) {
        return (int) SharedAccess.INT.compareAndExchange(this.buffer, at(i), expectedValue, newValue);
    }

    public int getAndAdd(int i, int delta) {
        return (int) SharedAccess.INT.getAndAdd(this.buffer, at(i), delta);
    }

    public int addAndGet(int i, int delta) {
        return (int) SharedAccess.INT.getAndAdd(this.buffer, at(i), delta) + delta;
    }

    public int getAndIncrement(int i) {
        return getAndAdd(i, 1);
    }

    public int getAndDecrement(int i) {
        return getAndAdd(i, -1);
    }

    public int incrementAndGet(int i) {
        return addAndGet(i, 1);
    }

    public int decrementAndGet(int i) {
        return addAndGet(i, -1);
    }

    public int getAndUpdate(int i, IntUnaryOperator update) {
        int at = at(i);
        int prev = (int) SharedAccess.INT.getVolatile(this.buffer, at);
        while (true) {
            int next = update.applyAsInt(prev);
            int found = (int) SharedAccess.INT.compareAndExchange(this.buffer, at, prev, next);
            if (found == prev) {
                return prev;
            }
            prev = found;
        }
    }

    public int updateAndGet(int i, IntUnaryOperator update) {
        int at = at(i);
        int prev = (int) SharedAccess.INT.getVolatile(this.buffer, at);
        while (true) {
            int next = update.applyAsInt(prev);
            int found = (int) SharedAccess.INT.compareAndExchange(this.buffer, at, prev, next);
            if (found == prev) {
                return next;
            }
            prev = found;
        }
    }

    public int getAndAccumulate(int i, int x, IntBinaryOperator accumulator) {
        int at = at(i);
        int prev = (int) SharedAccess.INT.getVolatile(this.buffer, at);
        while (true) {
            int next = accumulator.applyAsInt(prev, x);
            int found = (int) SharedAccess.INT.compareAndExchange(this.buffer, at, prev, next);
            if (found == prev) {
                return prev;
            }
            prev = found;
        }
    }

    public int accumulateAndGet(int i, int x, IntBinaryOperator accumulator) {
        int at = at(i);
        int prev = (int) SharedAccess.INT.getVolatile(this.buffer, at);
        while (true) {
            int next = accumulator.applyAsInt(prev, x);
            int found = (int) SharedAccess.INT.compareAndExchange(this.buffer, at, prev, next);
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

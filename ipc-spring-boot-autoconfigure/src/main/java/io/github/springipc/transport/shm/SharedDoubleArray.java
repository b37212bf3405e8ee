package io.github.springipc.transport.shm;

import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

/**
 * {@code double} elements in a shared-memory region that every process sees, each with the
 * atomic operations of {@link SharedDouble}. Elements are stored as IEEE 754 bits, little-endian
 * u64; {@link #compareAndSet} compares bit patterns. Indexes are checked against {@link #length()}.
 *
 * <pre>{@code
 * SharedDoubleArray load = region.doubleArray("load", 8);
 * load.set(workerId, 0.75);
 * }</pre>
 *
 * <p>No method allocates. Obtain instances from {@link IpcSharedMemory#doubleArray(String, int)}.
 */
public final class SharedDoubleArray {

    private final String name;

    private final ByteBuffer buffer;

    private final int offset;

    private final int length;

    SharedDoubleArray(String name, ByteBuffer buffer, int offset, int length) {
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

    private static long bits(double value) {
        return Double.doubleToRawLongBits(value);
    }

    private static double value(long bits) {
        return Double.longBitsToDouble(bits);
    }

    public double get(int i) {
        return value((long) SharedAccess.LONG.getVolatile(this.buffer, at(i)));
    }

    public void set(int i, double newValue) {
        SharedAccess.LONG.setVolatile(this.buffer, at(i), bits(newValue));
    }

    public double getPlain(int i) {
        return value((long) SharedAccess.LONG.get(this.buffer, at(i)));
    }

    public void setPlain(int i, double newValue) {
        SharedAccess.LONG.set(this.buffer, at(i), bits(newValue));
    }

    public double getAcquire(int i) {
        return value((long) SharedAccess.LONG.getAcquire(this.buffer, at(i)));
    }

    public void setRelease(int i, double newValue) {
        SharedAccess.LONG.setRelease(this.buffer, at(i), bits(newValue));
    }

    public double getAndSet(int i, double newValue) {
        return value((long) SharedAccess.LONG.getAndSet(this.buffer, at(i), bits(newValue)));
    }

    public boolean compareAndSet(int i, double expectedValue, double newValue) {
        return SharedAccess.LONG.compareAndSet(this.buffer, at(i), bits(expectedValue), bits(newValue));
    }

    public double getAndAdd(int i, double delta) {
        return getAndAccumulate(i, delta, Double::sum);
    }

    public double addAndGet(int i, double delta) {
        return accumulateAndGet(i, delta, Double::sum);
    }

    public double getAndUpdate(int i, DoubleUnaryOperator update) {
        int at = at(i);
        long prev = (long) SharedAccess.LONG.getVolatile(this.buffer, at);
        while (true) {
            long next = bits(update.applyAsDouble(value(prev)));
            long found = (long) SharedAccess.LONG.compareAndExchange(this.buffer, at, prev, next);
            if (found == prev) {
                return value(prev);
            }
            prev = found;
        }
    }

    public double updateAndGet(int i, DoubleUnaryOperator update) {
        int at = at(i);
        long prev = (long) SharedAccess.LONG.getVolatile(this.buffer, at);
        while (true) {
            double next = update.applyAsDouble(value(prev));
            long found = (long) SharedAccess.LONG.compareAndExchange(this.buffer, at, prev, bits(next));
            if (found == prev) {
                return next;
            }
            prev = found;
        }
    }

    public double getAndAccumulate(int i, double x, DoubleBinaryOperator accumulator) {
        int at = at(i);
        long prev = (long) SharedAccess.LONG.getVolatile(this.buffer, at);
        while (true) {
            long next = bits(accumulator.applyAsDouble(value(prev), x));
            long found = (long) SharedAccess.LONG.compareAndExchange(this.buffer, at, prev, next);
            if (found == prev) {
                return value(prev);
            }
            prev = found;
        }
    }

    public double accumulateAndGet(int i, double x, DoubleBinaryOperator accumulator) {
        int at = at(i);
        long prev = (long) SharedAccess.LONG.getVolatile(this.buffer, at);
        while (true) {
            double next = accumulator.applyAsDouble(value(prev), x);
            long found = (long) SharedAccess.LONG.compareAndExchange(this.buffer, at, prev, bits(next));
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

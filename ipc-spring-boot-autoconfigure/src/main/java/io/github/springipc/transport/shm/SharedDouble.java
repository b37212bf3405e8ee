package io.github.springipc.transport.shm;

import java.nio.ByteBuffer;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

/**
 * A {@code double} in a shared-memory region that every process sees, with the atomic
 * operations of {@link SharedLong} that make sense for it. It is stored as the IEEE 754 bits of
 * the value ({@link Double#doubleToRawLongBits}), a little-endian u64.
 *
 * <pre>{@code
 * SharedDouble load = region.doubleValue("load");
 * load.addAndGet(0.25);
 * }</pre>
 *
 * <p>{@link #compareAndSet} compares bit patterns, not {@code ==}: {@code NaN} matches itself
 * and {@code 0.0} does not match {@code -0.0}. No method allocates.
 */
public final class SharedDouble {

    private final String name;

    private final ByteBuffer buffer;

    private final int offset;

    SharedDouble(String name, ByteBuffer buffer, int offset) {
        this.name = name;
        this.buffer = buffer;
        this.offset = offset;
    }

    /** The slot's name. */
    public String name() {
        return this.name;
    }

    private long bits() {
        return (long) SharedAccess.LONG.getVolatile(this.buffer, this.offset);
    }

    public double get() {
        return Double.longBitsToDouble(bits());
    }

    public void set(double newValue) {
        SharedAccess.LONG.setVolatile(this.buffer, this.offset, Double.doubleToRawLongBits(newValue));
    }

    public double getPlain() {
        return Double.longBitsToDouble((long) SharedAccess.LONG.get(this.buffer, this.offset));
    }

    public void setPlain(double newValue) {
        SharedAccess.LONG.set(this.buffer, this.offset, Double.doubleToRawLongBits(newValue));
    }

    public double getAcquire() {
        return Double.longBitsToDouble((long) SharedAccess.LONG.getAcquire(this.buffer, this.offset));
    }

    public void setRelease(double newValue) {
        SharedAccess.LONG.setRelease(this.buffer, this.offset, Double.doubleToRawLongBits(newValue));
    }

    public double getAndSet(double newValue) {
        return Double.longBitsToDouble(
                (long) SharedAccess.LONG.getAndSet(this.buffer, this.offset, Double.doubleToRawLongBits(newValue)));
    }

    /** Sets {@code newValue} when the current value has the bits of {@code expectedValue}. */
    public boolean compareAndSet(double expectedValue, double newValue) {
        return SharedAccess.LONG.compareAndSet(this.buffer, this.offset, Double.doubleToRawLongBits(expectedValue),
                Double.doubleToRawLongBits(newValue));
    }

    public double getAndAdd(double delta) {
        return getAndAccumulate(delta, Double::sum);
    }

    public double addAndGet(double delta) {
        return accumulateAndGet(delta, Double::sum);
    }

    public double getAndUpdate(DoubleUnaryOperator update) {
        long prev = bits();
        while (true) {
            long next = Double.doubleToRawLongBits(update.applyAsDouble(Double.longBitsToDouble(prev)));
            long found = (long) SharedAccess.LONG.compareAndExchange(this.buffer, this.offset, prev, next);
            if (found == prev) {
                return Double.longBitsToDouble(prev);
            }
            prev = found;
        }
    }

    public double updateAndGet(DoubleUnaryOperator update) {
        long prev = bits();
        while (true) {
            double next = update.applyAsDouble(Double.longBitsToDouble(prev));
            long found = (long) SharedAccess.LONG.compareAndExchange(this.buffer, this.offset, prev,
                    Double.doubleToRawLongBits(next));
            if (found == prev) {
                return next;
            }
            prev = found;
        }
    }

    public double getAndAccumulate(double x, DoubleBinaryOperator accumulator) {
        long prev = bits();
        while (true) {
            long next = Double.doubleToRawLongBits(accumulator.applyAsDouble(Double.longBitsToDouble(prev), x));
            long found = (long) SharedAccess.LONG.compareAndExchange(this.buffer, this.offset, prev, next);
            if (found == prev) {
                return Double.longBitsToDouble(prev);
            }
            prev = found;
        }
    }

    public double accumulateAndGet(double x, DoubleBinaryOperator accumulator) {
        long prev = bits();
        while (true) {
            double next = accumulator.applyAsDouble(Double.longBitsToDouble(prev), x);
            long found = (long) SharedAccess.LONG.compareAndExchange(this.buffer, this.offset, prev,
                    Double.doubleToRawLongBits(next));
            if (found == prev) {
                return next;
            }
            prev = found;
        }
    }

    @Override
    public String toString() {
        return Double.toString(get());
    }
}

package io.github.springipc.transport.queue;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * The mutual exclusion of lane 0 of an attachment's producer path (one claim intent per lane,
 * so one writing thread per lane at a time; see {@link ProducerLanes}). Unlike a JDK monitor or a
 * {@code ReentrantLock}, {@link #unlock()} is a single release store, not an atomic
 * read-modify-write.
 *
 * <p>Why: every atomic instruction is a full fence on x86, which waits until the record just
 * written has left the store buffer; with a consumer on the other core reading those cache
 * lines, the monitor's two atomics per message cost about a third of the raw one-way rate
 * (benchmark {@code queue.raw.oneway}). Taking the lock is still one compare-and-set.
 *
 * <p>The price: a release does not wake waiters (that would need a fence to see them). A waiter
 * spins, then yields, then naps and looks again, at growing intervals of at most
 * {@link #MAX_NAP_NANOS} (the OS may stretch a short nap to tens of microseconds). There is no
 * queue of waiters and no fairness, as with a monitor's barging: a thread that releases and
 * takes the lock again at once may keep winning over a napping one. The lock is held only while
 * one record (or one run of records) is written, so contended waiters almost always get it while
 * spinning or yielding. Not reentrant: a thread that asks again for the lock it holds gets an
 * {@link IllegalStateException} instead of waiting forever. Interrupts are kept for the caller,
 * as a monitor does.
 */
final class ProducerLock {

    private static final VarHandle HELD;

    static {
        try {
            HELD = MethodHandles.lookup().findVarHandle(ProducerLock.class, "held", int.class);
        }
        catch (ReflectiveOperationException ex) {
            throw new ExceptionInInitializerError(ex);
        }
    }

    /** Busy retries before a waiter yields its core. */
    private static final int SPINS = 100;

    /** Yields before a waiter naps. */
    private static final int YIELDS = 50;

    /** The first nap; each further nap doubles, up to {@link #MAX_NAP_NANOS}. */
    private static final long FIRST_NAP_NANOS = 2_000;

    /** Longest nap of a waiter between two looks at the lock. */
    static final long MAX_NAP_NANOS = 100_000;

    @SuppressWarnings("unused") // through HELD
    private volatile int held;

    /**
     * The holder, written by it after taking the lock and cleared before releasing it: a plain
     * field, read only to compare with the reading thread, which sees its own writes.
     */
    private Thread owner;

    /** Takes the lock, waiting as long as it takes; an interrupt does not end the wait. */
    void lock() {
        if (!HELD.compareAndSet(this, 0, 1)) {
            lockContended();
        }
        this.owner = Thread.currentThread();
    }

    private void lockContended() {
        if (this.owner == Thread.currentThread()) {
            throw new IllegalStateException("The queue's producer lock is not reentrant: this thread holds it already");
        }
        boolean interrupted = false;
        long nap = FIRST_NAP_NANOS;
        for (int idle = 0;; idle++) {
            // read before the CAS: failing CASes would pull the line away from the holder
            if ((int) HELD.getOpaque(this) == 0 && HELD.compareAndSet(this, 0, 1)) {
                break;
            }
            if (idle < SPINS) {
                Thread.onSpinWait();
            }
            else if (idle < SPINS + YIELDS) {
                Thread.yield();
            }
            else {
                LockSupport.parkNanos(this, nap);
                nap = Math.min(nap * 2, MAX_NAP_NANOS);
                // a pending interrupt would make every park return at once: keep it for later
                interrupted |= Thread.interrupted();
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Releases the lock; only the thread that took it may call this. */
    void unlock() {
        this.owner = null;
        HELD.setRelease(this, 0);
    }

    /** Whether some thread holds the lock now (for tests and diagnostics). */
    boolean isLocked() {
        return (int) HELD.getOpaque(this) != 0;
    }
}

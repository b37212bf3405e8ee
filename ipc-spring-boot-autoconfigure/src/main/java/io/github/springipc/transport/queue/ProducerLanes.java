package io.github.springipc.transport.queue;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * Which of an attachment's two producer lanes a thread writes through. One thread, the
 * <em>owner</em>, writes through lane 1 without any lock: the first thread that produces, or a
 * later one once the owner has ended. Every other thread takes the {@link ProducerLock} and
 * writes through lane 0. A process with one producing thread (the common case, and every
 * benchmark) so pays one atomic per message, the tail CAS, instead of two: on x86 each atomic is
 * a full fence that waits for the previous record's stores, and the lock's CAS cost about a
 * fifth of the raw one-way rate.
 *
 * <p>The owner marks each operation with {@code ownerBusy} (a plain store; its tail CAS is the
 * fence) and checks {@code closed} again after its CAS. {@link #quiesce()}, called by close after
 * it set {@code closed}, waits until the owner is not busy. Either close sees the owner busy and
 * waits for it, or the owner sees {@code closed} after its CAS and gives its claim up (pads it)
 * instead of writing into a slot that close is freeing (Dekker: both sides store, fence, load).
 * This leans on how HotSpot compiles a compare-and-set (a full fence on x86, acquire and release
 * on AArch64, so a store before it and a load after it stay in order), not on a promise of the
 * Java memory model, which would need a volatile store of the mark: the fence per message this
 * class exists to avoid.
 *
 * <p>What the owner writes before its CAS, the slot's lane-1 intent, is covered only by its open
 * check a few instructions earlier: an owner whose busy mark is still in its store buffer when
 * close looks, and that is then descheduled between that check and its intent store for as long
 * as close and another process's attach take, writes that process's lane-1 intent once (see the
 * known limits in {@code docs/queue-design.md}). The rare path that writes more (reclaiming when
 * the queue is full) fences and checks again first.
 */
final class ProducerLanes {

    private static final VarHandle OWNER;

    private static final VarHandle OWNER_BUSY;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            OWNER = lookup.findVarHandle(ProducerLanes.class, "owner", Thread.class);
            OWNER_BUSY = lookup.findVarHandle(ProducerLanes.class, "ownerBusy", int.class);
        }
        catch (ReflectiveOperationException ex) {
            throw new ExceptionInInitializerError(ex);
        }
    }

    /**
     * Lane-0 entries between two looks at whether the owner has ended: {@code isAlive} is a
     * native call on JDK 17, too dear for every message of the locked path.
     */
    private static final int OWNER_CHECK_INTERVAL = 256;

    private final ProducerLane shared;

    private final ProducerLane owned;

    private final ProducerLock lock = new ProducerLock();

    private volatile Thread owner;

    @SuppressWarnings("unused") // through OWNER_BUSY
    private volatile int ownerBusy;

    /** Lane-0 entries, counted under the lock. */
    private int sharedEntries;

    ProducerLanes(int slot) {
        this.shared = new ProducerLane(slot, 0);
        this.owned = new ProducerLane(slot, 1);
    }

    /**
     * The lane for the calling thread, now its own until {@link #exit}: lane 1 for the owner
     * (taking ownership when nobody has it), else lane 0 under the lock.
     */
    ProducerLane enter() {
        Thread current = Thread.currentThread();
        if (this.owner == current) {
            OWNER_BUSY.setOpaque(this, 1);
            return this.owned;
        }
        return enterContended(current);
    }

    private ProducerLane enterContended(Thread current) {
        if (this.owner == null && OWNER.compareAndSet(this, null, current)) {
            OWNER_BUSY.setOpaque(this, 1);
            return this.owned;
        }
        this.lock.lock();
        if (++this.sharedEntries % OWNER_CHECK_INTERVAL == 0) {
            Thread holder = this.owner;
            if (holder != null && !holder.isAlive()) {
                // it ended (never inside an operation: exit runs in a finally): free lane 1 for
                // the next thread; its caches are visible through isAlive and this CAS
                OWNER.compareAndSet(this, holder, null);
            }
        }
        return this.shared;
    }

    /** Gives {@code lane} back after an operation that {@link #enter} began. */
    void exit(ProducerLane lane) {
        if (lane == this.owned) {
            OWNER_BUSY.setRelease(this, 0);
        }
        else {
            this.lock.unlock();
        }
    }

    /**
     * For close, after it set its closed flag (a volatile store): takes the lock of lane 0 and
     * waits until the owner of lane 1 is between operations; an owner that starts one now sees
     * the closed flag. Waits as long as it takes, like the lock; {@link #release()} ends it.
     */
    void quiesce() {
        this.lock.lock();
        boolean interrupted = false;
        long nap = 1_000;
        for (int idle = 0; (int) OWNER_BUSY.getVolatile(this) != 0; idle++) {
            if (idle < 100) {
                Thread.onSpinWait();
            }
            else {
                LockSupport.parkNanos(this, nap);
                nap = Math.min(nap * 2, ProducerLock.MAX_NAP_NANOS);
                // a pending interrupt would make every park return at once: keep it for later
                interrupted |= Thread.interrupted();
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Ends {@link #quiesce()}. */
    void release() {
        this.lock.unlock();
    }

    /** Whether {@code lane} is the one without a lock (for tests). */
    boolean isOwned(ProducerLane lane) {
        return lane == this.owned;
    }

    /** The thread that owns lane 1 now, or null (for tests). */
    Thread owner() {
        return this.owner;
    }
}

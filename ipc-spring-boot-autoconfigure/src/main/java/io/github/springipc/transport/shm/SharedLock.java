package io.github.springipc.transport.shm;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;

/**
 * A named lock that excludes threads of every process using the region, like a
 * {@link java.util.concurrent.locks.ReentrantLock} that spans processes.
 *
 * <pre>{@code
 * Lock rebalance = region.lock("rebalance");
 * rebalance.lock();
 * try {
 *     // one thread on the whole host is here
 * }
 * finally {
 *     rebalance.unlock();
 * }
 * }</pre>
 *
 * <ul>
 * <li>Reentrant within a thread; {@link #unlock()} by a thread that does not hold it throws
 * {@link IllegalMonitorStateException}.</li>
 * <li>Released by the operating system when the holding process dies, even by {@code kill -9}:
 * it is an {@code fcntl} lock on one byte of the region's lock file, paired with an in-JVM lock
 * shared by every instance for that name in this JVM. The data it guarded may then be half
 * updated; design updates so that a reader can tell.</li>
 * <li>Waiting for another process polls with a back-off of up to a millisecond, so a hand-over
 * between processes takes microseconds to a millisecond; prefer atomic values for hot counters.</li>
 * <li>{@link #newCondition()} is not supported.</li>
 * </ul>
 */
public final class SharedLock implements Lock {

    private final String name;

    private final String regionName;

    private final Lock lock;

    SharedLock(String name, String regionName, Lock lock) {
        this.name = name;
        this.regionName = regionName;
        this.lock = lock;
    }

    /** The lock's name. */
    public String name() {
        return this.name;
    }

    /** Waits until this thread holds the lock; interruption is remembered, not obeyed. */
    @Override
    public void lock() {
        this.lock.lock();
    }

    @Override
    public void lockInterruptibly() throws InterruptedException {
        this.lock.lockInterruptibly();
    }

    /** Takes the lock when no thread of any process holds it (or this thread does). */
    @Override
    public boolean tryLock() {
        return this.lock.tryLock();
    }

    @Override
    public boolean tryLock(long time, TimeUnit unit) throws InterruptedException {
        return this.lock.tryLock(time, unit);
    }

    @Override
    public void unlock() {
        this.lock.unlock();
    }

    /** @throws UnsupportedOperationException always: conditions do not span processes */
    @Override
    public Condition newCondition() {
        throw new UnsupportedOperationException("Lock '" + this.name + "' of shared memory '" + this.regionName
                + "' spans processes and has no conditions; poll a shared value instead");
    }

    @Override
    public String toString() {
        return "SharedLock[" + this.name + " in " + this.regionName + "]";
    }
}

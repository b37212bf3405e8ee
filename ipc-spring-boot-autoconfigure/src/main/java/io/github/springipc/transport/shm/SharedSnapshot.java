package io.github.springipc.transport.shm;

import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import io.github.springipc.transport.IpcCorruptDataException;
import io.github.springipc.transport.IpcMessageTooLargeException;
import io.github.springipc.transport.IpcTimeoutException;

/**
 * A record (a status or configuration blob, up to {@link #maxLength()} bytes) that a writer
 * publishes and readers in any process read whole: a reader never sees a record half written.
 *
 * <pre>{@code
 * SharedSnapshot status = region.snapshot("status", 4096);
 * status.publish(json);            // writer
 * byte[] latest = status.read();   // any reader, any process
 * }</pre>
 *
 * <p>It is a sequence lock: the writer makes the sequence odd, writes, and makes it even again
 * (release); a reader copies the record between two reads of the sequence and retries when they
 * differ or are odd. Readers never block the writer and never write. It suits one writer at a
 * time; concurrent writers are serialised (a writer waits while the sequence is odd), but
 * readers may retry for as long as writes overlap.
 *
 * <p>A writer that dies mid-publish leaves the sequence odd. When the writer's process (its
 * pid is in the slot) is gone, the next {@link #publish} takes over and repairs the slot, and
 * {@link #read} fails with {@link IpcCorruptDataException} instead of waiting forever. A live
 * writer that stays inside one publish for {@value #STUCK_WRITER_SECONDS} seconds gives
 * {@link IpcTimeoutException}.
 */
public final class SharedSnapshot {

    /** How long readers and writers wait for a write in progress before they give up. */
    public static final int STUCK_WRITER_SECONDS = 10;

    private static final long CHECK_WRITER_AFTER_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private static final long PID = ProcessHandle.current().pid();

    private final String name;

    private final String regionName;

    private final ByteBuffer buffer;

    private final int sequenceAt;

    private final int pidAt;

    private final int lengthAt;

    private final int recordAt;

    private final int maxLength;

    SharedSnapshot(String name, String regionName, ByteBuffer buffer, int offset, int maxLength) {
        this.name = name;
        this.regionName = regionName;
        this.buffer = buffer;
        this.sequenceAt = offset + SharedRegionLayout.SNAPSHOT_SEQUENCE;
        this.pidAt = offset + SharedRegionLayout.SNAPSHOT_WRITER_PID;
        this.lengthAt = offset + SharedRegionLayout.SNAPSHOT_LENGTH;
        this.recordAt = offset + SharedRegionLayout.SNAPSHOT_RECORD;
        this.maxLength = maxLength;
    }

    /** The slot's name. */
    public String name() {
        return this.name;
    }

    /** The largest record the slot holds. */
    public int maxLength() {
        return this.maxLength;
    }

    /** A number that changes with every publish (0 before the first); even when no write is in progress. */
    public long version() {
        return (long) SharedAccess.LONG.getAcquire(this.buffer, this.sequenceAt);
    }

    /** Publishes {@code record} as the new content. */
    public void publish(byte[] record) {
        publish(record, 0, record.length);
    }

    /**
     * Publishes {@code record[offset..offset+length)} as the new content.
     *
     * @throws IpcMessageTooLargeException when it is longer than {@link #maxLength()}
     */
    public void publish(byte[] record, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, record.length);
        if (length > this.maxLength) {
            throw new IpcMessageTooLargeException("Record of " + length + " bytes does not fit snapshot '"
                    + this.name + "' of shared memory '" + this.regionName + "', which holds at most "
                    + this.maxLength + " bytes. Give the snapshot a larger maxLength (under a new name)");
        }
        long odd = beginWrite();
        SharedAccess.LONG.set(this.buffer, this.pidAt, PID);
        SharedAccess.INT.set(this.buffer, this.lengthAt, length);
        this.buffer.put(this.recordAt, record, offset, length);
        // release: the record is visible before the even sequence that vouches for it; a CAS, not
        // a store, so that a writer whose slot was taken over (it was presumed dead) changes nothing
        SharedAccess.LONG.compareAndSet(this.buffer, this.sequenceAt, odd, odd + 1);
    }

    /** Makes the sequence odd (this writer's); returns the odd value. */
    private long beginWrite() {
        long waitingSince = 0;
        long backoff = 0;
        while (true) {
            long sequence = (long) SharedAccess.LONG.getVolatile(this.buffer, this.sequenceAt);
            if ((sequence & 1) == 0) {
                if (SharedAccess.LONG.compareAndSet(this.buffer, this.sequenceAt, sequence, sequence + 1)) {
                    // the odd sequence must be visible before any byte of the new record
                    VarHandle.releaseFence();
                    return sequence + 1;
                }
                continue;
            }
            if (waitingSince == 0) {
                waitingSince = System.nanoTime();
            }
            else if (System.nanoTime() - waitingSince > CHECK_WRITER_AFTER_NANOS && writerIsGone()) {
                // the writer died mid-publish: take the slot over, keeping the sequence odd
                if (SharedAccess.LONG.compareAndSet(this.buffer, this.sequenceAt, sequence, sequence + 2)) {
                    VarHandle.releaseFence();
                    return sequence + 2;
                }
                continue;
            }
            checkNotStuck(waitingSince);
            backoff = pause(backoff);
        }
    }

    /** A copy of the latest record; empty before the first publish. Never a torn record. */
    public byte[] read() {
        long waitingSince = 0;
        long backoff = 0;
        byte[] copy = new byte[0];
        while (true) {
            long before = (long) SharedAccess.LONG.getAcquire(this.buffer, this.sequenceAt);
            if ((before & 1) == 0) {
                int length = (int) SharedAccess.INT.get(this.buffer, this.lengthAt);
                if (length >= 0 && length <= this.maxLength) {
                    if (copy.length != length) {
                        copy = new byte[length];
                    }
                    this.buffer.get(this.recordAt, copy, 0, length);
                    // the copy's loads complete before the sequence is read again
                    VarHandle.acquireFence();
                    if ((long) SharedAccess.LONG.getAcquire(this.buffer, this.sequenceAt) == before) {
                        return copy;
                    }
                }
                else if ((long) SharedAccess.LONG.getAcquire(this.buffer, this.sequenceAt) == before) {
                    throw corrupt("its length field says " + length + " bytes");
                }
            }
            if (waitingSince == 0) {
                waitingSince = System.nanoTime();
            }
            else if ((before & 1) == 1 && System.nanoTime() - waitingSince > CHECK_WRITER_AFTER_NANOS
                    && writerIsGone()) {
                throw corrupt("its writer (pid " + writerPid() + ") died while publishing; the next publish repairs it");
            }
            checkNotStuck(waitingSince);
            backoff = pause(backoff);
        }
    }

    /**
     * Copies the latest record into {@code target} without allocating.
     *
     * @return the record's length
     * @throws IllegalArgumentException when {@code target} is shorter than the record
     */
    public int read(byte[] target) {
        long waitingSince = 0;
        long backoff = 0;
        while (true) {
            long before = (long) SharedAccess.LONG.getAcquire(this.buffer, this.sequenceAt);
            if ((before & 1) == 0) {
                int length = (int) SharedAccess.INT.get(this.buffer, this.lengthAt);
                boolean fits = length >= 0 && length <= Math.min(this.maxLength, target.length);
                if (fits) {
                    this.buffer.get(this.recordAt, target, 0, length);
                }
                VarHandle.acquireFence();
                if ((long) SharedAccess.LONG.getAcquire(this.buffer, this.sequenceAt) == before) {
                    if (fits) {
                        return length;
                    }
                    if (length >= 0 && length <= this.maxLength) {
                        throw new IllegalArgumentException("Record of " + length + " bytes in snapshot '" + this.name
                                + "' does not fit a target of " + target.length + " bytes");
                    }
                    throw corrupt("its length field says " + length + " bytes");
                }
            }
            if (waitingSince == 0) {
                waitingSince = System.nanoTime();
            }
            else if ((before & 1) == 1 && System.nanoTime() - waitingSince > CHECK_WRITER_AFTER_NANOS
                    && writerIsGone()) {
                throw corrupt("its writer (pid " + writerPid() + ") died while publishing; the next publish repairs it");
            }
            checkNotStuck(waitingSince);
            backoff = pause(backoff);
        }
    }

    private long writerPid() {
        return (long) SharedAccess.LONG.getVolatile(this.buffer, this.pidAt);
    }

    private boolean writerIsGone() {
        long pid = writerPid();
        return pid != PID && pid > 0 && ProcessHandle.of(pid).map(process -> !process.isAlive()).orElse(true);
    }

    private void checkNotStuck(long waitingSince) {
        if (System.nanoTime() - waitingSince > TimeUnit.SECONDS.toNanos(STUCK_WRITER_SECONDS)) {
            throw new IpcTimeoutException("Snapshot '" + this.name + "' of shared memory '" + this.regionName
                    + "' has been in the middle of a publish by pid " + writerPid() + " for more than "
                    + STUCK_WRITER_SECONDS + " s; that process is stuck");
        }
    }

    private IpcCorruptDataException corrupt(String why) {
        return new IpcCorruptDataException("Snapshot '" + this.name + "' of shared memory '" + this.regionName
                + "' can not be read: " + why);
    }

    private static long pause(long backoff) {
        if (backoff < 2000) {
            Thread.onSpinWait();
            return backoff + 100;
        }
        LockSupport.parkNanos(backoff);
        return Math.min(backoff * 2, TimeUnit.MILLISECONDS.toNanos(1));
    }

    @Override
    public String toString() {
        return "SharedSnapshot[" + this.name + ", max " + this.maxLength + " bytes, version " + version() + "]";
    }
}

package io.github.springipc.transport.pipe;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;

/**
 * The outgoing frames of one thread, the connection's <em>owner</em>: a byte ring that the owner
 * appends to without any lock or atomic instruction, and that whichever thread writes to the
 * socket empties (one producer, one consumer at a time). See {@link FrameWriter} for who owns it
 * and who writes it.
 *
 * <pre>
 *                   flushed            published = tail
 *  stream position:    |  being written / |  owner's free space  ...
 *  ------------+-------+------------------+----------------------+--- (flushed + capacity)
 *
 *  buffer: [0, capacity)                       the ring (position p lives at p % capacity)
 *          [capacity, capacity + slack)        overflow: a frame that crosses the ring's end is
 *                                              written in one piece and the part past the end
 *                                              copied to the start, so encoders always see one
 *                                              contiguous region
 * </pre>
 *
 * <p>Positions are byte counts since the ring was made, so they never wrap. The owner writes a
 * frame into {@code [tail, tail + frame)} and then publishes the new tail with a release store
 * (a plain store on x86): a writer that reads {@code published} with acquire sees the frame's
 * bytes. The writer writes {@code [flushed, published)} to the socket, then publishes
 * {@code flushed} the same way, so the owner never overwrites bytes that are not out yet. The
 * owner keeps its own copy of {@code flushed} and reads the real one only when that copy says
 * there is no room. The fields each side writes sit on cache lines of their own.
 */
final class OwnerRing extends OwnerRingWriterFields {

    private static final VarHandle PUBLISHED;

    private static final VarHandle FLUSHED;

    private static final VarHandle APPENDS;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            PUBLISHED = lookup.findVarHandle(OwnerRingOwnerFields.class, "published", long.class);
            APPENDS = lookup.findVarHandle(OwnerRingOwnerFields.class, "appends", long.class);
            FLUSHED = lookup.findVarHandle(OwnerRingWriterFields.class, "flushed", long.class);
        }
        catch (ReflectiveOperationException ex) {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final ByteBuffer buffer;

    private final int capacity;

    /** The writer's views of the one or two parts of the span it writes. */
    private final ByteBuffer first;

    private final ByteBuffer second;

    /** The owner's view for {@link #view}. */
    private final ByteBuffer encoding;

    /**
     * @param capacity bytes of the ring
     * @param slack the largest frame that goes through the ring
     */
    OwnerRing(int capacity, int slack) {
        this.capacity = capacity;
        this.buffer = ByteBuffer.allocateDirect(capacity + slack);
        this.first = this.buffer.duplicate();
        this.second = this.buffer.duplicate();
        this.encoding = this.buffer.duplicate();
    }

    // ------------------------------------------------------------------ the owner's side

    /**
     * Takes the ring over for the calling thread, the new owner (the previous one has ended, or
     * there was none): it goes on from what was published.
     */
    void adopt() {
        long published = (long) PUBLISHED.getAcquire(this);
        this.tail = published;
        this.tailIndex = (int) (published % this.capacity);
        this.flushedSeen = (long) FLUSHED.getAcquire(this);
    }

    /**
     * Where a frame of {@code frame} bytes is to be written, if the bytes not yet written to the
     * socket stay within {@code limit} with it; the owner then writes it into {@link #buffer()}
     * at that index (one piece, see the overflow above) and calls {@link #publish}.
     *
     * @return the index, or -1 when there is no such room now
     */
    int claim(int frame, int limit) {
        long end = this.tail + frame;
        if (end - this.flushedSeen > limit) {
            this.flushedSeen = (long) FLUSHED.getAcquire(this);
            if (end - this.flushedSeen > limit) {
                return -1;
            }
        }
        return this.tailIndex;
    }

    /** The ring's memory, for the owner's absolute writes at the index {@link #claim} gave. */
    ByteBuffer buffer() {
        return this.buffer;
    }

    /** A view of {@code [at, at + frame)}, positioned at {@code at}, for relative writes (an encoder's). */
    ByteBuffer view(int at, int frame) {
        return this.encoding.limit(at + frame).position(at);
    }

    int capacity() {
        return this.capacity;
    }

    /** Makes the frame of {@code frame} bytes written at the claimed index the writer's. */
    void publish(int frame) {
        int end = this.tailIndex + frame;
        if (end >= this.capacity) {
            end -= this.capacity;
            if (end > 0) {
                // the part past the ring's end belongs at its start (free: the claim checked)
                this.buffer.put(0, this.buffer, this.capacity, end);
            }
        }
        this.tailIndex = end;
        long tail = this.tail + frame;
        this.tail = tail;
        APPENDS.setOpaque(this, this.appends + 1);
        PUBLISHED.setRelease(this, tail);
    }

    /** Frames published so far: a hint for the flusher (opaque, no ordering). */
    long appends() {
        return (long) APPENDS.getOpaque(this);
    }

    // ------------------------------------------------------------------ the writer's side

    /** Whether published bytes wait to be written (for the writer, or the flusher under its lock). */
    boolean hasUnwritten() {
        return (long) PUBLISHED.getAcquire(this) != this.flushed;
    }

    /**
     * Fixes the end of the next write at what is published now; {@link #unwritten} then gives the
     * bytes up to there.
     */
    void markUnwritten() {
        this.writingTo = (long) PUBLISHED.getAcquire(this);
    }

    /**
     * The next write: the bytes not written yet up to the end {@link #markUnwritten} fixed, in
     * one or two views, followed by {@code last} (when not null).
     *
     * @return the parts, or null when there is nothing to write
     */
    ByteBuffer[] unwritten(ByteBuffer last) {
        long from = this.flushed;
        long to = this.writingTo;
        if (from == to) {
            return last == null ? null : new ByteBuffer[] { last };
        }
        int start = (int) (from % this.capacity);
        int length = (int) (to - from);
        int extra = last == null ? 0 : 1;
        ByteBuffer[] parts;
        if (start + length <= this.capacity) {
            parts = new ByteBuffer[1 + extra];
            parts[0] = this.first.limit(start + length).position(start);
        }
        else {
            parts = new ByteBuffer[2 + extra];
            parts[0] = this.first.limit(this.capacity).position(start);
            parts[1] = this.second.limit(start + length - this.capacity).position(0);
        }
        if (last != null) {
            parts[parts.length - 1] = last;
        }
        return parts;
    }

    /**
     * The parts {@link #unwritten} gave are out (or there were none): the owner may reuse their bytes.
     *
     * @return whether that made room
     */
    boolean written() {
        long to = this.writingTo;
        if (to > this.flushed) {
            FLUSHED.setRelease(this, to);
            return true;
        }
        return false;
    }
}

/** Keeps the owner's fields off the cache line of the object header and of what precedes it. */
abstract class OwnerRingPadding {

    long p00, p01, p02, p03, p04, p05, p06, p07, p08, p09, p10, p11, p12, p13, p14, p15;
}

/** Written by the owner only. */
abstract class OwnerRingOwnerFields extends OwnerRingPadding {

    /** Where the next frame goes (a stream position); owner-private. */
    long tail;

    /** {@code tail % capacity}, kept to spare a division per frame; owner-private. */
    int tailIndex;

    /** The owner's last look at {@code flushed}; owner-private. */
    long flushedSeen;

    /** Frames published (opaque): how the flusher sees a burst go on. */
    long appends;

    /** Bytes up to here are written into the ring (release store by the owner). */
    long published;
}

/** Written by the writer only, a cache line away from the owner's fields. */
abstract class OwnerRingWriterFields extends OwnerRingOwnerFields {

    long q00, q01, q02, q03, q04, q05, q06, q07, q08, q09, q10, q11, q12, q13, q14, q15;

    /** Bytes up to here are written to the socket (release store by the writer). */
    long flushed;

    /** Where the span of the write under way ends; the writer's. */
    long writingTo;

    long r00, r01, r02, r03, r04, r05, r06, r07, r08, r09, r10, r11, r12, r13, r14, r15;
}

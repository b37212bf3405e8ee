package io.github.springipc.transport.pipe;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.concurrent.locks.ReentrantLock;

import io.github.springipc.transport.IpcMessage;
import io.github.springipc.transport.IpcMessageCodec;

/**
 * Writes frames to one connection's socket, coalescing them under load ("smart batching").
 *
 * <p>A sender appends its encoded frame to a shared, pre-allocated direct buffer (no allocation
 * per message). What happens next depends on how busy the pipe is:
 * <ul>
 * <li><b>Idle pipe</b>: the previous write ended at least {@value #BURST_GAP_NANOS} ns ago (about
 * what a small write costs) and nobody writes now. The sender writes the buffer itself at once: a
 * lone message leaves in one system call, with no thread hand-off.</li>
 * <li><b>Burst</b>: sends arrive faster than writes complete (the previous write ended less than
 * that ago, for {@value #QUICK_SENDS_TO_ARM} sends in a row), or another thread is writing now.
 * The sender only appends and returns. The
 * connection's <em>flusher</em> thread, woken once per burst, sees that what accumulated goes
 * out. It naps about {@value #NAP_NANOS} ns at a time, doubling up to {@value #MAX_NAP_NANOS} ns while a
 * burst stays dense (the kernel's timer slack may stretch a short nap
 * to some 70 µs) and looks, without the lock, how many sends came meanwhile: while they keep
 * coming it lets the batch grow and then asks the next sender to write it (a flusher preempted in
 * the middle of a write would stall the sender; a sender writing its own batch does not wait for
 * anyone); while the senders write full buffers themselves at least that often, it asks nothing
 * and naps up to {@value #MAX_FLOWING_NAP_NANOS} ns; once a nap saw fewer sends than a burst has,
 * it writes what is left itself and disarms. So no frame of a burst waits longer than about
 * {@value #MAX_NAP_NANOS} ns, except the end of a burst so dense that it filled a buffer that
 * often (up to one long nap), and a sustained burst costs its senders nothing but the appends
 * and a write per buffer.</li>
 * <li><b>Buffer full</b>: a sender that finds no room and nobody writing writes the buffer itself
 * (so a burst does not depend on the flusher getting a CPU); otherwise it waits for room, at most
 * until its deadline.</li>
 * </ul>
 * Frames larger than the buffer are written directly, after everything queued before them.
 *
 * <p><b>The owner lane.</b> On an ENVELOPE pipe without confirm-delivery, the first thread that
 * sends becomes the connection's <em>owner</em> (a later one once the owner has ended, looked at
 * every {@value #OWNER_CHECK_INTERVAL} locked appends). The owner appends every frame it sends to
 * an {@link OwnerRing} of its own instead of the shared buffer, and while the flusher watches a
 * burst it does so without the lock: a copy and a release store per message. On x86 a lock costs
 * two atomic instructions per message (the lock's CAS and its volatile release), each of which
 * waits for the message's stores to drain; they were about a third of a sender's time. Other
 * threads take the lock and append to the shared buffer as before. Every write to the socket
 * takes the ring's unwritten bytes first and then the shared buffer, and while the shared buffer
 * holds a MESSAGE frame not yet taken for a write, the owner appends to the shared buffer too
 * (under the lock). So frames keep the order of sends that happen one after the other, whichever
 * threads make them: a frame the owner published before another thread's send is taken with or
 * before that send's; a frame another thread appended before the owner's send makes the owner
 * follow it in the shared buffer. ACKs take the shared buffer and do not count (their order does
 * not matter). The owner lane is off where every frame must take one path: a RAW pipe (replies
 * are matched by order) and confirm-delivery (ACKs count MESSAGE records in the order they were
 * numbered).
 *
 * <p>The owner decides what to do after it published a frame without the lock by reading
 * {@code flusherArmed} and {@code flushRequested} after its publishing store. When the flusher is
 * armed and has not asked for a write, the frame is the flusher's: the flusher, or whoever writes
 * before it, writes it. That read is not fenced from the store before it (a fence is what this
 * lane saves), so an owner may still see the flusher armed while the flusher, having written
 * everything it saw, disarms: for a few nanoseconds, until the owner's store leaves its core's
 * store buffer (being descheduled drains it too). So a flusher that disarmed with an owner lane
 * in use looks at the ring again one nap later, and then once a second (the memory model alone
 * bounds that window by nothing), and writes what it finds.
 *
 * <p>The channel is non-blocking and every wait of a sender is bounded by its deadline. A sender
 * waiting for room that times out has queued nothing. A sender writing itself that times out (the
 * peer stopped reading) leaves the unwritten rest of its batch first in line: it is never cut or
 * reordered, and the flusher (armed for it) writes it if the peer reads again; so does anything a
 * sender's write leaves queued, since a sender writes at most {@value #SENDER_WRITES} times in a
 * row, however fast other threads append. The flusher's writes wait for a full socket for 1 ms at first (up to 100 ms
 * while the socket stays full), then give the writer's role back and retry, so that a flusher
 * that is preempted or blocked never holds up a sender that could write itself.
 *
 * <p>Once a write has failed (the peer went away), every later append fails too; a failure of the
 * flusher is reported to the listener given to {@link #onFlusherFailure}, so that the pipe closes
 * the connection.
 */
final class FrameWriter {

    /**
     * How long the flusher naps between looks at a burst: how long a burst accumulates before the
     * next sender is asked to write it (senders write full buffers themselves), and how late the
     * end of a burst leaves. Parking this short usually lasts up to the kernel's timer slack
     * (about 50 µs on Linux).
     */
    static final long NAP_NANOS = 20_000;

    /**
     * The longest nap: while a burst stays dense the flusher doubles its nap up to this, so that
     * a long burst is not slowed by its wake-ups (each costs a context switch on a core the sender
     * or the peer needs). Senders write full buffers themselves, so at high rates this bounds
     * nothing; at moderate ones it bounds how long a frame waits in a dense burst.
     */
    static final long MAX_NAP_NANOS = 160_000;

    /**
     * The longest nap while the senders write full buffers themselves at least once per
     * {@link #MAX_NAP_NANOS}: then no frame waits longer than that for a write anyway, and the
     * flusher only watches for the end of the burst, which so leaves up to this late. Its
     * wake-ups at {@link #MAX_NAP_NANOS} took about 5 % of a core that the sender needs.
     */
    static final long MAX_FLOWING_NAP_NANOS = 1_280_000;

    /**
     * How long the flusher's write may wait for a full socket before it gives the writer's role
     * back (and retries later, waiting longer each time, up to {@link #MAX_STALL_NANOS}).
     */
    private static final long MIN_STALL_NANOS = 1_000_000;

    private static final long MAX_STALL_NANOS = 100_000_000;

    /** Writes a sender makes at most, one after the other, before it leaves the rest to the flusher. */
    private static final int SENDER_WRITES = 2;

    /** Attempts of {@code tryLock} before a sender parks on the lock. */
    private static final int LOCK_SPINS = 100;

    /**
     * A send that comes less than this after the previous write ended is a quick one: about what
     * a small write costs. A sending loop's sends come a fraction of a microsecond after the write.
     */
    static final long BURST_GAP_NANOS = 2_000;

    /**
     * Quick sends in a row that make a burst. One is not enough: a ping-pong's next send comes one
     * round trip after the write, which the pipe's polling readers bring down to a few
     * microseconds, and now and then under {@link #BURST_GAP_NANOS}; taken for a burst, its
     * message then waited for the flusher's first nap (some 50 to 100 µs, timer slack included),
     * about one round trip in a hundred.
     */
    static final int QUICK_SENDS_TO_ARM = 2;

    /**
     * Locked appends between two looks at whether the owner has ended: {@code isAlive} is a native
     * call on JDK 17, too dear for every message of the locked path.
     */
    static final int OWNER_CHECK_INTERVAL = 256;

    /** How often a disarmed flusher looks at the owner's ring after its first look, one nap in. */
    private static final long STRAY_CHECK_INTERVAL_NANOS = 1_000_000_000L;

    private static final VarHandle APPENDS;

    private static final VarHandle WRITES;

    static {
        try {
            APPENDS = MethodHandles.lookup().findVarHandle(FrameWriter.class, "appends", long.class);
            WRITES = MethodHandles.lookup().findVarHandle(FrameWriter.class, "writes", long.class);
        }
        catch (ReflectiveOperationException ex) {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final SocketChannel channel;

    private final String flusherName;

    private final ReentrantLock lock = new ReentrantLock();

    /** Signalled when a writer finished, buffers were swapped, or the writer failed. */
    private final Condition room = this.lock.newCondition();

    /** The flusher waits here until it is armed. */
    private final Condition work = this.lock.newCondition();

    private ByteBuffer pending;

    private ByteBuffer writing;

    /** A thread is writing to the socket now (the lock is released around its system calls). */
    private boolean writerActive;

    /**
     * The flusher is responsible for what is appended: senders only append. Volatile for the
     * owner, which reads it without the lock after publishing.
     */
    private volatile boolean flusherArmed;

    /**
     * Set by the flusher (without the lock) while senders keep appending: the next sender writes
     * what accumulated. Cleared under the lock by whoever writes.
     */
    private volatile boolean flushRequested;

    private Thread flusher;

    private volatile Consumer<IOException> flusherFailureListener = ex -> { };

    /**
     * Frames appended so far: written under the lock, read without it (opaque) by the lingering
     * flusher, which only uses it as a hint and checks the buffer under the lock.
     */
    @SuppressWarnings("unused")
    private long appends;

    /** Writes completed so far: written under the lock, read without it (opaque) by the flusher. */
    @SuppressWarnings("unused")
    private long writes;

    /** When the last write to the socket ended ({@link System#nanoTime()}). */
    private long lastWriteEnd = Long.MIN_VALUE / 2;

    /** Quick sends in a row on an idle pipe (see {@link #QUICK_SENDS_TO_ARM}); under the lock. */
    private int quickSends;

    /** What the current or last writer writes: the rest of it must go out before anything else. */
    private ByteBuffer[] inflight;

    /** For waiting, in the writer only, until the socket takes more bytes. */
    private final Selector selector;

    /** Written under the lock; volatile for the flusher, which looks between naps without it. */
    private volatile IOException failure;

    /** MESSAGE records written, the one being written included. */
    private long messagesWritten;

    /** Bytes a write takes at most from the shared buffer, and from the owner's ring unless it is busy. */
    private final int chunk;

    /** Whether a thread may own a lane (see the class comment). */
    private final boolean ownerLane;

    /** The thread that appends to {@link #ring} (written under the lock). */
    private volatile Thread owner;

    /**
     * The owner's frames; made when the first owner takes its lane (written under the lock;
     * volatile for the flusher's look at a burst).
     */
    private volatile OwnerRing ring;

    /** Locked appends of threads other than the owner, for the look at whether it ended. */
    private int sharedAppends;

    /**
     * The shared buffer holds a MESSAGE frame that no write has taken yet: the owner appends there
     * too, after it (see the class comment). Written under the lock, read by the owner without it.
     */
    private volatile boolean messageInShared;

    /**
     * @param channel a non-blocking channel
     * @param ownerLane whether a thread may own a lane of its own (see the class comment)
     * @param flusherName the name of the flusher thread, started at the first burst
     */
    FrameWriter(SocketChannel channel, int bufferSize, boolean ownerLane, String flusherName) throws IOException {
        this.channel = channel;
        this.flusherName = flusherName;
        this.chunk = bufferSize;
        this.ownerLane = ownerLane;
        this.pending = ByteBuffer.allocateDirect(bufferSize);
        this.writing = ByteBuffer.allocateDirect(bufferSize);
        this.selector = Selector.open();
        try {
            channel.register(this.selector, SelectionKey.OP_WRITE);
        }
        catch (IOException | RuntimeException ex) {
            this.selector.close();
            throw ex;
        }
    }

    /** Called (without any lock) when the flusher's write failed: the connection is broken. */
    void onFlusherFailure(Consumer<IOException> listener) {
        this.flusherFailureListener = listener;
    }

    /** Whether the flusher watches a burst now (for tests). */
    boolean isFlusherArmed() {
        return this.flusherArmed;
    }

    /** The thread that owns the lane, or null (for tests). */
    Thread owner() {
        return this.owner;
    }

    /** The owner's ring, or null before the first owner (for tests). */
    OwnerRing ownerRing() {
        return this.ring;
    }

    /** Releases the selector; the channel is closed by its owner. */
    void closeSelector() {
        try {
            this.selector.close();
        }
        catch (IOException ignored) {
            // nothing more to release
        }
    }

    /** A RAW frame: the body is the payload. @return the message's sequence number */
    long writeRaw(byte[] payload, long timeoutNanos) throws IOException {
        int frame = PipeFrameLayout.LENGTH_PREFIX + payload.length;
        lockForAppend();
        try {
            if (!reserve(frame, timeoutNanos)) {
                return writeLarge(ByteBuffer.allocate(PipeFrameLayout.LENGTH_PREFIX).putInt(0, payload.length),
                        ByteBuffer.wrap(payload), System.nanoTime() + timeoutNanos);
            }
            ByteBuffer buf = this.pending;
            int at = buf.position(); // absolute puts: no position bookkeeping per field
            buf.putInt(at, payload.length).put(at + PipeFrameLayout.LENGTH_PREFIX, payload).position(at + frame);
            return finishAppend(timeoutNanos);
        }
        finally {
            this.lock.unlock();
        }
    }

    /** An ENVELOPE MESSAGE record with no headers: no encoding step, no allocation. */
    long writeBarePayload(byte[] payload, long timeoutNanos) throws IOException {
        int body = PipeFrameLayout.PLAIN_MESSAGE_HEADER + payload.length;
        int frame = PipeFrameLayout.LENGTH_PREFIX + body;
        if (this.owner == Thread.currentThread() && !this.messageInShared) {
            OwnerRing ring = this.ring;
            int at = ring.claim(frame, this.chunk);
            if (at >= 0 && this.failure == null) {
                putBarePayload(ring.buffer(), at, body, payload);
                ring.publish(frame);
                return afterOwnerPublished(timeoutNanos);
            }
        }
        lockForAppend();
        try {
            OwnerRing ring = laneOf(Thread.currentThread());
            if (frame > this.chunk || ring == null && !reserve(frame, timeoutNanos)) {
                ByteBuffer head = ByteBuffer.allocate(PipeFrameLayout.LENGTH_PREFIX + 3);
                head.putInt(body).put(PipeFrameLayout.KIND_MESSAGE).putShort((short) 0).flip();
                return writeLarge(head, ByteBuffer.wrap(payload), System.nanoTime() + timeoutNanos);
            }
            if (ring != null) {
                putBarePayload(ring.buffer(), reserveInRing(ring, frame, timeoutNanos), body, payload);
                ring.publish(frame);
                afterAppend(timeoutNanos);
                return 0;
            }
            ByteBuffer buf = this.pending;
            int at = buf.position();
            putBarePayload(buf, at, body, payload);
            buf.position(at + frame);
            return finishAppend(timeoutNanos);
        }
        finally {
            this.lock.unlock();
        }
    }

    /** Writes a plain message's frame at {@code at}: absolute puts, no position bookkeeping per field. */
    private static void putBarePayload(ByteBuffer buf, int at, int body, byte[] payload) {
        if (payload.length > 0) {
            // length, kind and header count (7 bytes) in one store; the payload overwrites its 8th byte
            buf.putLong(at, ((long) body << 32) | (PipeFrameLayout.KIND_MESSAGE & 0xFFL) << 24);
        }
        else {
            buf.putInt(at, body).put(at + 4, PipeFrameLayout.KIND_MESSAGE).putShort(at + 5, (short) 0);
        }
        buf.put(at + 7, payload);
    }

    /** An ENVELOPE MESSAGE record. */
    long writeEnvelope(IpcMessage message, int envelopeLength, long timeoutNanos) throws IOException {
        int body = PipeFrameLayout.KIND_LENGTH + envelopeLength;
        int frame = PipeFrameLayout.LENGTH_PREFIX + body;
        if (this.owner == Thread.currentThread() && !this.messageInShared) {
            OwnerRing ring = this.ring;
            int at = ring.claim(frame, this.chunk);
            if (at >= 0 && this.failure == null) {
                putEnvelope(ring.view(at, frame), body, message);
                ring.publish(frame);
                return afterOwnerPublished(timeoutNanos);
            }
        }
        lockForAppend();
        try {
            OwnerRing ring = laneOf(Thread.currentThread());
            if (frame > this.chunk || ring == null && !reserve(frame, timeoutNanos)) {
                ByteBuffer whole = ByteBuffer.allocate(frame);
                putEnvelope(whole, body, message);
                whole.flip();
                return writeLarge(whole, null, System.nanoTime() + timeoutNanos);
            }
            if (ring != null) {
                putEnvelope(ring.view(reserveInRing(ring, frame, timeoutNanos), frame), body, message);
                ring.publish(frame);
                afterAppend(timeoutNanos);
                return 0;
            }
            ByteBuffer buf = this.pending;
            int at = buf.position();
            try {
                putEnvelope(buf, body, message);
            }
            catch (RuntimeException ex) {
                buf.position(at); // a message the codec refuses (too many headers, say) leaves nothing behind
                throw ex;
            }
            return finishAppend(timeoutNanos);
        }
        finally {
            this.lock.unlock();
        }
    }

    private static void putEnvelope(ByteBuffer target, int body, IpcMessage message) {
        target.putInt(body).put(PipeFrameLayout.KIND_MESSAGE);
        IpcMessageCodec.encode(message, target);
    }

    /** An ACK record; not counted as a message. */
    void writeAck(long count, long timeoutNanos) throws IOException {
        lockForAppend();
        try {
            reserve(PipeFrameLayout.LENGTH_PREFIX + PipeFrameLayout.ACK_LENGTH, timeoutNanos);
            this.pending.putInt(PipeFrameLayout.ACK_LENGTH).put(PipeFrameLayout.KIND_ACK).putLong(count);
            noteAppend();
            if (!this.writerActive && !this.flusherArmed) {
                flushLocked(System.nanoTime() + timeoutNanos); // an ACK someone waits for: no batching
            }
        }
        finally {
            this.lock.unlock();
        }
    }

    /**
     * Writes what is pending and waits until no write is under way, so that a close does not cut
     * off messages whose senders already returned; gives up after {@code timeoutNanos} (a peer
     * that does not read).
     */
    void drain(long timeoutNanos) {
        long deadline = System.nanoTime() + timeoutNanos;
        this.lock.lock();
        try {
            while (this.failure == null && (this.writerActive || isQueued())) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    return;
                }
                if (!this.writerActive) {
                    try {
                        flushLocked(deadline);
                    }
                    catch (IOException ex) {
                        return;
                    }
                    continue;
                }
                try {
                    this.room.awaitNanos(remaining);
                }
                catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        finally {
            this.lock.unlock();
        }
    }

    /** Makes the writer fail every later append, e.g. after the reader saw the connection end. */
    void fail(IOException cause) {
        this.lock.lock();
        try {
            if (this.failure == null) {
                this.failure = cause;
            }
            this.room.signalAll();
            this.work.signalAll();
            if (this.flusher != null) {
                LockSupport.unpark(this.flusher); // out of a nap
            }
        }
        finally {
            this.lock.unlock();
        }
    }

    /**
     * After an append (lock held): writes at once on an idle pipe, leaves it to the writer or the
     * flusher under load.
     */
    private long finishAppend(long timeoutNanos) throws IOException {
        long sequence = ++this.messagesWritten;
        noteAppend();
        if (this.ownerLane && !this.messageInShared) {
            this.messageInShared = true;
        }
        afterAppend(timeoutNanos);
        return sequence;
    }

    /** After an append to either lane (lock held): see {@link #finishAppend}. */
    private void afterAppend(long timeoutNanos) throws IOException {
        if (this.writerActive) {
            return; // goes out with the batch after the current write
        }
        if (this.flusherArmed) {
            if (this.flushRequested) {
                flushLocked(System.nanoTime() + timeoutNanos); // what accumulated is old enough
            }
            return;
        }
        long now = System.nanoTime(); // not on the burst path above: it costs as much as the append
        if (now - this.lastWriteEnd >= BURST_GAP_NANOS) {
            this.quickSends = 0;
        }
        else if (++this.quickSends >= QUICK_SENDS_TO_ARM && armFlusher()) {
            return; // sends come faster than writes complete: let them accumulate
        }
        flushLocked(now + timeoutNanos);
    }

    /**
     * After the owner published a frame without the lock: while the flusher watches the burst the
     * frame is its (read after the publishing store: see the class comment); otherwise the
     * decision of {@link #afterAppend} is taken under the lock.
     *
     * @return 0: owner-lane frames are not numbered (the lane is off with confirm-delivery)
     */
    private long afterOwnerPublished(long timeoutNanos) throws IOException {
        if (this.flusherArmed && !this.flushRequested) {
            return 0;
        }
        lockForAppend();
        try {
            afterAppend(timeoutNanos);
            return 0;
        }
        finally {
            this.lock.unlock();
        }
    }

    /**
     * The calling thread's ring when it owns the lane, taking the lane when nobody owns it or its
     * owner has ended (lock held); null: the shared buffer.
     */
    private OwnerRing laneOf(Thread current) {
        if (!this.ownerLane) {
            return null;
        }
        Thread owner = this.owner;
        if (owner == current) {
            return this.messageInShared ? null : this.ring; // after the frames there (see the class comment)
        }
        if (owner != null && (++this.sharedAppends % OWNER_CHECK_INTERVAL != 0 || owner.isAlive())) {
            return null;
        }
        if (this.ring == null) {
            this.ring = new OwnerRing(2 * this.chunk, this.chunk);
        }
        this.ring.adopt();
        this.owner = current;
        return this.messageInShared ? null : this.ring;
    }

    /**
     * Waits (lock held) until the owner's ring has room for {@code frame} bytes (at most a chunk):
     * a chunk's worth when nobody writes (the owner then writes what is queued itself), up to the
     * whole ring while someone else writes.
     *
     * @return the index to write the frame at
     */
    private int reserveInRing(OwnerRing ring, int frame, long timeoutNanos) throws IOException {
        long deadline = 0;
        boolean waited = false;
        while (true) {
            checkUsable();
            int at = ring.claim(frame, this.writerActive ? ring.capacity() : this.chunk);
            if (at >= 0) {
                return at;
            }
            if (!waited) {
                deadline = System.nanoTime() + timeoutNanos; // only now: the clock costs as much as an append
                waited = true;
            }
            makeRoom(deadline);
        }
    }

    /**
     * Takes the lock, spinning briefly first: the flusher holds it only to swap buffers, and a
     * sender that parked instead would stall the burst for a whole wake-up.
     */
    private void lockForAppend() {
        for (int i = 0; i < LOCK_SPINS; i++) {
            if (this.lock.tryLock()) {
                return;
            }
            Thread.onSpinWait();
        }
        this.lock.lock();
    }

    private void noteAppend() {
        APPENDS.setOpaque(this, (long) APPENDS.getOpaque(this) + 1);
    }

    /**
     * Makes the flusher responsible for what is queued (lock held), starting its thread at the
     * first call.
     *
     * @return false when its thread could not be started: the caller writes itself
     */
    private boolean armFlusher() {
        if (this.flusher == null) {
            Thread thread = new Thread(this::runFlusher, this.flusherName);
            thread.setDaemon(true);
            try {
                thread.start(); // it takes the lock first, so it sees the fields set below
            }
            catch (OutOfMemoryError | InternalError ex) {
                return false; // no thread to be had: without a flusher senders write themselves
            }
            this.flusher = thread;
        }
        else {
            this.work.signal();
        }
        this.flusherArmed = true;
        return true;
    }

    /**
     * The flusher thread. Once armed it watches the burst from outside: it naps
     * {@link #NAP_NANOS} at a time without the lock and looks (one read) whether senders appended
     * meanwhile. While they keep appending densely it only raises {@link #flushRequested}, so that
     * the next sender writes what accumulated (and senders write full buffers themselves): it
     * takes neither the lock nor the cache lines the senders write, which would slow every send
     * of the burst. After a nap with fewer sends than a burst has (none, at its end) it writes
     * what is left itself and disarms: senders write directly again. Ends when the writer fails.
     */
    private void runFlusher() {
        IOException failed = null;
        long stallBudget = MIN_STALL_NANOS;
        int strayChecks = 0;
        this.lock.lock();
        try {
            while (this.failure == null) {
                if (!this.flusherArmed) {
                    try {
                        strayChecks = awaitArming(strayChecks, stallBudget);
                    }
                    catch (IOException ex) {
                        failed = ex;
                        break;
                    }
                    continue;
                }
                strayChecks = 0;
                this.lock.unlock();
                try {
                    watchBurst();
                }
                finally {
                    this.lock.lock();
                }
                if (this.writerActive) {
                    continue; // it writes whatever is pending before it lets go
                }
                if (isQueued()) {
                    try {
                        // bounded, so that a flusher waiting on a full socket (or preempted) does
                        // not keep the writer's role from senders for long; the unwritten rest
                        // stays first in line
                        flushLocked(System.nanoTime() + stallBudget);
                        stallBudget = MIN_STALL_NANOS;
                    }
                    catch (WriteTimeoutException ex) {
                        stallBudget = Math.min(stallBudget * 2, MAX_STALL_NANOS); // a peer that stopped reading
                        continue;
                    }
                    catch (IOException ex) {
                        failed = ex;
                        break;
                    }
                }
                // fewer sends than a burst has (written above): senders write directly again
                this.flusherArmed = false;
                this.flushRequested = false;
                this.room.signalAll();
            }
        }
        finally {
            this.flusherArmed = false;
            this.room.signalAll();
            this.lock.unlock();
        }
        if (failed != null) {
            this.flusherFailureListener.accept(failed);
        }
    }

    /**
     * The disarmed flusher's wait (lock held) until it is armed again. With an owner lane in use it
     * writes what an owner may have left to it as it disarmed (see the class comment): it looks at
     * once, one nap later, and then once a second.
     *
     * @return how many of those looks are done since the last disarm
     */
    private int awaitArming(int strayChecks, long stallBudget) throws IOException {
        if (this.ring == null) {
            this.work.awaitUninterruptibly();
            return strayChecks;
        }
        boolean looked = !this.writerActive; // else the writer takes what it finds: look again soon
        if (looked && isQueued()) {
            try {
                flushLocked(System.nanoTime() + stallBudget);
            }
            catch (WriteTimeoutException ex) {
                this.flusherArmed = true; // a peer that does not read: retry as after a burst
                return strayChecks;
            }
        }
        try {
            this.work.awaitNanos(looked && strayChecks > 0 ? STRAY_CHECK_INTERVAL_NANOS : NAP_NANOS);
        }
        catch (InterruptedException ex) {
            // nobody interrupts the flusher; look again
        }
        return looked ? strayChecks + 1 : strayChecks;
    }

    /**
     * Naps, without the lock, until a nap saw fewer sends than a burst has (or the writer
     * failed). While the burst stays dense it only asks the next sender to write what
     * accumulated and naps longer. It takes no lock here: taking it even once per nap queued the
     * flusher behind a sender that held it, so that the sender's unlock paid a wake-up system
     * call and the flusher a second wake-up per nap (about a tenth of a core in a long burst).
     */
    private void watchBurst() {
        long nap = NAP_NANOS;
        for (;;) {
            long seen = appendsSoFar();
            long writesSeen = (long) WRITES.getOpaque(this);
            long napStart = System.nanoTime();
            LockSupport.parkNanos(nap);
            long sends = appendsSoFar() - seen;
            long napped = System.nanoTime() - napStart;
            if (sends == 0 || sends * BURST_GAP_NANOS < napped || this.failure != null) {
                return;
            }
            long writes = (long) WRITES.getOpaque(this) - writesSeen;
            if (writes * MAX_NAP_NANOS >= napped) {
                // full buffers go out at least once per MAX_NAP_NANOS without being asked
                nap = Math.min(nap * 2, MAX_FLOWING_NAP_NANOS);
                continue;
            }
            if (!this.flushRequested) { // written only when it changes: the senders read its line
                this.flushRequested = true;
            }
            nap = Math.min(nap * 2, MAX_NAP_NANOS);
        }
    }

    /** Frames appended to both lanes so far: a hint, read without the lock. */
    private long appendsSoFar() {
        OwnerRing ring = this.ring;
        return (long) APPENDS.getOpaque(this) + (ring == null ? 0 : ring.appends());
    }

    /**
     * Waits (lock held) until the pending buffer has room for {@code frame} bytes.
     *
     * @return false when the frame can never fit and must be written directly
     */
    private boolean reserve(int frame, long timeoutNanos) throws IOException {
        long deadline = 0;
        boolean waited = false;
        while (true) {
            checkUsable();
            if (frame > this.pending.capacity()) {
                return false;
            }
            if (this.pending.remaining() >= frame) {
                return true;
            }
            if (!waited) {
                deadline = System.nanoTime() + timeoutNanos; // only now: the clock costs as much as an append
                waited = true;
            }
            makeRoom(deadline);
        }
    }

    /**
     * One step towards room for a frame not queued yet (lock held): writes what is queued when
     * nobody writes, else waits for the writer, at most until {@code deadline}.
     */
    private void makeRoom(long deadline) throws IOException {
        if (this.writerActive) {
            awaitRoom(deadline);
            return;
        }
        try {
            flushLocked(deadline);
        }
        catch (WriteTimeoutException | WriteInterruptedException ex) {
            throw notQueued(ex);
        }
    }

    /** A failure to write the frames queued before one: that one was not queued. */
    private static IOException notQueued(IOException ex) {
        return ex instanceof WriteTimeoutException ? new WriteTimeoutException(false) : new WriteInterruptedException(false);
    }

    /** Waits for the flusher to make progress; a timeout here means this frame was not queued. */
    private void awaitRoom(long deadline) throws IOException {
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0) {
            throw new WriteTimeoutException(false);
        }
        try {
            this.room.awaitNanos(Math.min(remaining, TimeUnit.MILLISECONDS.toNanos(100)));
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new WriteInterruptedException(false);
        }
    }

    private void checkUsable() throws IOException {
        if (this.failure != null) {
            throw new IOException("the connection is broken: " + this.failure.getMessage(), this.failure);
        }
    }

    /**
     * Writes until nothing is pending; the lock is released around each system call. What a
     * timed-out flusher left unwritten stays first in line for the next one.
     */
    private void flushLocked(long deadline) throws IOException {
        this.writerActive = true;
        this.flushRequested = false;
        try {
            writeQueued(deadline);
        }
        finally {
            this.writerActive = false;
            this.room.signalAll();
            handOver();
        }
    }

    /**
     * Writes, as the writer (lock held), the rest of the last write and then what is queued: all
     * of it for the flusher, at most {@value #SENDER_WRITES} writes for a sender, whose send
     * would otherwise not return for as long as other threads keep appending.
     */
    private void writeQueued(long deadline) throws IOException {
        finishInflight(deadline);
        boolean sender = Thread.currentThread() != this.flusher;
        for (int writes = 0; (!sender || writes < SENDER_WRITES) && takeQueued(); writes++) {
            this.room.signalAll();
            finishInflight(deadline);
        }
    }

    /**
     * After a sender's write (lock held): what it left queued (appended meanwhile, or not written
     * because the peer stalled or the sender was interrupted) becomes the flusher's, so that it
     * does not wait for the next send.
     */
    private void handOver() {
        if (!this.flusherArmed && this.failure == null && Thread.currentThread() != this.flusher && isQueued()) {
            armFlusher();
        }
    }

    /**
     * Makes what is queued the next write (lock held, no write under way): the owner's ring
     * first, then the shared buffer (see the class comment for why in this order).
     *
     * @return false when nothing is queued
     */
    private boolean takeQueued() {
        OwnerRing ring = this.ring;
        if (ring != null) {
            // before the shared buffer is taken: an owner that sees it taken (messageInShared
            // false) and publishes next must not have its frame written ahead of it
            ring.markUnwritten();
        }
        ByteBuffer shared = null;
        if (this.pending.position() > 0) {
            shared = this.pending;
            this.pending = this.writing;
            this.writing = shared;
            shared.flip();
            this.messageInShared = false;
        }
        ByteBuffer[] parts = ring == null ? null : ring.unwritten(shared);
        if (parts == null && shared != null) {
            parts = new ByteBuffer[] { shared };
        }
        this.inflight = parts;
        return parts != null;
    }

    private boolean isQueued() {
        return this.pending.position() > 0 || this.inflight != null || this.ring != null && this.ring.hasUnwritten();
    }

    private void finishInflight(long deadline) throws IOException {
        ByteBuffer[] parts = this.inflight;
        if (parts == null) {
            return;
        }
        writeUnlocked(parts, deadline);
        WRITES.setOpaque(this, (long) WRITES.getOpaque(this) + 1);
        this.inflight = null;
        if (parts[parts.length - 1] == this.writing) {
            this.writing.clear();
        }
        if (this.ring != null && this.ring.written()) {
            this.room.signalAll(); // an owner may wait for room in its ring
        }
    }

    private long writeLarge(ByteBuffer head, ByteBuffer body, long deadline) throws IOException {
        while (this.writerActive) {
            checkUsable();
            awaitRoom(deadline);
        }
        checkUsable();
        this.writerActive = true;
        long sequence;
        try {
            try {
                writeQueued(deadline);
            }
            catch (WriteTimeoutException | WriteInterruptedException ex) {
                throw notQueued(ex); // what stalled was earlier frames, not this one
            }
            // counted only now: every frame appended meanwhile waits for this one, so the peer's
            // count of MESSAGE records and ours stay in step
            sequence = ++this.messagesWritten;
            this.inflight = body == null ? new ByteBuffer[] { head } : new ByteBuffer[] { head, body };
            try {
                finishInflight(deadline);
            }
            catch (WriteTimeoutException | WriteInterruptedException ex) {
                if (body != null && this.inflight != null) {
                    // the caller may reuse its array once we have thrown: keep our own copy of the rest
                    ByteBuffer rest = ByteBuffer.allocate(body.remaining()).put(body).flip();
                    this.inflight = new ByteBuffer[] { head, rest };
                }
                throw ex;
            }
        }
        finally {
            this.writerActive = false;
            this.room.signalAll();
        }
        try {
            flushLocked(deadline); // what was appended meanwhile, behind this frame
        }
        catch (WriteTimeoutException | WriteInterruptedException ex) {
            // this frame is out; the rest stays first in line for the next write
        }
        return sequence;
    }

    /**
     * Writes {@code parts} completely. The channel is non-blocking: when the socket is full the
     * thread waits for it to drain, at most until {@code deadline}, so a peer that stopped
     * reading can not hold a sender forever.
     */
    private void writeUnlocked(ByteBuffer[] parts, long deadline) throws IOException {
        ByteBuffer last = parts[parts.length - 1];
        this.lock.unlock();
        IOException failed = null;
        try {
            while (last.hasRemaining()) {
                if (Thread.currentThread().isInterrupted()) {
                    // checked before writing: an interrupt during a channel operation closes the channel
                    throw new WriteInterruptedException(true);
                }
                long written = parts.length == 1 ? this.channel.write(parts[0]) : this.channel.write(parts);
                if (written == 0) {
                    awaitWritable(deadline);
                }
            }
        }
        catch (WriteTimeoutException | WriteInterruptedException ex) {
            throw ex; // the rest stays first in line
        }
        catch (IOException ex) {
            failed = ex;
        }
        finally {
            this.lock.lock(); // whatever happened, callers hold the lock again
        }
        this.lastWriteEnd = System.nanoTime();
        if (failed != null) {
            if (this.failure == null) {
                this.failure = failed;
            }
            this.room.signalAll();
            throw failed;
        }
    }

    private void awaitWritable(long deadline) throws IOException {
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0) {
            throw new WriteTimeoutException(true);
        }
        try {
            this.selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(remaining + 999_999)));
            this.selector.selectedKeys().clear();
        }
        catch (ClosedSelectorException ex) {
            throw new ClosedChannelException();
        }
    }

    /**
     * The sending thread was interrupted; checked before each system call, since an interrupt
     * during a channel operation would close the channel.
     */
    static final class WriteInterruptedException extends InterruptedIOException {

        private static final long serialVersionUID = 1L;

        private final boolean queued;

        WriteInterruptedException(boolean queued) {
            super("interrupted while writing");
            this.queued = queued;
        }

        /** Whether the frame is already queued: it goes out with the next write on this connection. */
        boolean queued() {
            return this.queued;
        }
    }

    /** The socket stayed full until the deadline: the peer is not reading. */
    static final class WriteTimeoutException extends IOException {

        private static final long serialVersionUID = 1L;

        private final boolean queued;

        WriteTimeoutException(boolean queued) {
            super("the peer did not read in time");
            this.queued = queued;
        }

        /**
         * Whether the frame is already queued (partly written, or behind a write that stalled):
         * it goes out when the peer reads again, if it ever does.
         */
        boolean queued() {
            return this.queued;
        }
    }
}

package io.github.springipc.transport.queue;

import static io.github.springipc.transport.queue.QueueLayout.*;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Pattern;

import io.github.springipc.transport.IpcChannel;
import io.github.springipc.transport.IpcClosedException;
import io.github.springipc.transport.IpcCorruptDataException;
import io.github.springipc.transport.IpcDelivery;
import io.github.springipc.transport.IpcException;
import io.github.springipc.transport.IpcMessage;
import io.github.springipc.transport.IpcMessageCodec;
import io.github.springipc.transport.IpcMessageTooLargeException;
import io.github.springipc.transport.IpcTimeoutException;
import io.github.springipc.transport.file.IpcDirectory;
import io.github.springipc.transport.file.LockFile;
import io.github.springipc.transport.file.LockFile.HeldByte;
import io.github.springipc.transport.file.MappedRegionFile;
import io.github.springipc.transport.liveness.ProcessIdentity;

/**
 * A bounded, persistent, multi-producer multi-consumer queue in one memory-mapped file
 * ({@code <dir>/<name>.queue}), shared by any number of processes: each message goes to exactly
 * one consumer and stays in the queue until that consumer acknowledges it (at-least-once). The
 * messages of a consumer that dies are delivered again to another one, with
 * {@link IpcDelivery#deliveryAttempt()} above 1; a producer dying mid-write never blocks the
 * queue. No broker, no extra process, no native code.
 *
 * <pre>{@code
 * try (IpcQueue queue = IpcQueue.open(IpcDirectory.prepare(dir), "orders", QueueOptions.defaults())) {
 *     queue.send(IpcMessage.of("hello".getBytes()), Duration.ofSeconds(1));   // producer
 *     IpcDelivery delivery = queue.receive(Duration.ofSeconds(1));            // consumer
 *     if (delivery != null) {
 *         handle(delivery.message());
 *         delivery.acknowledge();
 *     }
 * }
 * }</pre>
 *
 * <p><b>Order.</b> Records are dispatched in the order producers claimed their space, so with
 * one consumer each producer's messages arrive in the order it sent them. With competing
 * consumers, dispatch is still in that order but handling overlaps, and a redelivered message
 * comes after later ones.
 *
 * <p><b>Raw API.</b> {@link #tryWrite(ByteBuffer)}, {@link #offer(ByteBuffer, int, int)},
 * {@link #tryWrite(ByteBuffer[], int, int)} (many messages per claim of queue space) and
 * {@link #drain(RawMessageHandler, int)} (a batch per claim, settled with one store) move bytes
 * without allocating per message: the fastest way through the queue.
 *
 * <p><b>Batches of envelopes.</b> {@link #receive(int, Duration)} takes several messages with one
 * claim; each delivery is still settled on its own. {@link #liveConsumers()} and
 * {@link #liveProducers()} count the live attachments (cheap: cached for a second), e.g. for a
 * health check.
 *
 * <p>Instances are thread-safe. Each attachment takes a process slot in the file, released on
 * {@link #close()}; the file and the messages stay.
 */
public final class IpcQueue implements IpcChannel {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    private static final int MAX_BATCH = 256;

    /** Envelopes up to this size are copied out whole and decoded on the heap; larger ones in place. */
    private static final int COPIED_ENVELOPE = 4096;

    private static final int REPLY_SENDERS_CACHED = 64;

    private static final VarHandle HELD_BY;

    private static final VarHandle SETTLING;

    static {
        try {
            HELD_BY = MethodHandles.lookup().findVarHandle(IpcQueue.class, "heldBy", Thread.class);
            SETTLING = MethodHandles.lookup().findVarHandle(IpcQueue.class, "settling", int.class);
        }
        catch (ReflectiveOperationException ex) {
            throw new ExceptionInInitializerError(ex);
        }
    }

    /** How long {@link #liveConsumers()} and {@link #liveProducers()} reuse a count. */
    private static final long LIVE_COUNT_TTL_NANOS = 1_000_000_000L;

    /** How long {@link #close()} waits for a drain handler of another thread to return. */
    private static final long CLOSE_WAIT_NANOS = 2_000_000_000L;

    /**
     * How long a blocking consumer busy-polls before it polls between yields: a reply or the
     * next message of a busy conversation usually comes within a few microseconds.
     */
    static final long SPIN_NANOS = 2_000;

    /**
     * How long a blocking consumer polls (spinning, then yielding) before it sleeps on the
     * doorbell: far shorter than a doorbell wake-up costs (tens of microseconds), and nothing
     * for an idle consumer, which pays it once per {@code receive} call.
     */
    static final long YIELD_BEFORE_SLEEP_NANOS = 50_000;

    /**
     * Longest doorbell sleep while nothing is in flight (head = tail): no record for a dead
     * process to hold, and every new one is followed by a ring. The wake-up only bounds how long
     * a producer killed between its claim and its ring (it never rang, so its closed connection
     * does not wake us either) can stall the queue; waking every liveness interval instead kept
     * an idle listener's thread running its interpreted wait loop ten times a second.
     */
    static final long IDLE_SLEEP_NANOS = 1_000_000_000L;

    /** Empty drains after which a drain reclaims whatever is settled (about 10-50 µs of polling). */
    private static final int IDLE_DRAINS_BEFORE_RECLAIM = 1024;

    /** Polls between yields while a claimed record at the cursor is still being written. */
    private static final int PENDING_SPINS = 100;

    /** Test hook (only with {@code QueueRing.TEST_HOOKS}): run between writing a record and publishing it. */
    static volatile Runnable beforePublishHook;

    private final String name;

    private final Path directory;

    private final QueueOptions options;

    private final MappedRegionFile region;

    private final QueueRing ring;

    private final LockFile locks;

    private final HeldByte slotLock;

    private final int slot;

    private final long epoch;

    private final QueueRecovery recovery;

    private final ByteBuffer readOnlyView;

    private final boolean blocking;

    private final int reclaimThreshold;

    /** Most bytes one {@link #tryWrite(ByteBuffer[], int, int)} claims: bounds the padding a run may cost at the ring end. */
    private final int maxRun;

    private final ProducerLanes lanes;

    private final Object claimLock = new Object();

    private final Object doorbellLock = new Object();

    /** Claimed positions of the drain that holds the slot's held span (see {@link #heldBy}). */
    private final long[] heldBatch = new long[MAX_BATCH];

    /**
     * The thread whose {@link #drain} holds this slot's held span right now. One drain at a time
     * can: the others (or a handler draining again) stamp their claims one by one.
     */
    @SuppressWarnings("unused") // through HELD_BY
    private volatile Thread heldBy;

    /**
     * Work on this attachment's slot between its check of {@link #closed} and its end:
     * acknowledgements (see {@link #acknowledge}), the settling of a stamped drain's batch and
     * reclaims, which record their span in the slot. {@link #close()} waits for them before it
     * returns the slot's claims and frees it.
     */
    @SuppressWarnings("unused") // through SETTLING
    private volatile int settling;

    /** Role counts of live slots, cached: {@code [consumers, producers]}, with the time they were taken. */
    private volatile long[] liveCounts;

    private final ThreadLocal<long[]> batches = ThreadLocal.withInitial(() -> new long[MAX_BATCH]);

    /** The claim stamps of a stamped drain's {@link #batches}, read while close could not return them. */
    private final ThreadLocal<long[]> stamps = ThreadLocal.withInitial(() -> new long[MAX_BATCH]);

    /**
     * Claimed positions of {@link #poll()} and {@link #receive(int, Duration)}: apart from the
     * drains' {@link #batches}, because a drain handler may receive from this queue while its
     * drain still reads its own batch.
     */
    private final ThreadLocal<long[]> receiveBatches = ThreadLocal.withInitial(() -> new long[MAX_BATCH]);

    /** Scratch for {@link #claimBatchAfterFirst}. */
    private final ThreadLocal<long[]> moreBatches = ThreadLocal.withInitial(() -> new long[MAX_BATCH]);

    private final Map<String, IpcQueue> replySenders = new ConcurrentHashMap<>();

    private volatile DoorbellRinger ringer;

    private volatile Doorbell doorbell;

    private volatile ReplyInbox replyInbox;

    private volatile long nextHousekeeping;

    private volatile boolean closed;

    /** Set by a {@link #close()} that stopped waiting for a drain handler of another thread. */
    private volatile boolean heldDrainAbandoned;

    /** Consecutive drains that found nothing (racy across threads: only a hint). */
    private int idleDrains;

    /** Paces whichever thread holds the held drain ({@link #HELD_BY}) once it caught up with a stream. */
    private final StreamPacer pacer = new StreamPacer();

    /**
     * Whether the slot's role says producer / consumer yet (diagnostics only). Producing threads
     * of both lanes may race on it: that only repeats the idempotent role update.
     */
    private boolean producing;

    private volatile boolean consuming;

    private IpcQueue(String name, Path directory, QueueOptions options, MappedRegionFile region,
            LockFile locks) {
        this.name = name;
        this.directory = directory;
        this.options = options;
        this.region = region;
        this.locks = locks;
        ByteBuffer buffer = region.buffer();
        int capacity = (int) (long) QueueRing.LONG.getAcquire(buffer, CAPACITY_OFFSET);
        int slotCount = (int) QueueRing.INT.getAcquire(buffer, SLOT_COUNT_OFFSET);
        this.ring = new QueueRing(buffer, capacity, slotCount, "'" + name + "' (" + region.path() + ")");
        this.recovery = new QueueRecovery(this.ring, locks, directory, name);
        this.readOnlyView = buffer.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
        this.blocking = options.waitStrategy() == WaitStrategy.BLOCKING;
        this.reclaimThreshold = Math.min(capacity / 8, 64 << 10);
        this.maxRun = Math.min(capacity / 8, 64 << 10);
        HeldByte taken = null;
        int takenSlot = -1;
        for (int candidate = 0; candidate < slotCount && taken == null; candidate++) {
            HeldByte lock = locks.tryHold(candidate);
            if (lock == null) {
                continue;
            }
            if (this.recovery.recoverSlot(candidate)) {
                taken = lock;
                takenSlot = candidate;
            }
            else {
                lock.release(); // its dead owner left work that a live process is in the middle of
            }
        }
        if (taken == null) {
            throw new IpcException("All " + slotCount + " process slots of queue '" + name + "' (" + region.path()
                    + ") are in use by live processes. Close unused attachments, or recreate the queue with more slots "
                    + "(ipc.queues." + name + ".max-processes with the starter, QueueOptions.slots otherwise)");
        }
        this.slotLock = taken;
        this.slot = takenSlot;
        this.lanes = new ProducerLanes(takenSlot);
        this.epoch = this.ring.slotLong(takenSlot, SLOT_EPOCH) + 1;
        ProcessIdentity me = ProcessIdentity.current();
        this.ring.setSlotLong(takenSlot, SLOT_EPOCH, this.epoch);
        this.ring.setSlotLong(takenSlot, SLOT_START, me.startMillis());
        this.ring.setSlotLong(takenSlot, SLOT_INTENT_POSITION, -1);
        this.ring.setSlotLong(takenSlot, SLOT_LANE1_INTENT_POSITION, -1);
        this.ring.setSlotLong(takenSlot, SLOT_CLAIM_FROM, -1);
        this.ring.setSlotLong(takenSlot, SLOT_HELD_FROM, -1);
        this.ring.setSlotLong(takenSlot, SLOT_RECLAIM_FROM, -1);
        this.ring.setSlotInt(takenSlot, SLOT_ROLE, 0);
        this.ring.setSlotLong(takenSlot, SLOT_PID, me.pid());
        housekeeping(); // messages of processes that died while nobody was attached come back now
    }

    /**
     * Attaches to the queue {@code <directory>/<name>.queue}, creating it when it does not exist.
     * An existing queue is validated (magic, version, capacity) and never re-initialised.
     *
     * @param directory the IPC directory (see {@link IpcDirectory#prepare})
     * @param name the queue's name: letters, digits, '.', '_' or '-'
     * @throws IpcCorruptDataException when the file is not a queue of this version or its
     *         capacity differs from {@code options.capacity()}
     */
    public static IpcQueue open(Path directory, String name, QueueOptions options) {
        return open(directory, name, options, false);
    }

    static IpcQueue open(Path directory, String name, QueueOptions options, boolean adoptCapacity) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("Queue name '" + name + "' must be 1 to 128 letters, digits, '.', '_' or '-'"
                    + " and start with a letter or digit");
        }
        Path dir = IpcDirectory.prepare(directory);
        Path file = dir.resolve(name + ".queue");
        long size = fileSize(options.slots(), options.capacity());
        MappedRegionFile region = MappedRegionFile.openOrCreate(file, size, MappedRegionFile.OWNER_ONLY,
                buffer -> initialize(buffer, options), (buffer, fileSize) -> validate(buffer, fileSize, name, file,
                        options, adoptCapacity), options.recreateWhenInvalid());
        LockFile locks = null;
        try {
            locks = LockFile.open(dir.resolve(name + ".queue.lock"), MappedRegionFile.OWNER_ONLY);
            return new IpcQueue(name, dir, options, region, locks);
        }
        catch (RuntimeException ex) {
            if (locks != null) {
                locks.close();
            }
            region.close();
            throw ex;
        }
    }

    private static void initialize(ByteBuffer buffer, QueueOptions options) {
        buffer.putInt(VERSION_OFFSET, VERSION);
        buffer.putInt(SLOT_COUNT_OFFSET, options.slots());
        buffer.putLong(CAPACITY_OFFSET, options.capacity());
        buffer.putInt(MAX_MESSAGE_SIZE_OFFSET, options.maxMessageSize());
        buffer.putLong(RING_OFFSET_OFFSET, ringOffset(options.slots()));
        buffer.putLong(CREATED_OFFSET, System.currentTimeMillis());
        for (int slot = 0; slot < options.slots(); slot++) {
            int base = slotOffset(slot);
            buffer.putLong(base + SLOT_INTENT_POSITION, -1);
            buffer.putLong(base + SLOT_LANE1_INTENT_POSITION, -1);
            buffer.putLong(base + SLOT_CLAIM_FROM, -1);
            buffer.putLong(base + SLOT_HELD_FROM, -1);
            buffer.putLong(base + SLOT_RECLAIM_FROM, -1);
        }
        buffer.putLong(MAGIC_OFFSET, MAGIC); // last: a file with a magic is complete
    }

    private static void validate(ByteBuffer buffer, long fileSize, String name, Path file, QueueOptions options,
            boolean adoptCapacity) {
        String advice = ". Stop every process using it and delete the file (its messages are lost), or set "
                + "ipc.queues." + name + ".recreate-when-invalid=true";
        if (fileSize < HEADER_LENGTH || buffer.getLong(MAGIC_OFFSET) != MAGIC) {
            throw new IpcCorruptDataException("File " + file + " is not an IPC queue (no queue magic in its "
                    + Math.min(fileSize, HEADER_LENGTH) + "-byte header)" + advice);
        }
        int version = buffer.getInt(VERSION_OFFSET);
        if (version != VERSION) {
            throw new IpcCorruptDataException("Queue file " + file + " has layout version " + version
                    + "; this library reads version " + VERSION + advice);
        }
        int slots = buffer.getInt(SLOT_COUNT_OFFSET);
        long capacity = buffer.getLong(CAPACITY_OFFSET);
        if (slots < 1 || slots > MAX_SLOTS || capacity < 4096 || capacity > (1 << 30) || Long.bitCount(capacity) != 1
                || buffer.getLong(RING_OFFSET_OFFSET) != ringOffset(slots)
                || fileSize != fileSize(slots, capacity)) {
            throw new IpcCorruptDataException("Queue file " + file + " has an inconsistent header (slots " + slots
                    + ", capacity " + capacity + ", ring offset " + buffer.getLong(RING_OFFSET_OFFSET) + ", file size "
                    + fileSize + ")" + advice);
        }
        if (!adoptCapacity && capacity != options.capacity()) {
            throw new IpcCorruptDataException("Queue file " + file + " has a capacity of " + capacity
                    + " bytes but ipc.queues." + name + ".capacity is " + options.capacity()
                    + ". Use the same capacity in every process, or stop them all and delete the file");
        }
        long head = buffer.getLong(HEAD_OFFSET);
        long dispatch = buffer.getLong(DISPATCH_OFFSET);
        long tail = buffer.getLong(TAIL_OFFSET);
        // every position is a sum of record sizes: a misaligned one would fault the first atomic access
        if (head < 0 || head > dispatch || dispatch > tail || tail - head > capacity
                || ((head | dispatch | tail) & (RECORD_ALIGNMENT - 1)) != 0) {
            throw new IpcCorruptDataException("Queue file " + file + " has inconsistent counters (head " + head
                    + ", dispatch " + dispatch + ", tail " + tail + ", capacity " + capacity + ")" + advice);
        }
    }

    @Override
    public String name() {
        return this.name;
    }

    /** The queue file. */
    public Path path() {
        return this.region.path();
    }

    /** The options this attachment uses. */
    public QueueOptions options() {
        return this.options;
    }

    /** Ring capacity in bytes, as recorded in the file. */
    public int capacity() {
        return this.ring.capacity;
    }

    // ---- producing -------------------------------------------------------------------------

    @Override
    public Duration sendTimeout() {
        return this.options.sendTimeout();
    }

    /** Sends with the configured {@link QueueOptions#sendTimeout()}. */
    public void send(IpcMessage message) {
        send(message, this.options.sendTimeout());
    }

    /**
     * Appends a message, waiting up to {@code timeout} for room when the queue is full.
     *
     * @throws IpcTimeoutException when there was no room in time; the message was not sent
     * @throws IpcMessageTooLargeException when its encoding exceeds {@code maxMessageSize}
     */
    @Override
    public void send(IpcMessage message, Duration timeout) {
        int length = checkedLength(IpcMessageCodec.encodedLength(message));
        if (trySendEncoded(message, length)) {
            return; // the common case reads no clock
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        int idle = 0;
        while (!trySendEncoded(message, length)) {
            if (System.nanoTime() - deadline >= 0) {
                throw new IpcTimeoutException("Queue '" + this.name + "' (" + path() + ") stayed full for " + timeout
                        + ": " + pendingBytes() + " of " + this.ring.capacity + " bytes await consumers. Consumers are "
                        + "not keeping up (or hold unacknowledged messages); raise ipc.queues." + this.name
                        + ".capacity or ipc.queues." + this.name + ".send-timeout");
            }
            idle = backOff(idle);
        }
    }

    /**
     * Appends a message if there is room now.
     *
     * @return false when the queue is full (a full queue takes new messages once an eighth of it,
     *         at most 64 KiB, is settled)
     * @throws IpcMessageTooLargeException when its encoding exceeds {@code maxMessageSize}
     */
    public boolean trySend(IpcMessage message) {
        return trySendEncoded(message, checkedLength(IpcMessageCodec.encodedLength(message)));
    }

    private boolean trySendEncoded(IpcMessage message, int length) {
        ProducerLane lane = this.lanes.enter();
        try {
            return sendThrough(lane, message, length);
        }
        finally {
            this.lanes.exit(lane);
        }
    }

    // the body of trySendEncoded, apart so that the caller stays small enough to inline
    private boolean sendThrough(ProducerLane lane, IpcMessage message, int length) {
        long position = claim(lane, length);
        if (position < 0) {
            return false;
        }
        boolean wake = this.ring.waitersAfterClaim(); // whatever our own strategy: consumers may block
        try {
            this.ring.beginWrite(position, length, TYPE_ENVELOPE);
            // absolute: no duplicate of the ring buffer per message (length was checked by the claim)
            IpcMessageCodec.encodeAt(message, this.ring.buffer, this.ring.index(position) + RECORD_HEADER_LENGTH);
            beforePublish();
        }
        catch (Throwable ex) {
            giveUp(position, recordSize(length));
            throw ex;
        }
        publish(position, wake);
        return true;
    }

    /**
     * Pads over a claim that failed before it was published. Everything a message can be refused
     * for is checked before the claim, so this takes only what nobody expects (an error, a bug):
     * a claim left EMPTY would stop every consumer at it for as long as this process lives, since
     * recovery pads only the claims of dead processes.
     */
    private void giveUp(long position, int size) {
        this.ring.pad(position, size);
    }

    /**
     * Appends the bytes between {@code source}'s position and limit as one raw message if there
     * is room now, advancing the position on success. Allocates nothing.
     *
     * @return false when the queue is full (a full queue takes new messages once an eighth of it,
     *         at most 64 KiB, is settled)
     * @throws IpcMessageTooLargeException when the bytes exceed {@code maxMessageSize}
     */
    public boolean tryWrite(ByteBuffer source) {
        int length = source.remaining();
        if (!offer(source, source.position(), length)) {
            return false;
        }
        source.position(source.position() + length);
        return true;
    }

    /**
     * Appends bytes {@code [offset, offset + length)} of {@code source} (absolute; position
     * and limit are ignored and unchanged) as one raw message if there is room now. Allocates
     * nothing.
     *
     * @return false when the queue is full (a full queue takes new messages once an eighth of it,
     *         at most 64 KiB, is settled)
     * @throws IpcMessageTooLargeException when the bytes exceed {@code maxMessageSize}
     */
    public boolean offer(ByteBuffer source, int offset, int length) {
        checkedLength(length);
        Objects.checkFromIndexSize(offset, length, source.limit()); // before the claim: see giveUp
        ProducerLane lane = this.lanes.enter();
        try {
            return offerThrough(lane, source, offset, length);
        }
        finally {
            this.lanes.exit(lane);
        }
    }

    // the body of offer, apart so that offer stays small enough to inline into a caller's loop
    private boolean offerThrough(ProducerLane lane, ByteBuffer source, int offset, int length) {
        long position = claim(lane, length);
        if (position < 0) {
            return false;
        }
        boolean wake = this.ring.waitersAfterClaim(); // whatever our own strategy: consumers may block
        try {
            this.ring.beginWrite(position, length, TYPE_RAW);
            this.ring.writePayload(position, source, offset, length);
            beforePublish();
        }
        catch (Throwable ex) {
            giveUp(position, recordSize(length));
            throw ex;
        }
        publish(position, wake);
        return true;
    }

    /**
     * Appends several raw messages with one claim of queue space (one atomic update of the
     * shared tail for all of them): message {@code i} is the bytes between the position and
     * limit of {@code messages[from + i]}. Appends the longest prefix of the messages that fits
     * now, advancing the position of each appended buffer. Allocates nothing. Consumers see the
     * messages one by one as they are written, in order.
     *
     * <pre>{@code
     * int sent = 0;
     * while (sent < batch.length) {
     *     sent += queue.tryWrite(batch, sent, batch.length - sent);   // 0 while the queue is full
     * }
     * }</pre>
     *
     * @return how many messages were appended, 0 when the queue is full (or {@code count} is 0)
     * @throws IpcMessageTooLargeException when one of the messages exceeds {@code maxMessageSize}
     *         (nothing is appended)
     */
    public int tryWrite(ByteBuffer[] messages, int from, int count) {
        Objects.checkFromIndexSize(from, count, messages.length);
        int n = 0;
        int total = 0;
        for (; n < count; n++) {
            int size = recordSize(checkedLength(messages[from + n].remaining()));
            if (n > 0 && total + size > this.maxRun) {
                break;
            }
            total += size;
        }
        if (n == 0) {
            return 0;
        }
        ProducerLane lane = this.lanes.enter();
        try {
            long position;
            for (;;) {
                position = n == 1 ? claim(lane, messages[from].remaining()) : claimSpan(lane, total, true);
                if (position >= 0) {
                    break;
                }
                if (n == 1) {
                    return 0;
                }
                n = (n + 1) / 2; // the ring is nearly full: try a shorter run
                total = 0;
                for (int i = 0; i < n; i++) {
                    total += recordSize(messages[from + i].remaining());
                }
            }
            boolean wake = this.ring.waitersAfterClaim(); // whatever our own strategy: consumers may block
            long end = position + total;
            for (int i = 0; i < n; i++) {
                ByteBuffer message = messages[from + i];
                int length = message.remaining();
                try {
                    this.ring.beginWrite(position, length, TYPE_RAW);
                    this.ring.writePayload(position, message, message.position(), length);
                    beforePublish();
                }
                catch (Throwable ex) {
                    giveUp(position, (int) (end - position)); // the rest of the run: published records stay
                    throw ex;
                }
                this.ring.publish(position); // consumers may take it while we write the next
                if (QueueRing.TEST_HOOKS && i == 0 && n > 1) {
                    QueueRing.crashPoint("mid-run");
                }
                position += recordSize(length);
            }
            if (wake) {
                ringSleepers();
            }
        }
        finally {
            this.lanes.exit(lane);
        }
        for (int i = 0; i < n; i++) {
            ByteBuffer message = messages[from + i];
            message.position(message.limit());
        }
        return n;
    }

    /**
     * Appends a raw message, waiting up to {@code timeout} for room.
     *
     * @throws IpcTimeoutException when there was no room in time
     */
    public void write(ByteBuffer source, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        int idle = 0;
        while (!tryWrite(source)) {
            if (System.nanoTime() - deadline >= 0) {
                throw new IpcTimeoutException("Queue '" + this.name + "' (" + path() + ") stayed full for " + timeout
                        + "; raise ipc.queues." + this.name + ".capacity or let consumers catch up");
            }
            idle = backOff(idle);
        }
    }

    private int checkedLength(int length) {
        if (length > this.options.maxMessageSize()) {
            throw new IpcMessageTooLargeException("Message of " + length + " bytes exceeds the limit of queue '"
                    + this.name + "', ipc.queues." + this.name + ".max-message-size=" + this.options.maxMessageSize()
                    + " bytes");
        }
        return length;
    }

    /**
     * Claims room for one record of {@code length} payload bytes through {@code lane}, which
     * the calling thread entered.
     *
     * @return its position, or -1 when the queue is full
     * @throws IpcClosedException when this attachment is closed (or closes during the claim:
     *         the claimed space is then given up, see {@link ProducerLanes})
     */
    private long claim(ProducerLane lane, int length) {
        return claimSpan(lane, recordSize(length), false);
    }

    /** {@link #claim(ProducerLane, int)} for {@code size} bytes; with {@code run}, several records. */
    private long claimSpan(ProducerLane lane, int size, boolean run) {
        checkOpen();
        markProducing();
        long position = this.ring.claim(lane, size, run);
        if (position < 0) {
            return claimAfterReclaim(lane, size, run);
        }
        return keptUnlessClosed(position, size);
    }

    /**
     * A claim just made, unless this attachment closed meanwhile: {@code closed} is read after
     * the tail CAS (a fence), and a close that did not see us busy is freeing the slot, so the
     * claim is given up (see {@link ProducerLanes}).
     */
    private long keptUnlessClosed(long position, int size) {
        if (position >= 0 && this.closed) {
            this.ring.pad(position, size);
            checkOpen();
        }
        return position;
    }

    // the rare path apart, so that the hot one stays small enough to inline
    private long claimAfterReclaim(ProducerLane lane, int size, boolean run) {
        // reclaiming writes this slot's fields: a close that did not see us busy (our busy mark
        // still in the store buffer) must not have freed the slot meanwhile. A fence on this rare
        // path makes sure (see ProducerLanes)
        VarHandle.fullFence();
        checkOpen();
        // settled records may be waiting for a reclaimer; but only a span worth it is taken here:
        // a producer that reclaimed each record as soon as its consumer settled it would write
        // its next record into the lines that consumer is working on, message by message (the
        // caught-up state of StreamPacer, from behind; ~10 % of the POJO rate). Consumers,
        // idle drains and housekeeping reclaim smaller spans.
        if (this.ring.reclaimable(this.reclaimThreshold)) {
            this.ring.reclaim(this.slot, this.epoch);
        }
        return keptUnlessClosed(this.ring.claim(lane, size, run), size);
    }

    /** Runs the test hook between writing a record and publishing it (only with {@code QueueRing.TEST_HOOKS}). */
    private static void beforePublish() {
        if (QueueRing.TEST_HOOKS) {
            Runnable hook = beforePublishHook;
            if (hook != null) {
                hook.run();
            }
        }
    }

    /** {@code wake}: a consumer slept when we claimed (see {@link QueueRing#waitersAfterClaim}). */
    private void publish(long position, boolean wake) {
        this.ring.publish(position);
        if (wake) {
            ringSleepers();
        }
    }

    /** Rings the doorbells of slots with sleeping threads (see {@link DoorbellRinger}); nothing once closed. */
    private void ringSleepers() {
        DoorbellRinger current = this.ringer;
        if (current == null) {
            synchronized (this.doorbellLock) { // close() takes it too: no ringer is made after close
                current = this.ringer;
                if (current == null) {
                    if (this.closed) {
                        return;
                    }
                    current = new DoorbellRinger(this.ring, this.directory, this.name);
                    this.ringer = current;
                }
            }
        }
        current.ringSleepers();
    }

    private int backOff(int idle) {
        housekeepingIfDue();
        if (idle < 100) {
            Thread.onSpinWait();
        }
        else if (idle < 200) {
            Thread.yield();
        }
        else {
            LockSupport.parkNanos(Math.min(1_000_000, 20_000L << Math.min(6, (idle - 200) / 50)));
        }
        return idle + 1;
    }

    // ---- consuming -------------------------------------------------------------------------

    /**
     * Waits up to {@code timeout} for the next message; the caller must settle the delivery.
     * A raw record (from {@link #tryWrite}/{@link #offer}) arrives as a message without headers
     * whose payload is its bytes.
     *
     * @return the delivery, or {@code null} when none came in time
     * @throws IpcCorruptDataException when the record at the front of the queue is corrupt
     *         (counted in {@link #corruptRecords()})
     */
    @Override
    public IpcDelivery receive(Duration timeout) throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        int spins = 0;
        int pending = 0;
        for (;;) {
            IpcDelivery delivery = poll();
            if (delivery != null) {
                this.idleDrains = 0;
                return delivery;
            }
            idleDrain();
            long now = System.nanoTime();
            long remaining = deadline - now;
            if (remaining <= 0) {
                return null;
            }
            if (!this.blocking || now - start < SPIN_NANOS) {
                Thread.onSpinWait();
                if ((++spins & 1023) == 0 && Thread.interrupted()) {
                    throw new InterruptedException();
                }
                continue;
            }
            if (now - start < YIELD_BEFORE_SLEEP_NANOS) {
                // the peer we wait for may share our core: hand it the core instead of spinning
                Thread.yield();
                continue;
            }
            reclaimWhileOpen(); // going to sleep: leave the ring clean
            if (sleepOnDoorbell(remaining)) {
                pending = 0;
            }
            else if (++pending % PENDING_SPINS == 0) {
                // a record claimed at the cursor is not published yet; its producer is slow or
                // dead (then housekeeping pads it within a liveness interval): do not burn a core
                LockSupport.parkNanos(Math.min(remaining, 50_000));
            }
            else {
                Thread.yield();
            }
        }
    }

    /**
     * Takes the next message if one is there now.
     *
     * @return the delivery, or {@code null}
     */
    public IpcDelivery poll() {
        synchronized (this.claimLock) {
            checkOpen();
            markConsuming();
            long position = this.ring.claimRedelivery(this.slot, this.epoch);
            if (position < 0) {
                long[] batch = this.receiveBatches.get();
                if (this.ring.claimBatch(this.slot, this.epoch, batch, 1, false) == 0) {
                    return null;
                }
                position = batch[0];
            }
            long claim = this.ring.state(position);
            return new QueueDelivery(this, position, claim, readMessage(position, claim));
        }
    }

    /**
     * Waits up to {@code timeout} for messages and returns up to {@code maxMessages} of them,
     * taken with one hold of the claim lock and one atomic update of the dispatch cursor when
     * they are there already (a message to redeliver, if any, comes first). Each delivery is
     * settled on its own, as from {@link #receive(Duration)}; those not acknowledged when this
     * attachment closes are delivered again. A corrupt envelope among them is dropped and
     * counted in {@link #corruptRecords()}; the call throws for it only when it was the only
     * message taken.
     *
     * <pre>{@code
     * for (IpcDelivery delivery : queue.receive(64, Duration.ofSeconds(1))) {
     *     handle(delivery.message());
     *     delivery.acknowledge();
     * }
     * }</pre>
     *
     * @return the deliveries in queue order, empty when none came in time
     * @throws IpcCorruptDataException when the only message taken had a corrupt envelope, or the
     *         record at the front of the queue is corrupt
     */
    @Override
    public List<IpcDelivery> receive(int maxMessages, Duration timeout) throws InterruptedException {
        if (maxMessages < 1) {
            throw new IllegalArgumentException("maxMessages must be at least 1, not " + maxMessages);
        }
        List<IpcDelivery> batch = pollBatch(maxMessages, null);
        if (!batch.isEmpty()) {
            this.idleDrains = 0;
            return batch; // busy queue: no clock read, no redelivery scan per message
        }
        if (timeout.isZero() || timeout.isNegative()) {
            idleDrain(); // a container spinning on zero timeouts: one claim attempt per call
            return List.of();
        }
        IpcDelivery first = receive(timeout);
        if (first == null) {
            return List.of();
        }
        if (maxMessages == 1) {
            return List.of(first);
        }
        try {
            return pollBatch(maxMessages - 1, first);
        }
        catch (RuntimeException ex) {
            first.release(); // the caller never sees it
            throw ex;
        }
    }

    /**
     * Takes up to {@code max} messages that are there now, under one hold of the claim lock:
     * one redelivery check, then one {@link QueueRing#claimBatch} that stamps the records
     * CLAIMED by this slot (per-record claims, so each delivery can be settled by itself and in
     * any order). {@code first}, when given, heads the returned list.
     */
    private List<IpcDelivery> pollBatch(int max, IpcDelivery first) {
        long[] positions = this.receiveBatches.get();
        int limit = Math.min(max, MAX_BATCH);
        int count;
        long redelivered;
        long redeliveredClaim = 0;
        synchronized (this.claimLock) {
            checkOpen();
            markConsuming();
            redelivered = this.ring.claimRedelivery(this.slot, this.epoch);
            int from = 0;
            if (redelivered >= 0) {
                redeliveredClaim = this.ring.state(redelivered);
                positions[0] = redelivered;
                from = 1;
            }
            count = from;
            if (limit > from) {
                count += from == 0 ? this.ring.claimBatch(this.slot, this.epoch, positions, limit, false)
                        : claimBatchAfterFirst(positions, limit);
            }
        }
        if (count == 0) {
            return first == null ? List.of() : List.of(first);
        }
        List<IpcDelivery> batch = new ArrayList<>(count + 1);
        if (first != null) {
            batch.add(first);
        }
        // records at or after the dispatch cursor are on their first delivery
        long freshClaim = claimed(this.slot, this.epoch, 1);
        IpcCorruptDataException corrupt = null;
        for (int i = 0; i < count; i++) {
            long position = positions[i];
            long claim = i == 0 && redelivered >= 0 ? redeliveredClaim : freshClaim;
            try {
                batch.add(new QueueDelivery(this, position, claim, readMessage(position, claim)));
            }
            catch (IpcCorruptDataException ex) { // dropped and counted by readMessage
                if (corrupt == null) {
                    corrupt = ex;
                }
                else {
                    corrupt.addSuppressed(ex);
                }
            }
            catch (RuntimeException | Error ex) {
                for (int j = i; j < count; j++) { // not handed out: give them back
                    this.ring.release(positions[j], j == 0 && redelivered >= 0 ? redeliveredClaim : freshClaim);
                }
                for (IpcDelivery taken : batch) {
                    if (taken != first) {
                        taken.release();
                    }
                }
                throw ex;
            }
        }
        if (batch.isEmpty() && corrupt != null) {
            throw corrupt;
        }
        return batch;
    }

    /** Under the claim lock, with a redelivery at {@code positions[0]}: claims more into {@code positions[1..]}. */
    private int claimBatchAfterFirst(long[] positions, int limit) {
        long[] more = this.moreBatches.get();
        int taken = this.ring.claimBatch(this.slot, this.epoch, more, limit - 1, false);
        System.arraycopy(more, 0, positions, 1, taken);
        return taken;
    }

    private IpcMessage readMessage(long position, long claim) {
        long word = this.ring.word0(position);
        int length = lengthOf(word);
        int index = this.ring.index(position) + RECORD_HEADER_LENGTH;
        if (typeOf(word) == TYPE_RAW) {
            byte[] payload = new byte[length];
            this.ring.buffer.get(index, payload);
            return IpcMessage.of(payload);
        }
        try {
            if (length > COPIED_ENVELOPE) { // decoded in place: the payload is copied once
                return IpcMessageCodec.decode(this.readOnlyView, index, length);
            }
            // one bulk copy out of the mapped file, then decode on the heap: reading the headers
            // byte by byte from the mapping costs a bounds and scope check per byte
            byte[] envelope = new byte[length];
            this.ring.buffer.get(index, envelope);
            return IpcMessageCodec.decode(envelope);
        }
        catch (IpcCorruptDataException ex) {
            this.ring.countCorrupt();
            this.ring.acknowledge(position, claim); // a garbage envelope would fail every consumer forever
            throw new IpcCorruptDataException("Queue '" + this.name + "' (" + path() + ") held a message whose envelope "
                    + "is corrupt at position " + position + "; it was dropped: " + ex.getMessage(), ex);
        }
    }

    /**
     * Hands up to {@code limit} messages to {@code handler} in place and acknowledges them when
     * it returns; allocates nothing per message. Does not wait for messages; but a drain that took
     * fewer than 16 messages and stopped at one a producer is writing has caught up with a
     * stream, and the next drain of the attachment's draining thread waits (0.5 to 16 µs) before
     * it looks, so that a busy loop takes the stream in batches (see {@link StreamPacer}). The
     * batch is claimed with one atomic update of the dispatch cursor and, for one draining thread
     * per attachment at a time, settled with one store (no per-message stamps); a concurrent drain
     * of another thread stamps each message. If this process dies during the call, the batch is
     * delivered again.
     *
     * @return how many messages were handled
     * @throws RuntimeException what the handler threw; the messages handled before it are
     *         acknowledged, the others released for redelivery
     */
    public int drain(RawMessageHandler handler, int limit) {
        Thread me = Thread.currentThread();
        if (!HELD_BY.compareAndSet(this, null, me)) {
            return drainStamped(handler, limit); // another thread of ours holds the slot's held span
        }
        try {
            this.pacer.beforeLook(); // before the open check: a close during the pause is seen
            checkOpen();
            markConsuming();
            long[] batch = this.heldBatch;
            long redelivered = this.ring.claimRedelivery(this.slot, this.epoch);
            int count;
            if (redelivered >= 0) {
                batch[0] = redelivered;
                count = 1;
            }
            else {
                count = this.ring.claimBatch(this.slot, this.epoch, batch, Math.min(Math.max(1, limit), MAX_BATCH), true);
            }
            this.pacer.afterClaim(redelivered >= 0 ? QueueRing.STOP_NONE : this.ring.walkStop, count);
            if (count == 0) {
                idleDrain();
                return 0;
            }
            this.idleDrains = 0;
            int handled = 0;
            try {
                // a handler that closed this attachment gave the batch back: hand it no more
                for (; handled < count && !this.heldDrainAbandoned; handled++) {
                    long position = batch[handled];
                    int length = lengthOf(this.ring.word0(position));
                    handler.onMessage(this.readOnlyView, this.ring.index(position) + RECORD_HEADER_LENGTH, length);
                }
            }
            finally {
                if (!this.heldDrainAbandoned) { // else close() returned our claims and may have freed the slot
                    if (redelivered >= 0) {
                        settleOwned(redelivered, handled == 1);
                    }
                    else {
                        for (int i = handled; i < count; i++) {
                            this.ring.releaseHeld(batch[i]); // before the span is cleared
                        }
                        this.ring.settleHeld(this.slot); // one store settles the whole batch
                    }
                    reclaimIfDue();
                }
            }
            return handled;
        }
        finally {
            HELD_BY.setRelease(this, (Thread) null);
        }
    }

    /** {@link #drain} for a thread that found the held span in use: claims are stamped CLAIMED one by one. */
    private int drainStamped(RawMessageHandler handler, int limit) {
        long[] batch = this.batches.get();
        long[] claims = this.stamps.get();
        int count;
        synchronized (this.claimLock) {
            checkOpen();
            markConsuming();
            long redelivered = this.ring.claimRedelivery(this.slot, this.epoch);
            if (redelivered >= 0) {
                batch[0] = redelivered;
                count = 1;
            }
            else {
                count = this.ring.claimBatch(this.slot, this.epoch, batch, Math.min(Math.max(1, limit), MAX_BATCH),
                        false);
            }
            // our stamps, read under the lock that close takes to return them: a close during the
            // handler may give them to other consumers, and the settling below must then fail
            for (int i = 0; i < count; i++) {
                claims[i] = this.ring.state(batch[i]);
            }
        }
        if (count == 0) {
            idleDrain();
            return 0;
        }
        int handled = 0;
        try {
            // once closed (maybe by the handler), close may have given the rest to other consumers
            for (; handled < count && !this.closed; handled++) {
                long position = batch[handled];
                int length = lengthOf(this.ring.word0(position));
                handler.onMessage(this.readOnlyView, this.ring.index(position) + RECORD_HEADER_LENGTH, length);
            }
        }
        finally {
            settleStamped(batch, claims, count, handled);
            reclaimIfDue();
        }
        return handled;
    }

    /**
     * Settles a stamped drain's batch: the first {@code handled} records are acknowledged, the
     * rest released for redelivery. A close of another thread may have returned them while the
     * handler ran (it waits only for the held span), so, as {@link #acknowledge} does, the
     * {@link #settling} count raised before the {@link #closed} check makes a close wait for the
     * stores, and after close only a CAS from our own stamp settles a record.
     */
    private void settleStamped(long[] batch, long[] claims, int count, int handled) {
        SETTLING.getAndAdd(this, 1);
        try {
            boolean open = !this.closed;
            for (int i = 0; i < count; i++) {
                if (i >= handled) {
                    release(batch[i], claims[i]); // a CAS from our stamp either way
                }
                else if (open) {
                    this.ring.acknowledgeOwned(batch[i]);
                }
                else {
                    this.ring.acknowledge(batch[i], claims[i]); // fails if close returned it: redelivered
                }
            }
        }
        finally {
            SETTLING.getAndAdd(this, -1);
        }
    }

    /** Settles a record stamped CLAIMED by this attachment, held by the calling drain since its claim. */
    private void settleOwned(long position, boolean handled) {
        if (handled) {
            this.ring.acknowledgeOwned(position);
        }
        else {
            this.ring.release(position, this.ring.state(position));
        }
    }

    /**
     * A drain that found nothing reclaims once the consumer has been idle for a while (or the
     * settled span is large): reclaiming right after every message would zero the cache line
     * that the producer writes the next record into, a cache miss on both sides per message.
     */
    private void idleDrain() {
        if (++this.idleDrains >= IDLE_DRAINS_BEFORE_RECLAIM) {
            this.idleDrains = 0;
            reclaimWhileOpen();
        }
        else {
            reclaimIfDue();
        }
        housekeepingIfDue();
    }

    /**
     * Reclaims in large spans: zeroing and moving the head per small batch would cost more than
     * the messages; producers short of room and idle drains reclaim the rest.
     */
    private void reclaimIfDue() {
        if (this.ring.dispatch() - this.ring.head() >= this.reclaimThreshold) {
            reclaimWhileOpen();
        }
    }

    /**
     * Reclaims unless this attachment is closed: a reclaim records its span in our slot, which
     * a close frees (and another process may then take). Consumer threads reclaim while another
     * thread may close; the {@link #settling} count makes the close wait for a reclaim under way.
     * Two atomics, once per reclaimed span or idle spell.
     */
    private void reclaimWhileOpen() {
        SETTLING.getAndAdd(this, 1);
        try {
            if (!this.closed) {
                this.ring.reclaim(this.slot, this.epoch);
            }
        }
        finally {
            SETTLING.getAndAdd(this, -1);
        }
    }

    private void markProducing() {
        if (!this.producing) {
            this.producing = true;
            this.ring.addSlotRole(this.slot, ROLE_PRODUCER);
        }
    }

    private void markConsuming() {
        if (!this.consuming) {
            this.consuming = true;
            this.ring.addSlotRole(this.slot, ROLE_CONSUMER);
        }
    }

    /**
     * Settles a delivery of {@link #receive}. While this attachment is open nobody else can take
     * a record its live slot claimed (only {@link #close()} or the recovery of a dead slot
     * does), so a release store settles it: no CAS. The {@link #settling} count, raised before
     * the {@link #closed} check (both sequentially consistent), makes {@code close()} wait for
     * that store before it returns the slot's claims; after close, a CAS finds out whether the
     * record was returned meanwhile.
     */
    void acknowledge(long position, long claim) {
        SETTLING.getAndAdd(this, 1);
        try {
            if (!this.closed) {
                this.ring.acknowledgeOwned(position);
            }
            else if (!this.ring.acknowledge(position, claim)) {
                return; // this attachment closed meanwhile and returned the message: it is redelivered
            }
        }
        finally {
            SETTLING.getAndAdd(this, -1);
        }
        reclaimIfDue(); // the rest when this consumer goes idle (see idleDrain)
    }

    void release(long position, long claim) {
        if (this.ring.release(position, claim) && this.ring.hasWaiters()) {
            ringSleepers();
        }
    }

    /**
     * Sleeps on the doorbell unless there is work or a record is being written at the cursor:
     * for at most a liveness interval while records are in flight (one of them may belong to a
     * process that dies), else for at most {@link #IDLE_SLEEP_NANOS}.
     *
     * @return false when it did not sleep because a claimed record is not published yet
     */
    private boolean sleepOnDoorbell(long nanos) throws InterruptedException {
        Doorbell bell = doorbell();
        this.ring.addSlotInt(this.slot, SLOT_WAITERS, 1);
        // a full fence, paired with the producers' tail CAS + waiters load: the re-check below
        // sees every claim made before a producer could have missed our increment
        this.ring.addCounter(WAITERS_OFFSET, 1);
        try {
            if (this.ring.counter(REDELIVER_REQUEST_OFFSET) != this.ring.counter(REDELIVER_SEEN_OFFSET)) {
                return true;
            }
            long dispatch = (long) QueueRing.LONG.getVolatile(this.ring.buffer, DISPATCH_OFFSET);
            long tail = (long) QueueRing.LONG.getVolatile(this.ring.buffer, TAIL_OFFSET);
            if (dispatch < tail) {
                // claimed space not dispatched yet: published (poll again) or being written, by a
                // producer that may have missed our increment and will then not ring
                int kind = QueueLayout.kind(this.ring.state(dispatch));
                return kind == AVAILABLE || kind == PADDING;
            }
            // records between head and tail are claimed by consumers (or settled, not reclaimed):
            // their owner may die with nobody to ring us, so housekeeping must come round in time
            long bound = this.ring.head() < tail ? this.options.livenessInterval().toNanos()
                    : Math.max(IDLE_SLEEP_NANOS, this.options.livenessInterval().toNanos());
            bell.await(Math.min(nanos, bound));
            return true;
        }
        finally {
            this.ring.addCounter(WAITERS_OFFSET, -1);
            this.ring.addSlotInt(this.slot, SLOT_WAITERS, -1);
        }
    }

    /** How many times a thread of this attachment came back from its doorbell; 0 before the first sleep (tests). */
    long doorbellWakeups() {
        Doorbell bell = this.doorbell;
        return bell == null ? 0 : bell.wakeups();
    }

    private Doorbell doorbell() {
        Doorbell current = this.doorbell;
        if (current == null) {
            synchronized (this.doorbellLock) {
                checkOpen();
                current = this.doorbell;
                if (current == null) {
                    current = Doorbell.bind(Doorbell.path(this.directory, this.name, this.slot));
                    this.ring.addSlotRole(this.slot, ROLE_DOORBELL);
                    this.doorbell = current;
                }
            }
        }
        return current;
    }

    // ---- request / reply -------------------------------------------------------------------

    /**
     * Sends a request and waits for its reply, which comes back through a private reply queue
     * of this attachment ({@code <name>.reply-<pid>-<start>-<n>.queue}).
     *
     * @throws IpcTimeoutException when no reply came within {@code timeout}
     */
    @Override
    public IpcMessage request(IpcMessage message, Duration timeout) {
        ReplyInbox inbox = this.replyInbox;
        if (inbox == null) {
            synchronized (this.doorbellLock) {
                checkOpen();
                inbox = this.replyInbox;
                if (inbox == null) {
                    inbox = ReplyInbox.create(this.directory, this.name, this.options);
                    this.replyInbox = inbox;
                }
            }
        }
        return inbox.request(this, message, timeout);
    }

    void sendReply(String replyTo, String correlationId, IpcMessage reply) {
        checkOpen();
        if (!NAME.matcher(replyTo).matches() || !replyTo.contains(".reply-")) {
            throw new IpcCorruptDataException("Message on queue '" + this.name + "' names reply queue '" + replyTo
                    + "', which is not a reply queue name");
        }
        IpcQueue target = this.replySenders.get(replyTo);
        if (target == null) {
            if (!Files.exists(this.directory.resolve(replyTo + ".queue"))) {
                throw new IpcException("The requester of a message on queue '" + this.name + "' is gone: its reply queue "
                        + this.directory.resolve(replyTo + ".queue") + " does not exist");
            }
            if (this.replySenders.size() >= REPLY_SENDERS_CACHED) {
                this.replySenders.values().forEach(IpcQueue::close);
                this.replySenders.clear();
            }
            target = open(this.directory, replyTo, this.options, true);
            IpcQueue raced = this.replySenders.putIfAbsent(replyTo, target);
            if (raced != null) {
                target.close();
                target = raced;
            }
        }
        IpcMessage withId = correlationId == null ? reply : reply.withHeader(IpcMessage.CORRELATION_ID, correlationId);
        target.send(withId, this.options.sendTimeout());
    }

    // ---- housekeeping and statistics -------------------------------------------------------

    private void housekeepingIfDue() {
        if (System.nanoTime() - this.nextHousekeeping >= 0) {
            housekeeping();
        }
    }

    /**
     * Returns the messages of dead processes to the queue, pads over records dead producers left
     * half-written and finishes dead reclaimers' work. Runs by itself every
     * {@link QueueOptions#livenessInterval()} while this attachment sends or receives.
     *
     * @return how many dead attachments were cleaned up
     */
    public int housekeeping() {
        this.nextHousekeeping = System.nanoTime() + this.options.livenessInterval().toNanos();
        SETTLING.getAndAdd(this, 1); // recovery works through our lock files and reclaims through our slot
        try {
            if (this.closed) {
                return 0;
            }
            int recovered = this.recovery.recoverDeadPeers(this.slot);
            this.ring.reclaim(this.slot, this.epoch);
            return recovered;
        }
        finally {
            SETTLING.getAndAdd(this, -1);
        }
    }

    /** Records found violating the layout so far, by every process (a metric). */
    public long corruptRecords() {
        return this.ring.counter(CORRUPT_RECORDS_OFFSET);
    }

    /** Deliveries with an attempt above 1 so far, by every process (a metric). */
    public long redeliveries() {
        return this.ring.counter(REDELIVERIES_OFFSET);
    }

    /** Bytes of records not yet reclaimed: queued, in flight or awaiting reclaim (a metric). */
    public long pendingBytes() {
        return this.ring.tail() - this.ring.head();
    }

    /**
     * How many attachments of live processes (this one included) have received from the queue:
     * process slots whose consumer role is set and whose liveness lock is held. Counted at most
     * once a second (the count may lag that much), so a health check can call it freely.
     *
     * <pre>{@code
     * if (queue.liveConsumers() == 0) {
     *     health.down().withDetail("queue", queue.name()).withDetail("reason", "no consumer");
     * }
     * }</pre>
     *
     * <p>An attachment counts as a consumer from its first receive, poll or drain on.
     */
    public int liveConsumers() {
        return (int) liveCounts()[0];
    }

    /**
     * How many attachments of live processes (this one included) have sent to the queue;
     * counted like {@link #liveConsumers()}.
     */
    public int liveProducers() {
        return (int) liveCounts()[1];
    }

    private long[] liveCounts() {
        long[] counts = this.liveCounts;
        long now = System.nanoTime();
        if (counts != null && now - counts[2] < LIVE_COUNT_TTL_NANOS) {
            return counts;
        }
        synchronized (this.doorbellLock) { // one counting thread at a time; close() takes this lock too
            counts = this.liveCounts;
            if (counts != null && now - counts[2] < LIVE_COUNT_TTL_NANOS) {
                return counts;
            }
            checkOpen();
            long consumers = 0;
            long producers = 0;
            for (int candidate = 0; candidate < this.ring.slotCount; candidate++) {
                int role = this.ring.slotInt(candidate, SLOT_ROLE) & (ROLE_CONSUMER | ROLE_PRODUCER);
                // the role alone may be a dead process's, not recovered yet: the lock tells
                if (role == 0 || !(candidate == this.slot || this.locks.isHeld(candidate))) {
                    continue;
                }
                consumers += (role & ROLE_CONSUMER) != 0 ? 1 : 0;
                producers += (role & ROLE_PRODUCER) != 0 ? 1 : 0;
            }
            counts = new long[] { consumers, producers, System.nanoTime() };
            this.liveCounts = counts;
            return counts;
        }
    }

    /** This attachment's process slot (diagnostics). */
    public int slot() {
        return this.slot;
    }

    private void checkOpen() {
        if (this.closed) {
            throw new IpcClosedException("Queue '" + this.name + "' (" + path() + ") is closed");
        }
    }

    /**
     * Detaches: unacknowledged deliveries of this attachment become available again (with one
     * more attempt), its reply queue is deleted, its slot freed. The queue file and its
     * messages stay for other and later processes.
     */
    @Override
    public void close() {
        synchronized (this.doorbellLock) {
            if (this.closed) {
                return;
            }
            this.closed = true;
        }
        ReplyInbox inbox = this.replyInbox;
        if (inbox != null) {
            inbox.close();
        }
        this.replySenders.values().forEach(IpcQueue::close);
        this.replySenders.clear();
        Doorbell bell = this.doorbell;
        if (bell != null) {
            bell.close();
        }
        awaitHeldDrain();
        awaitSettling();
        synchronized (this.claimLock) {
            this.lanes.quiesce();
            try {
                DoorbellRinger currentRinger = this.ringer;
                if (currentRinger != null) {
                    currentRinger.close();
                }
                // we hold our own lock: recover our slot as if we had died, then free it
                this.recovery.recoverSlot(this.slot);
                this.slotLock.release();
                this.locks.close();
                this.region.close();
            }
            finally {
                this.lanes.release();
            }
        }
    }

    /**
     * Waits (bounded) until no drain of another thread holds the slot's held span, so that it
     * settles its batch before we return our claims. A drain that returns after we gave up
     * waiting, or whose own handler closes us, sees {@link #heldDrainAbandoned} and leaves the
     * slot alone: its batch is returned, and the slot may belong to another process by then.
     */
    private void awaitHeldDrain() {
        if (this.heldBy == Thread.currentThread()) {
            this.heldDrainAbandoned = true; // closed from the drain's own handler: nothing to wait for
            return;
        }
        long deadline = System.nanoTime() + CLOSE_WAIT_NANOS;
        Thread holder;
        while ((holder = this.heldBy) != null) {
            if (System.nanoTime() - deadline >= 0) {
                this.heldDrainAbandoned = true;
                return;
            }
            LockSupport.parkNanos(100_000);
        }
    }

    /**
     * Waits (bounded) for work on the slot that passed its {@link #closed} check before close
     * (see {@link #settling}): an acknowledgement's one store, a stamped drain's settling, a
     * reclaim or housekeeping (nanoseconds to microseconds, unless the thread was descheduled).
     */
    private void awaitSettling() {
        long deadline = System.nanoTime() + CLOSE_WAIT_NANOS;
        while ((int) SETTLING.getVolatile(this) != 0 && System.nanoTime() - deadline < 0) {
            Thread.onSpinWait();
            Thread.yield();
        }
    }

    @Override
    public String toString() {
        return "IpcQueue[" + this.name + ", slot " + this.slot + ", " + path() + "]";
    }

    /** The drain's pacer, for tests in this package. */
    StreamPacer pacer() {
        return this.pacer;
    }

    /** The ring, for tests in this package. */
    QueueRing ring() {
        return this.ring;
    }
}

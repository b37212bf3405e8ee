package io.github.springipc.transport.queue;

import static io.github.springipc.transport.queue.QueueLayout.*;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The lock-free ring of a queue file: claiming space (producers), publishing, claiming records
 * (consumers), settling them, and reclaiming settled space. Stateless apart from a cached
 * head of the consumers (producers keep theirs in their {@link ProducerLane}) and the
 * {@link #walkStop} hint of held claims. {@code docs/queue-design.md}
 * explains every state change and fence.
 */
final class QueueRing {

    static final VarHandle LONG = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    /** Most bytes one reclaim pass zeroes, so an acknowledging consumer is never held up long. */
    private static final int RECLAIM_BATCH = 256 << 10;

    /**
     * The source of the zeroing copies: small, so that it stays in the L1 cache (copying from a
     * 64 KiB one reads as many bytes from further away as it writes: zeroing a 64 KiB span took
     * about a third longer in a microbenchmark).
     */
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(4 << 10).asReadOnlyBuffer();

    /**
     * Whether the test hooks ({@link #crashPoint}, {@code IpcQueue.beforePublishHook}) are live: a
     * constant, so that the JIT removes them from the hot paths unless a test JVM sets the system
     * property {@code springipc.queue.test-hooks=true}.
     */
    static final boolean TEST_HOOKS = Boolean.getBoolean("springipc.queue.test-hooks");

    /**
     * Test hook (only with {@link #TEST_HOOKS}): called at the named crash points ({@code "after-tail-claim"},
     * {@code "after-dispatch-claim"}, {@code "before-reclaim-mark"}, {@code "after-reclaim-mark"},
     * {@code "mid-reclaim"}) so a test can stop or kill the process there.
     */
    static volatile java.util.function.Consumer<String> crashPoint;

    final ByteBuffer buffer;

    /** Held by the one thread of this attachment that reclaims (see {@link #reclaim}). */
    private final java.util.concurrent.atomic.AtomicBoolean reclaimer = new java.util.concurrent.atomic.AtomicBoolean();

    final int capacity;

    final int mask;

    final int ringOffset;

    final int slotCount;

    private final String description;

    /**
     * Consumer side: a head seen lately. The head only grows, so this bounds the walk from the
     * dispatch cursor conservatively (shared by the threads of an attachment: any value read is
     * a valid bound).
     */
    private long consumerHead;

    /** {@link #walkStop}: the walk took its limit (or reached the end of what may be read). */
    static final int STOP_NONE = 0;

    /** {@link #walkStop}: the walk stopped at a record that a producer has claimed and is writing now. */
    static final int STOP_AT_WRITER = 1;

    /**
     * {@link #walkStop}: the walk stopped anywhere else: memory no producer has started writing
     * (word 0 still zero), or a record in another state.
     */
    static final int STOP_AT_UNWRITTEN = 2;

    /**
     * How the last held {@link #claimBatch} walk ended. Only held claims write it, and only the
     * attachment's held-drain thread makes those, so that thread reads its own value.
     */
    int walkStop;

    QueueRing(ByteBuffer buffer, int capacity, int slotCount, String description) {
        this.buffer = buffer;
        this.capacity = capacity;
        this.mask = capacity - 1;
        this.slotCount = slotCount;
        this.ringOffset = (int) QueueLayout.ringOffset(slotCount);
        this.description = description;
    }

    // ---- plain accessors -------------------------------------------------------------------

    int index(long position) {
        return this.ringOffset + (int) (position & this.mask);
    }

    long head() {
        return (long) LONG.getAcquire(this.buffer, HEAD_OFFSET);
    }

    long tail() {
        return (long) LONG.getAcquire(this.buffer, TAIL_OFFSET);
    }

    long dispatch() {
        return (long) LONG.getAcquire(this.buffer, DISPATCH_OFFSET);
    }

    long word0(long position) {
        return (long) LONG.getAcquire(this.buffer, index(position) + RECORD_LENGTH);
    }

    long state(long position) {
        return (long) LONG.getAcquire(this.buffer, index(position) + RECORD_STATE);
    }

    boolean casState(long position, long expected, long next) {
        return LONG.compareAndSet(this.buffer, index(position) + RECORD_STATE, expected, next);
    }

    long slotLong(int slot, int field) {
        return (long) LONG.getAcquire(this.buffer, slotOffset(slot) + field);
    }

    void setSlotLong(int slot, int field, long value) {
        LONG.setRelease(this.buffer, slotOffset(slot) + field, value);
    }

    int slotInt(int slot, int field) {
        return (int) INT.getAcquire(this.buffer, slotOffset(slot) + field);
    }

    void setSlotInt(int slot, int field, int value) {
        INT.setRelease(this.buffer, slotOffset(slot) + field, value);
    }

    void addSlotRole(int slot, int role) {
        INT.getAndBitwiseOr(this.buffer, slotOffset(slot) + SLOT_ROLE, role);
    }

    int addSlotInt(int slot, int field, int delta) {
        return (int) INT.getAndAdd(this.buffer, slotOffset(slot) + field, delta);
    }

    long addCounter(int offset, long delta) {
        return (long) LONG.getAndAdd(this.buffer, offset, delta);
    }

    long counter(int offset) {
        return (long) LONG.getAcquire(this.buffer, offset);
    }

    /**
     * The record size that {@code word0} announces for a record at {@code position}, or -1 when
     * it can not be a record there (zero, garbage, or crossing the ring end).
     */
    int sizeOf(long word0, long position) {
        int length = lengthOf(word0);
        int type = typeOf(word0);
        if (type < TYPE_PADDING || type > TYPE_RAW || length < 0 || length > this.capacity - RECORD_HEADER_LENGTH) {
            return -1;
        }
        int size = recordSize(length);
        return size > this.capacity - (int) (position & this.mask) ? -1 : size;
    }

    // ---- producers -------------------------------------------------------------------------

    /**
     * Claims {@code size} bytes at the tail through {@code lane}. The claim is first recorded in
     * the lane's intent, so that a producer dying before it writes the record header leaves
     * enough behind for others to pad over its space. When the record does not fit before the
     * ring end, the rest of the ring is claimed and published as padding first.
     *
     * @return the record's position, or -1 when there is no room
     */
    long claim(ProducerLane lane, int size) {
        return claim(lane, size, false);
    }

    /**
     * {@link #claim(ProducerLane, int)} for {@code size} bytes that hold one record, or with
     * {@code run} several consecutive records: the intent then gets the {@link QueueLayout#INTENT_RUN}
     * flag right after the tail CAS, which tells recovery that the whole span is the lane's (it
     * keeps the published records of a dead producer's run and pads over the rest).
     */
    long claim(ProducerLane lane, int size, boolean run) {
        boolean announced = false;
        for (;;) {
            long tail = (long) LONG.getVolatile(this.buffer, TAIL_OFFSET);
            int toEnd = this.capacity - (int) (tail & this.mask);
            if (size > toEnd) {
                if (!claimPadding(lane, tail, toEnd)) {
                    return nothingClaimed(lane, announced);
                }
                announced = true;
                continue;
            }
            if (!hasRoom(lane, tail, size)) {
                return nothingClaimed(lane, announced);
            }
            announced = true;
            announce(lane, tail, size);
            if (LONG.compareAndSet(this.buffer, TAIL_OFFSET, tail, tail + size)) {
                if (run) {
                    lane.lastIntentLength = size | INTENT_RUN;
                    LONG.setOpaque(this.buffer, lane.intentLengthOffset, lane.lastIntentLength);
                }
                if (TEST_HOOKS) {
                    crashPoint("after-tail-claim");
                }
                return tail;
            }
        }
    }

    /**
     * Ends a claim that found no room. An intent stored by an earlier attempt of this call, whose
     * tail CAS failed, is withdrawn: it names a position another producer won, and recovery
     * would wait for this live lane there (see {@code QueueRecovery.padClaim}) for as long as
     * it sends nothing more.
     */
    private long nothingClaimed(ProducerLane lane, boolean announced) {
        if (announced) {
            LONG.setRelease(this.buffer, lane.intentPositionOffset, -1L);
        }
        return -1;
    }

    /**
     * Claims the {@code toEnd} bytes from {@code tail} to the ring end and publishes them as
     * padding, for a record that does not fit before the end (apart from {@link #claim}, so that
     * its hot path stays small enough to inline).
     *
     * @return false when there is no room; true when the caller should claim again (the padding
     *         was claimed, or another producer moved the tail first)
     */
    private boolean claimPadding(ProducerLane lane, long tail, int toEnd) {
        if (!hasRoom(lane, tail, toEnd)) {
            return false;
        }
        announce(lane, tail, toEnd);
        if (LONG.compareAndSet(this.buffer, TAIL_OFFSET, tail, tail + toEnd)) {
            pad(tail, toEnd);
        }
        return true;
    }

    /** Whether {@code need} bytes from {@code tail} fit, checking the real head only when the lane's cached one says full. */
    private boolean hasRoom(ProducerLane lane, long tail, int need) {
        if (tail + need - lane.cachedHead > this.capacity) {
            lane.cachedHead = head();
            return tail + need - lane.cachedHead <= this.capacity;
        }
        return true;
    }

    /** Stores the lane's intent to claim {@code need} bytes at {@code tail}, before the tail CAS. */
    private void announce(ProducerLane lane, long tail, int need) {
        if (need != lane.lastIntentLength) { // same-sized messages skip this store
            LONG.setOpaque(this.buffer, lane.intentLengthOffset, (long) need);
            lane.lastIntentLength = need;
        }
        // release: whoever sees our tail CAS also sees the intent it belongs to
        LONG.setRelease(this.buffer, lane.intentPositionOffset, tail);
    }

    /**
     * Makes {@code size} claimed bytes at {@code position}, which hold nothing published yet
     * (state EMPTY), one padding record, which consumers skip: the rest of the ring before a
     * record that does not fit, a claim given up, or a dead producer's claim. Whoever pads the
     * same claim at the same time (a producer giving it up, and recovery reading its intent)
     * writes the same word 0, and only one state CAS succeeds.
     */
    void pad(long position, int size) {
        int index = index(position);
        LONG.setOpaque(this.buffer, index + RECORD_LENGTH, QueueLayout.word0(size - RECORD_HEADER_LENGTH, TYPE_PADDING));
        LONG.compareAndSet(this.buffer, index + RECORD_STATE, (long) EMPTY, PADDING_STATE);
    }

    /**
     * Writes word 0 of a claimed record. Its state stays EMPTY until {@link #publish}: the slot's
     * intent tells recovery whose record it is, so no WRITING stamp is needed (layout version 2).
     */
    void beginWrite(long position, int length, int type) {
        LONG.setOpaque(this.buffer, index(position) + RECORD_LENGTH, QueueLayout.word0(length, type));
    }

    /** Copies {@code length} bytes of {@code source} into the payload of the record at {@code position}. */
    void writePayload(long position, ByteBuffer source, int offset, int length) {
        // one bulk copy: per-word ByteBuffer accesses cost more than its set-up, even for 64 bytes
        this.buffer.put(index(position) + RECORD_HEADER_LENGTH, source, offset, length);
    }

    /** Makes a written record visible to consumers (release: its payload is seen with it). */
    void publish(long position) {
        LONG.setRelease(this.buffer, index(position) + RECORD_STATE, available(1));
    }

    /**
     * Whether some consumer thread sleeps on a doorbell, for a producer right after its tail
     * CAS: one volatile load, no fence. The CAS and this load pair with a waiter's increment of
     * {@code waiters} and its re-check of the tail (Dekker, both sides sequentially consistent):
     * either the waiter sees our claim (and stays awake until we publish) or we see the waiter.
     */
    boolean waitersAfterClaim() {
        return (long) LONG.getVolatile(this.buffer, WAITERS_OFFSET) > 0;
    }

    /**
     * Whether some consumer thread sleeps on a doorbell, after a record became available by a
     * state change that was not a tail claim (a release). The full fence orders that change
     * before this load, pairing with the waiter's increment-then-recheck.
     */
    boolean hasWaiters() {
        VarHandle.fullFence();
        return (long) LONG.getOpaque(this.buffer, WAITERS_OFFSET) > 0;
    }

    // ---- consumers -------------------------------------------------------------------------

    /**
     * Claims up to {@code limit} published records at the dispatch cursor with one CAS. The span
     * is recorded in the slot before the CAS, so that records won by a consumer that dies are
     * found again. With {@code held}, the span goes into the slot's held span and stays there:
     * the records stay AVAILABLE(1), owned by the span, until {@link #settleHeld} clears it (no
     * per-record stamps at all). Otherwise each record is stamped CLAIMED by this slot and the
     * transient claim span is cleared.
     *
     * @return how many positions were written into {@code out}
     * @throws io.github.springipc.transport.IpcCorruptDataException when the record at the cursor
     *         breaks the layout
     */
    int claimBatch(int slot, long epoch, long[] out, int limit, boolean held) {
        int slotBase = slotOffset(slot);
        int fromField = slotBase + (held ? SLOT_HELD_FROM : SLOT_CLAIM_FROM);
        int toField = slotBase + (held ? SLOT_HELD_TO : SLOT_CLAIM_TO);
        for (;;) {
            if (held) {
                this.walkStop = STOP_NONE;
            }
            long dispatch = dispatch();
            // Walk the records themselves and never read the tail: memory in [tail, head +
            // capacity) is zero (EMPTY) until claimed, so the walk stops at the first record not
            // published; leaving the tail's line alone spares the producers' CAS a cache miss.
            // Beyond head + capacity lies the previous lap, not yet reclaimed: never look there.
            long end = this.consumerHead + this.capacity;
            if (dispatch >= end) {
                this.consumerHead = head();
                end = this.consumerHead + this.capacity;
                if (dispatch >= end) {
                    return 0; // everything in the ring is dispatched and awaits settling
                }
            }
            long position = dispatch;
            int count = 0;
            int stopKind = -1;
            long stopWord = 0;
            while (count < limit && position < end) {
                int index = index(position);
                long state = (long) LONG.getAcquire(this.buffer, index + RECORD_STATE);
                int kind = kind(state);
                if (kind != AVAILABLE && kind != PADDING) {
                    stopKind = kind;
                    if (held) { // one more load, from the state's cache line: is a producer writing it now?
                        this.walkStop = kind == EMPTY && (long) LONG.getOpaque(this.buffer, index + RECORD_LENGTH) != 0
                                ? STOP_AT_WRITER : STOP_AT_UNWRITTEN;
                    }
                    break;
                }
                long word = (long) LONG.getOpaque(this.buffer, index + RECORD_LENGTH);
                int size = sizeOf(word, position);
                if (size < 0) {
                    stopKind = Integer.MAX_VALUE;
                    stopWord = word;
                    break;
                }
                if (kind == AVAILABLE) {
                    out[count++] = position;
                }
                position += size;
            }
            if (position == dispatch) {
                if (stopKind == EMPTY || stopKind == WRITING || stopKind == RECLAIMING) {
                    return 0;
                }
                if (dispatch() != dispatch) {
                    continue; // we read a record that was already moved past: not corrupt
                }
                throw corrupt(dispatch, stopKind == Integer.MAX_VALUE ? "word 0 is 0x" + Long.toHexString(stopWord)
                        : "its state kind " + stopKind + " can not be at the dispatch cursor");
            }
            if (count > 0) {
                // release: a reclaimer or recovery that sees our dispatch CAS sees the span
                LONG.setOpaque(this.buffer, toField, position);
                LONG.setRelease(this.buffer, fromField, dispatch);
            }
            if (LONG.compareAndSet(this.buffer, DISPATCH_OFFSET, dispatch, position)) {
                if (TEST_HOOKS && count > 0) {
                    crashPoint("after-dispatch-claim");
                }
                if (count == 0) {
                    // only padding moved past (e.g. up to a stale head bound at the ring end):
                    // a record may follow it, and a poll that sees nothing must mean nothing
                    continue;
                }
                if (held) {
                    return count;
                }
                // records at or after the cursor are on their first delivery: attempt 1
                long claim = claimed(slot, epoch, 1);
                for (int i = 0; i < count; i++) {
                    LONG.setRelease(this.buffer, index(out[i]) + RECORD_STATE, claim);
                }
                LONG.setRelease(this.buffer, fromField, -1L);
                return count;
            }
            if (count > 0) {
                // lost the race: a stale span would hold up reclaiming (and shield nothing)
                LONG.setRelease(this.buffer, fromField, -1L);
            }
        }
    }

    /**
     * Ends a held claim (see {@link #claimBatch}): every record of the span still AVAILABLE(1)
     * is settled by this one release store. Records to redeliver must be released before.
     */
    void settleHeld(int slot) {
        LONG.setRelease(this.buffer, slotOffset(slot) + SLOT_HELD_FROM, -1L);
    }

    /**
     * The first position that some slot's claim or held span may still own: records before it
     * and behind dispatch that are AVAILABLE(1) are settled. Read dispatch before calling: a
     * consumer records its span before its dispatch CAS, so every span covering a position
     * behind that dispatch value is visible here (or already cleared, which settled it).
     */
    long firstHeldPosition(long dispatch) {
        long limit = dispatch;
        for (int slot = 0; slot < this.slotCount; slot++) {
            int base = slotOffset(slot);
            long claim = (long) LONG.getAcquire(this.buffer, base + SLOT_CLAIM_FROM);
            if (claim >= 0 && claim < limit) {
                limit = claim;
            }
            long held = (long) LONG.getAcquire(this.buffer, base + SLOT_HELD_FROM);
            if (held >= 0 && held < limit) {
                limit = held;
            }
        }
        return limit;
    }

    /** Whether a record in this state behind the dispatch cursor and before every span is settled. */
    static boolean settled(long state) {
        int kind = kind(state);
        return kind == DONE || kind == PADDING || (kind == AVAILABLE && attempt(state) == 1);
    }

    /**
     * Claims one record that became available again behind the dispatch cursor (released, or
     * taken back from a dead consumer), scanning only while such a record may exist.
     *
     * @return its position, or -1
     */
    long claimRedelivery(int slot, long epoch) {
        long seen = counter(REDELIVER_SEEN_OFFSET); // read before request: seen never passes request
        long requested = counter(REDELIVER_REQUEST_OFFSET);
        if (requested == seen) {
            return -1;
        }
        long dispatch = dispatch();
        long position = head();
        while (position < dispatch) {
            long word = word0(position);
            long state = state(position);
            long head = head();
            if (head > position) {
                position = head; // reclaimed under us: what we read may belong to another lap
                continue;
            }
            int size = sizeOf(word, position);
            if (size < 0) {
                return -1; // being reclaimed right now; scan again on the next poll
            }
            if (kind(state) == AVAILABLE && attempt(state) >= 2) {
                if (casState(position, state, claimed(slot, epoch, attempt(state)))) {
                    addCounter(REDELIVERIES_OFFSET, 1);
                    return position;
                }
                continue;
            }
            position += size;
        }
        LONG.compareAndSet(this.buffer, REDELIVER_SEEN_OFFSET, seen, requested);
        return -1;
    }

    /** Settles a record this slot claimed; false when it was taken back meanwhile. */
    boolean acknowledge(long position, long claim) {
        return casState(position, claim, DONE_STATE);
    }

    /** Settles a record this slot claimed and still holds (the caller knows nobody took it back). */
    void acknowledgeOwned(long position) {
        LONG.setRelease(this.buffer, index(position) + RECORD_STATE, DONE_STATE);
    }

    /** Makes a claimed record available again with one more attempt. */
    boolean release(long position, long claim) {
        if (!casState(position, claim, available(attempt(claim) + 1))) {
            return false;
        }
        requestRedelivery();
        return true;
    }

    void requestRedelivery() {
        addCounter(REDELIVER_REQUEST_OFFSET, 1);
    }

    // ---- reclaiming ------------------------------------------------------------------------

    /**
     * Whether settled records may fill at least {@code span} bytes at the head: a look that
     * writes nothing, before {@link #reclaim}. Records before the first held position and behind
     * the dispatch cursor are settled or waiting for redelivery, so this bounds the span from
     * above.
     */
    boolean reclaimable(int span) {
        long head = head();
        long dispatch = dispatch();
        return dispatch - head >= span && firstHeldPosition(dispatch) - head >= span;
    }

    /**
     * Moves the head over settled records at the head, zeroing their bytes first: producers
     * rely on zeroed memory beyond the tail ("not written yet"). Whoever wins the CAS of the head
     * record's state to RECLAIMING does it; everyone else returns at once.
     *
     * <p>Positions never repeat but ring offsets do: a reclaimer descheduled for a whole lap
     * between reading the head record's state and its CAS may mark the record of a later lap at
     * the same offset (when that record's state, or the payload word there, happens to hold the
     * same value). So the reclaimer announces the position in its slot ({@code reclaimFrom},
     * with {@code reclaimTo} = -1) before the CAS, checks the head once more just before it,
     * and after it undoes a mark that turns out not to be on the head record; the mark keeps the
     * state it replaced, so the recovery of a reclaimer that died in between undoes it too
     * ({@code QueueRecovery}). A record of the held span that its drain releases waits out such a
     * mark ({@link #releaseHeld}). One thread of the attachment reclaims at a time: the
     * announcement and the span live in the slot, which its threads share, and a thread that
     * withdrew its own failed announcement must not erase another's.
     */
    void reclaim(int slot, long epoch) {
        long head = head();
        long dispatch = dispatch();
        if (head >= dispatch) {
            return;
        }
        int index = index(head);
        long state = (long) LONG.getAcquire(this.buffer, index + RECORD_STATE);
        if (!settled(state)) {
            return;
        }
        dispatch = firstHeldPosition(dispatch);
        if (head >= dispatch) {
            return;
        }
        if (!this.reclaimer.compareAndSet(false, true)) {
            return; // another thread of this attachment reclaims
        }
        try {
            markAndReclaim(slot, epoch, head, state, dispatch);
        }
        finally {
            this.reclaimer.set(false);
        }
    }

    /** {@link #reclaim} of the head record at {@code head}, read in the settled {@code state}, for the one reclaiming thread. */
    private void markAndReclaim(int slot, long epoch, long head, long state, long dispatch) {
        int index = index(head);
        int slotBase = slotOffset(slot);
        LONG.setOpaque(this.buffer, slotBase + SLOT_RECLAIM_TO, -1L);
        LONG.setRelease(this.buffer, slotBase + SLOT_RECLAIM_FROM, head); // announced: see reclaim
        if (TEST_HOOKS) {
            crashPoint("before-reclaim-mark");
        }
        long mark = reclaiming(slot, epoch, state);
        if (head() != head || !LONG.compareAndSet(this.buffer, index + RECORD_STATE, state, mark)) {
            LONG.setRelease(this.buffer, slotBase + SLOT_RECLAIM_FROM, -1L);
            return;
        }
        if (TEST_HOOKS) {
            crashPoint("after-reclaim-mark");
        }
        if (head() != head) { // the ring lapped while we were descheduled: not the head record
            unmark(head, mark, slotBase);
            return;
        }
        int size = sizeOf((long) LONG.getOpaque(this.buffer, index + RECORD_LENGTH), head);
        if (size < 0) {
            unmark(head, mark, slotBase);
            countCorrupt();
            return;
        }
        long end = head + size;
        while (end < dispatch && end - head < RECLAIM_BATCH) {
            if (!settled(state(end))) {
                break;
            }
            int nextSize = sizeOf(word0(end), end);
            if (nextSize < 0) {
                break;
            }
            end += nextSize;
        }
        LONG.setRelease(this.buffer, slotBase + SLOT_RECLAIM_TO, end); // recovery may now finish it
        finishReclaim(head, end);
        LONG.setRelease(this.buffer, slotBase + SLOT_RECLAIM_FROM, -1L);
    }

    /** Puts back the state that {@code mark} replaced at {@code position}, then withdraws the announcement. */
    private void unmark(long position, long mark, int slotBase) {
        LONG.compareAndSet(this.buffer, index(position) + RECORD_STATE, mark, priorOf(mark));
        LONG.setRelease(this.buffer, slotBase + SLOT_RECLAIM_FROM, -1L);
    }

    /**
     * Releases an unhandled record of this slot's held span (still AVAILABLE(1)) for
     * redelivery. A reclaimer's mark on it can only be a lapped one (see {@link #reclaim}: a
     * reclaim of the head never reaches a held span), placed while the record was AVAILABLE(1):
     * the release then takes the record from the mark, whose reclaimer finds the head moved and
     * whose undoing (by the reclaimer, or by the recovery of a dead one) expects the exact mark
     * and so leaves the released record alone. No waiting, even for a dead reclaimer.
     *
     * @return whether it was released (false only if someone else took the record back: the
     *         recovery of this slot by a close that gave up waiting for the drain)
     */
    boolean releaseHeld(long position) {
        long released = available(2);
        for (;;) {
            long state = state(position);
            boolean fromMark = kind(state) == RECLAIMING && priorOf(state) == available(1);
            if (state != available(1) && !fromMark) {
                return false;
            }
            if (casState(position, state, released)) {
                requestRedelivery();
                return true;
            }
        }
    }

    /**
     * Zeroes {@code [from, to)} (the first header last, so the RECLAIMING mark keeps others out
     * until the end) and moves the head. Idempotent: recovery repeats it for a dead reclaimer.
     */
    void finishReclaim(long from, long to) {
        zero(from + RECORD_HEADER_LENGTH, to);
        zero(from, from + RECORD_HEADER_LENGTH);
        if (TEST_HOOKS) {
            crashPoint("mid-reclaim"); // the worst moment: the head record is gone, the head not moved
        }
        LONG.compareAndSet(this.buffer, HEAD_OFFSET, from, to);
    }

    /**
     * Zeroes {@code [from, to)} with bulk copies from a zero buffer. Both ends are 8-aligned, and
     * the JDK copies aligned memory in whole 8-byte words (Unsafe.copyMemory is
     * "conjoint_memory_atomic"), so a concurrent reader sees each word either intact or 0.
     */
    private void zero(long from, long to) {
        long position = from;
        while (position < to) {
            int offset = (int) (position & this.mask);
            int length = (int) Math.min(Math.min(to - position, this.capacity - offset), ZEROS.capacity());
            this.buffer.put(this.ringOffset + offset, ZEROS, 0, length);
            position += length;
        }
    }

    static void crashPoint(String name) {
        java.util.function.Consumer<String> hook = crashPoint;
        if (hook != null) {
            hook.accept(name);
        }
    }

    void countCorrupt() {
        addCounter(CORRUPT_RECORDS_OFFSET, 1);
    }

    io.github.springipc.transport.IpcCorruptDataException corrupt(long position, String what) {
        countCorrupt();
        return new io.github.springipc.transport.IpcCorruptDataException("Queue " + this.description
                + " has a corrupt record at position " + position + " (ring offset " + (position & this.mask) + "): "
                + what + ". Consumers can not pass it; stop every process and delete the queue file "
                + "(its messages are lost), or set ipc.queues.<name>.recreate-when-invalid");
    }

    @Override
    public String toString() {
        return this.description;
    }
}

package io.github.springipc.transport.queue;

/**
 * The binary layout of a queue file: every offset, size and state encoding in one place.
 * {@code docs/queue-layout.md} describes the same layout for other languages. All integers are
 * little-endian; all positions are absolute, ever-growing byte counts (the ring offset of
 * position {@code p} is {@code p & (capacity - 1)}).
 *
 * <pre>
 * File:
 * +----------------------+---------------------------------+--------------------------------+
 * | header (896 bytes)   | slot table (slotCount x 128)    | ring (capacity bytes, at       |
 * |                      |                                 | ringOffset, a multiple of 4096)|
 * +----------------------+---------------------------------+--------------------------------+
 *
 * Header (each counter on its own 128-byte line so that producers, dispatchers and
 * reclaimers do not false-share):
 *    0  magic            u64  "SIPCQUE1" (0x3145555143504953)
 *    8  version          u32  4
 *   12  slotCount        u32  process slots in the slot table (1..256)
 *   16  capacity         u64  ring bytes, a power of two
 *   24  maxMessageSize   u32  informative: the creator's limit
 *   28  reserved         u32
 *   32  ringOffset       u64  where the ring starts
 *   40  createdMillis    u64
 *  128  tail             u64  next position a producer claims (CAS)
 *  256  head             u64  first position not yet reclaimed (zeroed space lies beyond tail)
 *  384  dispatch         u64  first position no consumer has claimed (CAS)
 *  512  waiters          u64  consumer threads asleep on a doorbell, all slots
 *  640  redeliverRequest u64  bumped whenever a record becomes available behind dispatch
 *  648  redeliverSeen    u64  the last request value a full scan found nothing for
 *  768  corruptRecords   u64  records found violating this layout
 *  776  redeliveries     u64  deliveries with attempt &gt; 1
 *
 * Slot (128 bytes, one per process attachment; owner holds byte i of "name.queue.lock"):
 *    0  pid              u64  0 = free
 *    8  startMillis      u64  owner's process start time
 *   16  epoch            u64  bumped at every take-over
 *   24  role             u32  bit 0 producer, bit 1 consumer, bit 2 doorbell bound
 *   28  waiters          u32  threads of this slot asleep on its doorbell
 *   32  intentPosition   i64  lane 0 (the attachment's threads, one at a time under its producer
 *   40  intentLength     u64  lock): position of the current claim, -1 none; its size; bit 63
 *                              set: a run of records, claimed (CAS done)
 *   48  claimFrom        i64  consumer's in-flight dispatch claim [from, to), -1 none
 *   56  claimTo          u64
 *   64  reclaimFrom      i64  reclaimer's in-flight zeroing [from, to), -1 none
 *   72  reclaimTo        u64
 *   80  heldFrom         i64  consumer's held drain claim [from, to): its AVAILABLE(1) records are
 *   88  heldTo           u64  in flight until heldFrom is set to -1, which settles them all
 *   96  intentPosition1  i64  lane 1 (one thread, the lane's owner, without a lock): same as
 *  104  intentLength1    u64  intentPosition/intentLength
 *  112  reserved         16 bytes
 *
 * Record (16-byte aligned, never straddles the ring end; size = align16(16 + length)):
 *  0               4               8                               16
 *  +---------------+---------------+-------------------------------+----------------+
 *  | length  u32   | type  u32     | state  u64                    | payload        |
 *  +---------------+---------------+-------------------------------+----------------+
 *   type: 1 padding, 2 envelope (IpcMessageCodec), 3 raw bytes. Word 0 (length|type) of a
 *   written record is never 0; zeroed memory means "not written yet".
 *
 * State word:
 *  63                           32 31      24 23              8 7       0
 *  +------------------------------+----------+-----------------+---------+
 *  | epoch (low 32 bits)          | slot     | attempt         | kind    |
 *  +------------------------------+----------+-----------------+---------+
 *   kind: 0 EMPTY (free, or claimed and being written), 2 AVAILABLE(attempt),
 *         3 CLAIMED(slot,epoch,attempt), 4 DONE, 5 PADDING, 6 RECLAIMING(slot,epoch,prior);
 *         1 (WRITING) is no longer written since version 2. RECLAIMING keeps the low 16 bits
 *         of the settled state it replaced (DONE, PADDING or AVAILABLE(1)) in bits 8-23.
 *   Behind dispatch, AVAILABLE(1) inside some slot's claim or held span is in flight, and
 *   outside every such span it is settled (a drain settles a whole span by clearing it).
 * </pre>
 */
final class QueueLayout {

    static final long MAGIC = 0x3145555143504953L; // "SIPCQUE1" little-endian

    /**
     * Layout version. 4: a reclaimer announces {@code reclaimFrom} before it marks, and its
     * RECLAIMING mark keeps the state it replaced (3 marked first and read the slot's reclaim
     * fields differently, so the two must not share a file).
     */
    static final int VERSION = 4;

    static final int MAGIC_OFFSET = 0;

    static final int VERSION_OFFSET = 8;

    static final int SLOT_COUNT_OFFSET = 12;

    static final int CAPACITY_OFFSET = 16;

    static final int MAX_MESSAGE_SIZE_OFFSET = 24;

    static final int RING_OFFSET_OFFSET = 32;

    static final int CREATED_OFFSET = 40;

    static final int TAIL_OFFSET = 128;

    static final int HEAD_OFFSET = 256;

    static final int DISPATCH_OFFSET = 384;

    static final int WAITERS_OFFSET = 512;

    static final int REDELIVER_REQUEST_OFFSET = 640;

    static final int REDELIVER_SEEN_OFFSET = 648;

    static final int CORRUPT_RECORDS_OFFSET = 768;

    static final int REDELIVERIES_OFFSET = 776;

    static final int HEADER_LENGTH = 896;

    static final int SLOT_LENGTH = 128;

    static final int MAX_SLOTS = 256;

    static final int SLOT_PID = 0;

    static final int SLOT_START = 8;

    static final int SLOT_EPOCH = 16;

    static final int SLOT_ROLE = 24;

    static final int SLOT_WAITERS = 28;

    static final int SLOT_INTENT_POSITION = 32;

    static final int SLOT_INTENT_LENGTH = 40;

    static final int SLOT_CLAIM_FROM = 48;

    static final int SLOT_CLAIM_TO = 56;

    static final int SLOT_RECLAIM_FROM = 64;

    static final int SLOT_RECLAIM_TO = 72;

    /**
     * Bit 63 of a slot's intentLength: set right after a successful tail CAS that claimed several
     * records at once (a run), so the whole span is known to be the slot's.
     */
    static final long INTENT_RUN = Long.MIN_VALUE;

    static final int SLOT_HELD_FROM = 80;

    static final int SLOT_HELD_TO = 88;

    /** Lane 1's intentPosition; lane 0's is {@link #SLOT_INTENT_POSITION}. */
    static final int SLOT_LANE1_INTENT_POSITION = 96;

    static final int SLOT_LANE1_INTENT_LENGTH = 104;

    /**
     * Producer lanes per slot, each with its own intent: one for the attachment's threads under
     * its producer lock, one for a single thread that writes without the lock ({@code ProducerLanes}).
     */
    static final int PRODUCER_LANES = 2;

    static final int ROLE_PRODUCER = 1;

    static final int ROLE_CONSUMER = 2;

    static final int ROLE_DOORBELL = 4;

    static final int RECORD_HEADER_LENGTH = 16;

    static final int RECORD_ALIGNMENT = 16;

    static final int RECORD_LENGTH = 0;

    static final int RECORD_TYPE = 4;

    static final int RECORD_STATE = 8;

    static final int TYPE_PADDING = 1;

    static final int TYPE_ENVELOPE = 2;

    static final int TYPE_RAW = 3;

    static final int EMPTY = 0;

    static final int WRITING = 1;

    static final int AVAILABLE = 2;

    static final int CLAIMED = 3;

    static final int DONE = 4;

    static final int PADDING = 5;

    static final int RECLAIMING = 6;

    static final int MAX_ATTEMPT = 0xFFFF;

    private QueueLayout() {
    }

    static int slotOffset(int slot) {
        return HEADER_LENGTH + slot * SLOT_LENGTH;
    }

    /** The slot field holding lane {@code lane}'s intentPosition. */
    static int intentPositionField(int lane) {
        return lane == 0 ? SLOT_INTENT_POSITION : SLOT_LANE1_INTENT_POSITION;
    }

    /** The slot field holding lane {@code lane}'s intentLength. */
    static int intentLengthField(int lane) {
        return lane == 0 ? SLOT_INTENT_LENGTH : SLOT_LANE1_INTENT_LENGTH;
    }

    static long ringOffset(int slotCount) {
        long end = HEADER_LENGTH + (long) slotCount * SLOT_LENGTH;
        return (end + 4095) & ~4095L;
    }

    static long fileSize(int slotCount, long capacity) {
        return ringOffset(slotCount) + capacity;
    }

    /** Bytes a record with {@code length} payload bytes occupies. */
    static int recordSize(int length) {
        return (RECORD_HEADER_LENGTH + length + RECORD_ALIGNMENT - 1) & -RECORD_ALIGNMENT;
    }

    /** Word 0 of a record: length in the low half, type in the high half. */
    static long word0(int length, int type) {
        return (length & 0xFFFF_FFFFL) | ((long) type << 32);
    }

    static int lengthOf(long word0) {
        return (int) word0;
    }

    static int typeOf(long word0) {
        return (int) (word0 >>> 32);
    }

    static int kind(long state) {
        return (int) (state & 0xFF);
    }

    static int attempt(long state) {
        return (int) ((state >>> 8) & 0xFFFF);
    }

    static int slotOf(long state) {
        return (int) ((state >>> 24) & 0xFF);
    }

    static int epochOf(long state) {
        return (int) (state >>> 32);
    }

    static long writing(int slot, long epoch) {
        return WRITING | ((long) slot << 24) | (epoch << 32);
    }

    static long available(int attempt) {
        return AVAILABLE | ((long) Math.min(attempt, MAX_ATTEMPT) << 8);
    }

    static long claimed(int slot, long epoch, int attempt) {
        return CLAIMED | ((long) Math.min(attempt, MAX_ATTEMPT) << 8) | ((long) slot << 24) | (epoch << 32);
    }

    /**
     * The mark of a reclaimer, keeping the settled state it replaces (DONE, PADDING or
     * AVAILABLE(1): kind and attempt fit the 16 bits) so that the mark can be undone by whoever
     * finds it: the reclaimer itself, or the recovery of a reclaimer that died.
     */
    static long reclaiming(int slot, long epoch, long prior) {
        return RECLAIMING | ((prior & 0xFFFF) << 8) | ((long) slot << 24) | (epoch << 32);
    }

    /** The settled state a {@link #reclaiming} mark replaced. */
    static long priorOf(long mark) {
        return (mark >>> 8) & 0xFFFF;
    }

    static final long DONE_STATE = DONE;

    static final long PADDING_STATE = PADDING;
}

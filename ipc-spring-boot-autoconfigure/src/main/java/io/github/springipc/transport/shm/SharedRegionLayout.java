package io.github.springipc.transport.shm;

/**
 * The binary layout of a shared-memory region file ({@code <dir>/<name>.shm}) and of its lock
 * file ({@code <dir>/<name>.shm.lock}). Every number is little-endian. {@code docs/shared-memory-layout.md}
 * describes the same layout for other languages.
 *
 * <pre>
 * Region file
 *   0                   8                  12                 16
 *   +-------------------+------------------+------------------+
 *   | magic "SIPC-SHM"  | layout version=1 | header size=128  |  header (128 bytes)
 *   +-------------------+------------------+------------------+
 *   | region size (u64, = file size)       | slot capacity    |  16..27
 *   +--------------------------------------+------------------+
 *   | entry size=64     | data offset      | slot count       |  28..39 (count: release/acquire)
 *   +-------------------+------------------+------------------+
 *   | reserved, zero                                          |  40..127
 *   +---------------------------------------------------------+
 *   | directory: slot capacity x 64-byte entries              |  128..
 *   +---------------------------------------------------------+
 *   | data: slots, in allocation order, 8-byte aligned         |  data offset (128-aligned)..
 *   |       (128-byte aligned and padded when asked for)       |
 *   +---------------------------------------------------------+
 *
 * Directory entry (64 bytes), entries 0..slot count-1 are valid and never change again
 *   0        2             4          8            12           16            20          24        64
 *   +--------+-------------+----------+------------+------------+-------------+-----------+---------+
 *   | type   | name length | flags    | data offset| length     | data bytes  | reserved  | name    |
 *   | u16    | u16         | u32      | u32        | u32        | u32         | u32       | UTF-8   |
 *   +--------+-------------+----------+------------+------------+-------------+-----------+---------+
 *
 * Snapshot slot data
 *   0                  8                   16             20          24
 *   +------------------+-------------------+--------------+-----------+------------------+
 *   | sequence (u64)   | writer pid (u64)  | length (u32) | reserved  | record bytes ... |
 *   +------------------+-------------------+--------------+-----------+------------------+
 *
 * Lock file: no content; fcntl record locks on single bytes
 *   byte 0   exclusive while a process creates, attaches to, allocates in or deletes the region
 *   byte 1   shared by every process that has the region open (liveness of users)
 *   byte 16+i  the named lock of directory entry i
 * </pre>
 *
 * <p>A slot's data offset is a multiple of 8, so longs, ints and doubles in it are naturally
 * aligned and support atomic access. Types: see {@link SlotType#code()}.
 */
public final class SharedRegionLayout {

    /** {@code "SIPC-SHM"} in ASCII, read as a little-endian u64. */
    public static final long MAGIC = 0x4D48532D43504953L;

    /** Version of this layout; a region with another version is refused. */
    public static final int LAYOUT_VERSION = 1;

    public static final int MAGIC_OFFSET = 0;

    public static final int VERSION_OFFSET = 8;

    public static final int HEADER_SIZE_OFFSET = 12;

    public static final int REGION_SIZE_OFFSET = 16;

    public static final int SLOT_CAPACITY_OFFSET = 24;

    public static final int ENTRY_SIZE_OFFSET = 28;

    public static final int DATA_OFFSET_OFFSET = 32;

    /** Number of valid directory entries; written with release after the entry, read with acquire. */
    public static final int SLOT_COUNT_OFFSET = 36;

    public static final int HEADER_SIZE = 128;

    /** Start of the directory. */
    public static final int DIRECTORY_OFFSET = HEADER_SIZE;

    public static final int ENTRY_SIZE = 64;

    public static final int ENTRY_TYPE = 0;

    public static final int ENTRY_NAME_LENGTH = 2;

    public static final int ENTRY_FLAGS = 4;

    public static final int ENTRY_DATA_OFFSET = 8;

    /** Element count of a value (1) or an array, byte count of a byte slot, maximum record length of a snapshot. */
    public static final int ENTRY_LENGTH = 12;

    public static final int ENTRY_DATA_BYTES = 16;

    public static final int ENTRY_NAME = 24;

    /** Longest slot name, in UTF-8 bytes. */
    public static final int MAX_NAME_BYTES = ENTRY_SIZE - ENTRY_NAME;

    /** Entry flag: the slot has 128-byte alignment and padding of its own. */
    public static final int FLAG_PADDED = 1;

    /** Alignment of every slot. */
    public static final int SLOT_ALIGNMENT = 8;

    /** Alignment and padding of a padded slot: two cache lines, against adjacent-line prefetching. */
    public static final int PADDED_ALIGNMENT = 128;

    public static final int SNAPSHOT_SEQUENCE = 0;

    public static final int SNAPSHOT_WRITER_PID = 8;

    public static final int SNAPSHOT_LENGTH = 16;

    public static final int SNAPSHOT_RECORD = 24;

    /** Lock file byte held exclusively while creating, attaching, allocating or deleting. */
    public static final long ADMIN_LOCK_BYTE = 0;

    /** Lock file byte every process with the region open holds shared. */
    public static final long USERS_LOCK_BYTE = 1;

    /** Lock file byte of the named lock in directory entry 0; entry i uses this plus i. */
    public static final long NAMED_LOCK_BASE_BYTE = 16;

    private SharedRegionLayout() {
    }

    /** Offset of directory entry {@code index}. */
    public static int entryOffset(int index) {
        return DIRECTORY_OFFSET + index * ENTRY_SIZE;
    }

    /** Offset of the first slot for a directory of {@code slotCapacity} entries. */
    public static int dataOffset(int slotCapacity) {
        return align(DIRECTORY_OFFSET + slotCapacity * ENTRY_SIZE, PADDED_ALIGNMENT);
    }

    /** Lock file byte of the named lock in directory entry {@code index}. */
    public static long namedLockByte(int index) {
        return NAMED_LOCK_BASE_BYTE + index;
    }

    static int align(long value, int alignment) {
        return (int) ((value + alignment - 1) & -alignment);
    }
}

package io.github.springipc.transport.shm;

import static io.github.springipc.transport.shm.SharedRegionLayout.*;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Lock;

import io.github.springipc.transport.IpcCorruptDataException;

/**
 * The header and directory of a region: writes a new header, validates an existing one, finds
 * slots by name and allocates new ones.
 *
 * <p>Published entries never change, so lookups read without locking: the slot count is
 * written with release after its entry and read with acquire. Allocation holds the region's
 * admin lock (in-JVM and {@code fcntl}), so two processes allocating at once get distinct
 * slots, and a second asker of a name finds the first one's entry. A process that dies while
 * allocating has not yet bumped the count: its half-written entry is simply overwritten.
 */
final class SlotDirectory {

    /** A published directory entry. */
    record Entry(int index, SlotType type, String name, int offset, int length, int dataBytes, boolean padded) {
    }

    private final ByteBuffer buffer;

    private final String regionName;

    private final Path path;

    private final Lock adminLock;

    private final int capacity;

    private final int dataOffset;

    private final int regionSize;

    SlotDirectory(ByteBuffer buffer, String regionName, Path path, Lock adminLock) {
        this.buffer = buffer;
        this.regionName = regionName;
        this.path = path;
        this.adminLock = adminLock;
        this.capacity = buffer.getInt(SLOT_CAPACITY_OFFSET);
        this.dataOffset = buffer.getInt(DATA_OFFSET_OFFSET);
        this.regionSize = buffer.capacity();
    }

    /** Writes the header of a new, zero-filled region. */
    static void initialize(ByteBuffer region, long size, int capacity) {
        region.putLong(MAGIC_OFFSET, MAGIC);
        region.putInt(VERSION_OFFSET, LAYOUT_VERSION);
        region.putInt(HEADER_SIZE_OFFSET, HEADER_SIZE);
        region.putLong(REGION_SIZE_OFFSET, size);
        region.putInt(SLOT_CAPACITY_OFFSET, capacity);
        region.putInt(ENTRY_SIZE_OFFSET, ENTRY_SIZE);
        region.putInt(DATA_OFFSET_OFFSET, dataOffset(capacity));
        region.putInt(SLOT_COUNT_OFFSET, 0);
    }

    /**
     * Checks the header of an existing region against the layout and this process's options.
     *
     * @throws IpcCorruptDataException saying what differs and what to do
     */
    static void validate(ByteBuffer region, long fileSize, String name, Path path, SharedMemoryOptions options) {
        String remedy = ". Delete the file (IpcSharedMemory.delete), or set ipc.shared-memory." + name
                + ".recreate-on-mismatch=true to recreate it (its content is lost)";
        if (fileSize < HEADER_SIZE) {
            throw new IpcCorruptDataException("File " + path + " has only " + fileSize
                    + " bytes; it is not a shared-memory region" + remedy);
        }
        long magic = region.getLong(MAGIC_OFFSET);
        if (magic != MAGIC) {
            throw new IpcCorruptDataException("File " + path + " is not a shared-memory region of this library: magic 0x"
                    + Long.toHexString(magic) + " instead of 0x" + Long.toHexString(MAGIC) + remedy);
        }
        int version = region.getInt(VERSION_OFFSET);
        if (version != LAYOUT_VERSION) {
            throw new IpcCorruptDataException("Shared memory region " + path + " has layout version " + version
                    + "; this library uses version " + LAYOUT_VERSION
                    + ". Run the same library version in every process" + remedy);
        }
        if (fileSize != options.size()) {
            throw new IpcCorruptDataException("Shared memory region " + path + " has " + fileSize
                    + " bytes, but this process is configured with ipc.shared-memory." + name + ".size="
                    + options.size() + ". Configure the same size in every process" + remedy);
        }
        int capacity = region.getInt(SLOT_CAPACITY_OFFSET);
        if (capacity != options.maxSlots()) {
            throw new IpcCorruptDataException("Shared memory region " + path + " has room for " + capacity
                    + " slots, but this process is configured with ipc.shared-memory." + name + ".max-slots="
                    + options.maxSlots() + ". Configure the same max-slots in every process" + remedy);
        }
        long recordedSize = region.getLong(REGION_SIZE_OFFSET);
        int count = region.getInt(SLOT_COUNT_OFFSET);
        if (recordedSize != fileSize || region.getInt(HEADER_SIZE_OFFSET) != HEADER_SIZE
                || region.getInt(ENTRY_SIZE_OFFSET) != ENTRY_SIZE
                || region.getInt(DATA_OFFSET_OFFSET) != dataOffset(capacity)
                || count < 0 || count > capacity) {
            throw new IpcCorruptDataException("Shared memory region " + path + " has a corrupt header (size field "
                    + recordedSize + ", file size " + fileSize + ", slot count " + count + " of " + capacity + ")"
                    + remedy);
        }
    }

    /** The published entry named {@code name}, or {@code null}. */
    Entry find(String name) {
        byte[] wanted = name.getBytes(StandardCharsets.UTF_8);
        int count = publishedCount();
        for (int i = 0; i < count; i++) {
            if (nameEquals(entryOffset(i), wanted)) {
                return read(i);
            }
        }
        return null;
    }

    /**
     * The entry named {@code name}, allocated with this type and length when no process did
     * before. The caller checks that a found entry has the type and length it wants.
     */
    Entry findOrCreate(String name, SlotType type, int length, boolean padded) {
        Entry found = find(name);
        if (found != null) {
            return found;
        }
        this.adminLock.lock();
        try {
            found = find(name); // another process may have allocated it while we waited
            return found != null ? found : allocate(name, type, length, padded);
        }
        finally {
            this.adminLock.unlock();
        }
    }

    private Entry allocate(String name, SlotType type, int length, boolean padded) {
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        int count = publishedCount();
        String what = "slot '" + name + "' (" + describe(type, length) + ")";
        if (count >= this.capacity) {
            throw new SharedRegionFullException("Shared memory '" + this.regionName + "' (" + this.path
                    + ") has no room for " + what + ": all " + this.capacity + " slots of its directory are taken."
                    + " Raise ipc.shared-memory." + this.regionName + ".max-slots (and recreate the region)");
        }
        int end = count == 0 ? this.dataOffset : read(count - 1).offset() + read(count - 1).dataBytes();
        int alignment = padded ? PADDED_ALIGNMENT : SLOT_ALIGNMENT;
        long start = align(end, alignment);
        long bytes = type == SlotType.LOCK ? 0 : align(Math.max(type.dataBytes(length), 1), alignment);
        if (start + bytes > this.regionSize) {
            throw new SharedRegionFullException("Shared memory '" + this.regionName + "' (" + this.path
                    + ") is full: " + what + " needs " + bytes + " bytes but only "
                    + Math.max(0, this.regionSize - start) + " of its " + this.regionSize
                    + " bytes are free. Raise ipc.shared-memory." + this.regionName
                    + ".size (in every process, and recreate the region)");
        }
        int offset = (int) start;
        for (int i = 0; i < bytes; i += 8) {
            this.buffer.putLong(offset + i, 0L); // space never handed out is zero already; be sure
        }
        int at = entryOffset(count);
        this.buffer.putShort(at + ENTRY_TYPE, (short) type.code());
        this.buffer.putShort(at + ENTRY_NAME_LENGTH, (short) nameBytes.length);
        this.buffer.putInt(at + ENTRY_FLAGS, padded ? FLAG_PADDED : 0);
        this.buffer.putInt(at + ENTRY_DATA_OFFSET, offset);
        this.buffer.putInt(at + ENTRY_LENGTH, length);
        this.buffer.putInt(at + ENTRY_DATA_BYTES, (int) bytes);
        this.buffer.put(at + ENTRY_NAME, nameBytes);
        for (int i = nameBytes.length; i < MAX_NAME_BYTES; i++) {
            this.buffer.put(at + ENTRY_NAME + i, (byte) 0);
        }
        // release: a process that sees the new count also sees the entry and the zeroed slot
        SharedAccess.INT.setRelease(this.buffer, SLOT_COUNT_OFFSET, count + 1);
        return read(count);
    }

    /** All published entries, in allocation order. */
    List<Entry> entries() {
        int count = publishedCount();
        List<Entry> entries = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            entries.add(read(i));
        }
        return entries;
    }

    private int publishedCount() {
        int count = (int) SharedAccess.INT.getAcquire(this.buffer, SLOT_COUNT_OFFSET);
        if (count < 0 || count > this.capacity) {
            throw new IpcCorruptDataException("Shared memory '" + this.regionName + "' (" + this.path
                    + ") has a corrupt slot count " + count + " (capacity " + this.capacity + ")");
        }
        return count;
    }

    private boolean nameEquals(int at, byte[] wanted) {
        if ((this.buffer.getShort(at + ENTRY_NAME_LENGTH) & 0xFFFF) != wanted.length) {
            return false;
        }
        for (int i = 0; i < wanted.length; i++) {
            if (this.buffer.get(at + ENTRY_NAME + i) != wanted[i]) {
                return false;
            }
        }
        return true;
    }

    private Entry read(int index) {
        int at = entryOffset(index);
        int code = this.buffer.getShort(at + ENTRY_TYPE) & 0xFFFF;
        int nameLength = this.buffer.getShort(at + ENTRY_NAME_LENGTH) & 0xFFFF;
        int flags = this.buffer.getInt(at + ENTRY_FLAGS);
        int offset = this.buffer.getInt(at + ENTRY_DATA_OFFSET);
        int length = this.buffer.getInt(at + ENTRY_LENGTH);
        int dataBytes = this.buffer.getInt(at + ENTRY_DATA_BYTES);
        SlotType type = SlotType.ofCode(code);
        if (type == null || nameLength > MAX_NAME_BYTES || length < 0 || dataBytes < type.dataBytes(length)
                || offset < this.dataOffset || offset % SLOT_ALIGNMENT != 0
                || (long) offset + dataBytes > this.regionSize) {
            throw new IpcCorruptDataException("Shared memory '" + this.regionName + "' (" + this.path
                    + ") has a corrupt directory entry " + index + " (type " + code + ", offset " + offset
                    + ", length " + length + ", " + dataBytes + " bytes). Delete and recreate the region");
        }
        byte[] name = new byte[nameLength];
        this.buffer.get(at + ENTRY_NAME, name);
        return new Entry(index, type, new String(name, StandardCharsets.UTF_8), offset, length, dataBytes,
                (flags & FLAG_PADDED) != 0);
    }

    static String describe(SlotType type, int length) {
        switch (type) {
            case LONG_ARRAY:
            case INT_ARRAY:
            case DOUBLE_ARRAY:
                return type.description() + " of " + length + " elements";
            case BYTES:
                return type.description() + " of " + length + " bytes";
            case SNAPSHOT:
                return type.description() + " of at most " + length + " bytes";
            default:
                return type.description();
        }
    }
}

package io.github.springipc.transport.shm;

/**
 * What a named slot of a shared-memory region holds. The {@link #code()} is stored in the
 * directory entry (see {@link SharedRegionLayout}).
 */
public enum SlotType {

    /** One {@code long}: {@link SharedLong}. */
    LONG(1, "long value", 8),

    /** One {@code int}: {@link SharedInt}. */
    INT(2, "int value", 4),

    /** One {@code double}, stored as its IEEE 754 bits: {@link SharedDouble}. */
    DOUBLE(3, "double value", 8),

    /** {@code long} elements: {@link SharedLongArray}. */
    LONG_ARRAY(4, "long array", 8),

    /** {@code int} elements: {@link SharedIntArray}. */
    INT_ARRAY(5, "int array", 4),

    /** {@code double} elements: {@link SharedDoubleArray}. */
    DOUBLE_ARRAY(6, "double array", 8),

    /** Raw bytes: {@link SharedBytes}. */
    BYTES(7, "byte slot", 1),

    /** A record published under a sequence lock: {@link SharedSnapshot}. */
    SNAPSHOT(8, "snapshot", 1),

    /** A named inter-process lock; it has no data, only a byte in the lock file: {@link SharedLock}. */
    LOCK(9, "lock", 0);

    private final int code;

    private final String description;

    private final int elementSize;

    SlotType(int code, String description, int elementSize) {
        this.code = code;
        this.description = description;
        this.elementSize = elementSize;
    }

    /** The number stored in the directory entry. */
    public int code() {
        return this.code;
    }

    /** Bytes per element (0 for a lock). */
    public int elementSize() {
        return this.elementSize;
    }

    /** A short description for error messages, e.g. "long array". */
    public String description() {
        return this.description;
    }

    /** The type stored as {@code code}, or {@code null} when no type has it. */
    public static SlotType ofCode(int code) {
        for (SlotType type : values()) {
            if (type.code == code) {
                return type;
            }
        }
        return null;
    }

    /** Bytes of slot data for {@code length} elements (or bytes), before alignment. */
    long dataBytes(int length) {
        if (this == SNAPSHOT) {
            return SharedRegionLayout.SNAPSHOT_RECORD + (long) length;
        }
        return (long) this.elementSize * length;
    }
}

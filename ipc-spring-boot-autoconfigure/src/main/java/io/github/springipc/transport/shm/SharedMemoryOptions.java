package io.github.springipc.transport.shm;

import java.nio.file.attribute.PosixFilePermission;
import java.util.Objects;
import java.util.Set;

import io.github.springipc.transport.file.MappedRegionFile;

/**
 * How a shared-memory region is created and attached to. Immutable; build one with
 * {@link #builder()}.
 *
 * <pre>{@code
 * SharedMemoryOptions options = SharedMemoryOptions.builder()
 *         .size(4 * 1024 * 1024)
 *         .deleteWhenLastUserCloses(true)
 *         .build();
 * }</pre>
 *
 * <p>Every process that opens the same region must use the same {@link #size()} and
 * {@link #maxSlots()}: a region created with other values is refused (or recreated, with
 * {@link #recreateOnMismatch()}).
 */
public final class SharedMemoryOptions {

    /** Default {@link #size()}: 1 MiB. */
    public static final long DEFAULT_SIZE = 1024 * 1024;

    /** Default {@link #maxSlots()}. */
    public static final int DEFAULT_MAX_SLOTS = 256;

    /** Largest {@link #maxSlots()}. */
    public static final int MAX_MAX_SLOTS = 65_536;

    private static final SharedMemoryOptions DEFAULTS = builder().build();

    private final long size;

    private final int maxSlots;

    private final Set<PosixFilePermission> fileMode;

    private final boolean recreateOnMismatch;

    private final boolean deleteWhenLastUserCloses;

    private SharedMemoryOptions(Builder builder) {
        this.size = builder.size;
        this.maxSlots = builder.maxSlots;
        this.fileMode = Set.copyOf(builder.fileMode);
        this.recreateOnMismatch = builder.recreateOnMismatch;
        this.deleteWhenLastUserCloses = builder.deleteWhenLastUserCloses;
    }

    /** The defaults: 1 MiB, 256 slots, mode 0600, no recreation, the region outlives its users. */
    public static SharedMemoryOptions defaults() {
        return DEFAULTS;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these options. */
    public Builder toBuilder() {
        return new Builder().size(this.size).maxSlots(this.maxSlots).fileMode(this.fileMode)
                .recreateOnMismatch(this.recreateOnMismatch).deleteWhenLastUserCloses(this.deleteWhenLastUserCloses);
    }

    /** Size of the region file in bytes, header and directory included; allocated in full at creation. */
    public long size() {
        return this.size;
    }

    /** Capacity of the region's directory: how many named slots (locks included) it can hold. */
    public int maxSlots() {
        return this.maxSlots;
    }

    /** Permissions of the region and lock files this process creates. */
    public Set<PosixFilePermission> fileMode() {
        return this.fileMode;
    }

    /**
     * Whether an existing region whose header does not match (another magic, layout version,
     * size or slot capacity) is deleted and created anew, losing its content, instead of failing.
     * It is refused while another process has the region open.
     */
    public boolean recreateOnMismatch() {
        return this.recreateOnMismatch;
    }

    /**
     * Whether the region file is deleted when the last process that has it open closes it.
     * Otherwise it outlives its users, like POSIX shared memory, until deleted explicitly.
     */
    public boolean deleteWhenLastUserCloses() {
        return this.deleteWhenLastUserCloses;
    }

    @Override
    public String toString() {
        return "SharedMemoryOptions[size=" + this.size + ", maxSlots=" + this.maxSlots + ", fileMode="
                + this.fileMode + ", recreateOnMismatch=" + this.recreateOnMismatch + ", deleteWhenLastUserCloses="
                + this.deleteWhenLastUserCloses + "]";
    }

    /** Builds {@link SharedMemoryOptions}; every setting has a documented default. */
    public static final class Builder {

        private long size = DEFAULT_SIZE;

        private int maxSlots = DEFAULT_MAX_SLOTS;

        private Set<PosixFilePermission> fileMode = MappedRegionFile.OWNER_ONLY;

        private boolean recreateOnMismatch;

        private boolean deleteWhenLastUserCloses;

        private Builder() {
        }

        /**
         * Size of the region in bytes (default 1 MiB). It must hold the 128-byte header, the
         * directory ({@code 64 * maxSlots} bytes) and the slots.
         */
        public Builder size(long size) {
            if (size <= 0 || size > MappedRegionFile.MAX_SIZE) {
                throw new IllegalArgumentException("Shared memory size " + size + " must be between 1 and "
                        + MappedRegionFile.MAX_SIZE + " bytes");
            }
            this.size = size;
            return this;
        }

        /** How many named slots the directory holds (default 256, at most 65536). */
        public Builder maxSlots(int maxSlots) {
            if (maxSlots < 1 || maxSlots > MAX_MAX_SLOTS) {
                throw new IllegalArgumentException("Shared memory maxSlots " + maxSlots + " must be between 1 and "
                        + MAX_MAX_SLOTS);
            }
            this.maxSlots = maxSlots;
            return this;
        }

        /** Permissions of new region and lock files (default owner read/write, {@code 0600}). */
        public Builder fileMode(Set<PosixFilePermission> fileMode) {
            this.fileMode = Set.copyOf(Objects.requireNonNull(fileMode, "fileMode"));
            return this;
        }

        /** Whether a region with a mismatching header is recreated (default false: it is an error). */
        public Builder recreateOnMismatch(boolean recreateOnMismatch) {
            this.recreateOnMismatch = recreateOnMismatch;
            return this;
        }

        /** Whether the last process to close the region deletes it (default false: it stays). */
        public Builder deleteWhenLastUserCloses(boolean deleteWhenLastUserCloses) {
            this.deleteWhenLastUserCloses = deleteWhenLastUserCloses;
            return this;
        }

        public SharedMemoryOptions build() {
            return new SharedMemoryOptions(this);
        }
    }
}

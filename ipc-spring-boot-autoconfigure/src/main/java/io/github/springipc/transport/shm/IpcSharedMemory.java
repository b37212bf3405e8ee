package io.github.springipc.transport.shm;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Lock;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import io.github.springipc.transport.IpcClosedException;
import io.github.springipc.transport.IpcCorruptDataException;
import io.github.springipc.transport.IpcException;
import io.github.springipc.transport.file.IpcDirectory;
import io.github.springipc.transport.file.LockFile;
import io.github.springipc.transport.file.MappedRegionFile;

/**
 * A named shared-memory region that every process on the host maps from the same file
 * ({@code <dir>/<name>.shm}): the JVM counterpart of Python's {@code multiprocessing.Value},
 * {@code Array} and {@code shared_memory}.
 *
 * <pre>{@code
 * try (IpcSharedMemory stats = IpcSharedMemory.open(dir, "stats", SharedMemoryOptions.defaults())) {
 *     SharedLong hits = stats.longValue("hits");          // found by name; created by the first asker
 *     hits.incrementAndGet();                              // atomic across processes
 *     SharedDoubleArray load = stats.doubleArray("load", 8);
 *     Lock rebalance = stats.lock("rebalance");            // excludes threads of every process
 * }
 * }</pre>
 *
 * <h2>Slots</h2>
 * The region holds named slots, listed in a directory in its header. The first process that
 * asks for a name allocates the slot (zero-filled); every other process, and every later call,
 * gets the same slot. Asking for a name with another type or length gives
 * {@link SharedSlotMismatchException}; a region without room gives
 * {@link SharedRegionFullException}. Slots are never freed: the region is a fixed set of
 * variables, sized by {@link SharedMemoryOptions#size()} and {@link SharedMemoryOptions#maxSlots()}.
 * Slot objects are created once per name and region instance, so asking again is cheap, and
 * their operations allocate nothing.
 *
 * <h2>Lifecycle</h2>
 * The file is created whole (fully allocated, so a full {@code /dev/shm} fails here rather than
 * with {@code SIGBUS} later) and published atomically; attaching validates the header and never
 * re-initialises. Like POSIX shared memory the region outlives the processes that use it, and
 * its values survive until it is deleted: by {@link #delete(Path, String)} or {@link #unlink()}
 * (processes that have it open keep using the old region; later opens create a new one), or by
 * the last process to close it when {@link SharedMemoryOptions#deleteWhenLastUserCloses()} is
 * set. Every process with the region open holds a shared lock on its lock file, which the
 * operating system drops when the process dies, so a killed process is not counted as a user.
 *
 * <p>Instances are thread-safe. After {@link #close()} no new slots can be asked for, and slot
 * objects obtained before must no longer be used (the mapping stays valid until they are
 * garbage collected, so this never crashes the JVM).
 */
public final class IpcSharedMemory implements AutoCloseable {

    /** Suffix of region files. */
    public static final String FILE_SUFFIX = ".shm";

    /** Suffix of the lock file beside a region. */
    public static final String LOCK_FILE_SUFFIX = ".shm.lock";

    private static final Pattern VALID_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,99}");

    private final String name;

    private final SharedMemoryOptions options;

    private final MappedRegionFile file;

    private final ByteBuffer buffer;

    private final LockFile lockFile;

    private final Lock adminLock;

    private final SlotDirectory directory;

    private final Map<String, CachedSlot> slots = new ConcurrentHashMap<>();

    private final AtomicBoolean closed = new AtomicBoolean();

    private record CachedSlot(SlotType type, int length, Object value) {
    }

    private IpcSharedMemory(String name, SharedMemoryOptions options, MappedRegionFile file, LockFile lockFile) {
        this.name = name;
        this.options = options;
        this.file = file;
        this.buffer = file.buffer();
        this.lockFile = lockFile;
        this.adminLock = lockFile.rangeLock(SharedRegionLayout.ADMIN_LOCK_BYTE);
        this.directory = new SlotDirectory(this.buffer, name, file.path(), this.adminLock);
    }

    /** Opens or creates the region {@code name} in {@code directory} with default options. */
    public static IpcSharedMemory open(Path directory, String name) {
        return open(directory, name, SharedMemoryOptions.defaults());
    }

    /**
     * Attaches to the region {@code <directory>/<name>.shm}, or creates it when it does not exist.
     *
     * @param directory the IPC directory (created with mode 0700 when missing)
     * @param name the region's name: letters, digits, {@code . _ -}, at most 100 characters
     * @param options size and behaviour; every process must use the same size and slot capacity
     * @throws IpcCorruptDataException when an existing file is no region of this layout, or was
     *         created with another size or capacity, and {@code recreateOnMismatch} is off
     * @throws IpcException when the file can not be created, e.g. for lack of space
     */
    public static IpcSharedMemory open(Path directory, String name, SharedMemoryOptions options) {
        checkName(name);
        int minimum = SharedRegionLayout.dataOffset(options.maxSlots()) + SharedRegionLayout.SLOT_ALIGNMENT;
        if (options.size() < minimum) {
            throw new IpcException("Shared memory '" + name + "' of " + options.size() + " bytes is too small: its header"
                    + " and a directory of " + options.maxSlots() + " slots alone take " + (minimum - 8)
                    + " bytes. Raise ipc.shared-memory." + name + ".size or lower its max-slots");
        }
        Path dir = IpcDirectory.prepare(directory);
        Path regionPath = dir.resolve(name + FILE_SUFFIX);
        Path lockPath = dir.resolve(name + LOCK_FILE_SUFFIX);
        for (int attempt = 0; attempt < 8; attempt++) {
            LockFile lockFile = LockFile.open(lockPath, options.fileMode());
            Lock admin = lockFile.rangeLock(SharedRegionLayout.ADMIN_LOCK_BYTE);
            boolean opened = false;
            admin.lock();
            try {
                if (!lockFile.isCurrent()) {
                    // the last user deleted the region and its lock file while we waited: start over
                    lockFile.forget();
                    continue;
                }
                MappedRegionFile file = openFile(regionPath, name, options, lockFile);
                try {
                    lockFile.join(SharedRegionLayout.USERS_LOCK_BYTE);
                }
                catch (RuntimeException ex) {
                    file.close();
                    throw ex;
                }
                opened = true;
                return new IpcSharedMemory(name, options, file, lockFile);
            }
            finally {
                admin.unlock();
                if (!opened) {
                    lockFile.close();
                }
            }
        }
        throw new IpcException("Could not open shared memory '" + name + "' (" + regionPath
                + "): other processes kept deleting it");
    }

    /** Called holding the admin lock, so no other process creates, recreates or deletes meanwhile. */
    private static MappedRegionFile openFile(Path path, String name, SharedMemoryOptions options, LockFile lockFile) {
        MappedRegionFile.Initializer initializer = region -> SlotDirectory.initialize(region, options.size(),
                options.maxSlots());
        MappedRegionFile.Validator validator = (region, fileSize) -> SlotDirectory.validate(region, fileSize, name,
                path, options);
        try {
            return MappedRegionFile.openOrCreate(path, options.size(), options.fileMode(), initializer, validator, false);
        }
        catch (IpcCorruptDataException mismatch) {
            if (!options.recreateOnMismatch()) {
                throw mismatch;
            }
            if (lockFile.hasOtherMembers(SharedRegionLayout.USERS_LOCK_BYTE)) {
                throw new IpcException("Shared memory '" + name + "' (" + path + ") does not match this process's"
                        + " configuration and can not be recreated while other processes have it open: "
                        + mismatch.getMessage(), mismatch);
            }
            MappedRegionFile.deleteIfExists(path);
            return MappedRegionFile.openOrCreate(path, options.size(), options.fileMode(), initializer, validator,
                    false);
        }
    }

    /**
     * Deletes the region {@code <directory>/<name>.shm} and its lock file, like
     * {@code shm_unlink}: processes that have it open keep using it, later opens create a new one.
     *
     * @return whether a region file existed
     */
    public static boolean delete(Path directory, String name) {
        checkName(name);
        Path dir = directory.toAbsolutePath().normalize();
        Path regionPath = dir.resolve(name + FILE_SUFFIX);
        Path lockPath = dir.resolve(name + LOCK_FILE_SUFFIX);
        if (!java.nio.file.Files.exists(lockPath) && !java.nio.file.Files.exists(regionPath)) {
            return false;
        }
        LockFile lockFile = LockFile.open(lockPath, MappedRegionFile.OWNER_ONLY);
        Lock admin = lockFile.rangeLock(SharedRegionLayout.ADMIN_LOCK_BYTE);
        admin.lock();
        try {
            boolean existed = MappedRegionFile.deleteIfExists(regionPath);
            lockFile.delete();
            return existed;
        }
        finally {
            admin.unlock();
            lockFile.close();
        }
    }

    /** The file a region of that name has in that directory. */
    public static Path regionPath(Path directory, String name) {
        checkName(name);
        return directory.toAbsolutePath().normalize().resolve(name + FILE_SUFFIX);
    }

    private static void checkName(String name) {
        if (name == null || !VALID_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("Shared memory name '" + name + "' must be 1 to 100 letters, digits,"
                    + " '.', '_' or '-', not starting with '.' or '-'");
        }
    }

    /** The region's name. */
    public String name() {
        return this.name;
    }

    /** The region file. */
    public Path path() {
        return this.file.path();
    }

    /** The region's size in bytes. */
    public long size() {
        return this.file.size();
    }

    /** The options this instance was opened with. */
    public SharedMemoryOptions options() {
        return this.options;
    }

    /** Whether this process created the region file (rather than attaching to an existing one). */
    public boolean created() {
        return this.file.created();
    }

    /** The {@code long} named {@code name}, created as 0 by the first asker. */
    public SharedLong longValue(String name) {
        return longValue(name, false);
    }

    /**
     * The {@code long} named {@code name}; when {@code ownCacheLine} and this call creates it,
     * it gets 128 bytes of its own (against false sharing with neighbours written by other cores).
     */
    public SharedLong longValue(String name, boolean ownCacheLine) {
        return slot(name, SlotType.LONG, 1, ownCacheLine, SharedLong.class);
    }

    /** The {@code int} named {@code name}, created as 0 by the first asker. */
    public SharedInt intValue(String name) {
        return intValue(name, false);
    }

    /** The {@code int} named {@code name}, with a cache line of its own when this call creates it. */
    public SharedInt intValue(String name, boolean ownCacheLine) {
        return slot(name, SlotType.INT, 1, ownCacheLine, SharedInt.class);
    }

    /** The {@code double} named {@code name}, created as 0.0 by the first asker. */
    public SharedDouble doubleValue(String name) {
        return doubleValue(name, false);
    }

    /** The {@code double} named {@code name}, with a cache line of its own when this call creates it. */
    public SharedDouble doubleValue(String name, boolean ownCacheLine) {
        return slot(name, SlotType.DOUBLE, 1, ownCacheLine, SharedDouble.class);
    }

    /** The {@code long} array named {@code name} with {@code length} elements, zero when created. */
    public SharedLongArray longArray(String name, int length) {
        return slot(name, SlotType.LONG_ARRAY, checkLength(name, length), false, SharedLongArray.class);
    }

    /** The {@code int} array named {@code name} with {@code length} elements, zero when created. */
    public SharedIntArray intArray(String name, int length) {
        return slot(name, SlotType.INT_ARRAY, checkLength(name, length), false, SharedIntArray.class);
    }

    /** The {@code double} array named {@code name} with {@code length} elements, zero when created. */
    public SharedDoubleArray doubleArray(String name, int length) {
        return slot(name, SlotType.DOUBLE_ARRAY, checkLength(name, length), false, SharedDoubleArray.class);
    }

    /** The byte slot named {@code name} of {@code length} bytes, zero when created. */
    public SharedBytes bytes(String name, int length) {
        return slot(name, SlotType.BYTES, checkLength(name, length), false, SharedBytes.class);
    }

    /** The snapshot slot named {@code name} for records of at most {@code maxLength} bytes. */
    public SharedSnapshot snapshot(String name, int maxLength) {
        if (maxLength < 0) {
            throw new IllegalArgumentException("Snapshot '" + name + "' maxLength " + maxLength + " is negative");
        }
        return slot(name, SlotType.SNAPSHOT, maxLength, false, SharedSnapshot.class);
    }

    /** The inter-process lock named {@code name}; see {@link SharedLock}. */
    public SharedLock lock(String name) {
        return slot(name, SlotType.LOCK, 0, false, SharedLock.class);
    }

    /** The names of all slots in the region, in allocation order, for health checks and debugging. */
    public List<String> slotNames() {
        ensureOpen();
        return this.directory.entries().stream().map(SlotDirectory.Entry::name).collect(Collectors.toList());
    }

    /** Each slot's name with its type and length, e.g. {@code "load" -> "double array of 8 elements"}. */
    public Map<String, String> slotDescriptions() {
        ensureOpen();
        return this.directory.entries().stream().collect(Collectors.toMap(SlotDirectory.Entry::name,
                entry -> SlotDirectory.describe(entry.type(), entry.length()), (a, b) -> a,
                java.util.LinkedHashMap::new));
    }

    private static int checkLength(String name, int length) {
        if (length < 1) {
            throw new IllegalArgumentException("Slot '" + name + "' length " + length + " must be at least 1");
        }
        return length;
    }

    private <T> T slot(String slotName, SlotType type, int length, boolean padded, Class<T> kind) {
        ensureOpen();
        CachedSlot cached = this.slots.get(slotName);
        if (cached == null) {
            checkSlotName(slotName);
            cached = this.slots.computeIfAbsent(slotName, key -> create(key, type, length, padded));
        }
        if (cached.type() != type || cached.length() != length) {
            throw mismatch(slotName, cached.type(), cached.length(), type, length);
        }
        return kind.cast(cached.value());
    }

    private CachedSlot create(String slotName, SlotType type, int length, boolean padded) {
        SlotDirectory.Entry entry = this.directory.findOrCreate(slotName, type, length, padded);
        if (entry.type() != type || entry.length() != length) {
            throw mismatch(slotName, entry.type(), entry.length(), type, length);
        }
        int offset = entry.offset();
        Object value;
        switch (type) {
            case LONG:
                value = new SharedLong(slotName, this.buffer, offset);
                break;
            case INT:
                value = new SharedInt(slotName, this.buffer, offset);
                break;
            case DOUBLE:
                value = new SharedDouble(slotName, this.buffer, offset);
                break;
            case LONG_ARRAY:
                value = new SharedLongArray(slotName, this.buffer, offset, length);
                break;
            case INT_ARRAY:
                value = new SharedIntArray(slotName, this.buffer, offset, length);
                break;
            case DOUBLE_ARRAY:
                value = new SharedDoubleArray(slotName, this.buffer, offset, length);
                break;
            case BYTES:
                value = new SharedBytes(slotName, this.buffer, offset, length);
                break;
            case SNAPSHOT:
                value = new SharedSnapshot(slotName, this.name, this.buffer, offset, length);
                break;
            case LOCK:
                value = new SharedLock(slotName, this.name,
                        this.lockFile.rangeLock(SharedRegionLayout.namedLockByte(entry.index())));
                break;
            default:
                throw new IllegalStateException("unknown slot type " + type);
        }
        return new CachedSlot(type, length, value);
    }

    private SharedSlotMismatchException mismatch(String slotName, SlotType existingType, int existingLength,
            SlotType askedType, int askedLength) {
        return new SharedSlotMismatchException("Shared memory '" + this.name + "' already has slot '" + slotName
                + "' as a " + SlotDirectory.describe(existingType, existingLength) + "; it was asked for as a "
                + SlotDirectory.describe(askedType, askedLength)
                + ". Use the same type and length in every process, or another name");
    }

    private void checkSlotName(String slotName) {
        if (slotName == null || slotName.isEmpty()
                || slotName.getBytes(StandardCharsets.UTF_8).length > SharedRegionLayout.MAX_NAME_BYTES) {
            throw new IllegalArgumentException("Slot name '" + slotName + "' must have 1 to "
                    + SharedRegionLayout.MAX_NAME_BYTES + " bytes in UTF-8");
        }
    }

    private void ensureOpen() {
        if (this.closed.get()) {
            throw new IpcClosedException("Shared memory '" + this.name + "' (" + path() + ") is closed");
        }
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        return this.closed.get();
    }

    /**
     * Deletes this region's files now, like {@code shm_unlink}: this and other processes that
     * have it open keep using it; later opens create a new region.
     */
    public void unlink() {
        this.adminLock.lock();
        try {
            MappedRegionFile.deleteIfExists(path());
            this.lockFile.delete();
        }
        finally {
            this.adminLock.unlock();
        }
    }

    /**
     * Closes this instance. When it is the last user on the host and
     * {@link SharedMemoryOptions#deleteWhenLastUserCloses()} is set, the region is deleted;
     * otherwise it stays, with its values, for the next process that opens it.
     */
    @Override
    public void close() {
        if (!this.closed.compareAndSet(false, true)) {
            return;
        }
        try {
            this.adminLock.lock();
            try {
                boolean last = this.lockFile.leave(SharedRegionLayout.USERS_LOCK_BYTE);
                if (last && this.options.deleteWhenLastUserCloses() && this.lockFile.isCurrent()) {
                    MappedRegionFile.deleteIfExists(path());
                    this.lockFile.delete();
                }
            }
            finally {
                this.adminLock.unlock();
            }
        }
        finally {
            this.file.close();
            this.lockFile.close();
        }
    }

    @Override
    public String toString() {
        return "IpcSharedMemory[" + this.name + ", " + path() + ", " + size() + " bytes"
                + (isClosed() ? ", closed]" : "]");
    }
}

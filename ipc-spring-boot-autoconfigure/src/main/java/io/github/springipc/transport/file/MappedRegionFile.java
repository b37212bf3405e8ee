package io.github.springipc.transport.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

import io.github.springipc.transport.IpcCorruptDataException;
import io.github.springipc.transport.IpcException;

/**
 * A memory-mapped file shared by every process that opens the same path, created whole or not
 * at all.
 *
 * <p>Creation writes the full size into a private temporary file (so a full {@code /dev/shm}
 * fails here with a clear error, never later with {@code SIGBUS}), lets the caller write the
 * header, and only then publishes the file under its real name with an atomic hard link. A
 * process that opens the name therefore never sees a half-initialised region, and two processes
 * racing to create it end with one region: the loser discards its copy and attaches.
 * Attaching never writes; the caller validates the header through {@link Validator}.
 *
 * <p>A region is mapped in one piece, so it is at most {@link #MAX_SIZE} bytes. Its byte order
 * is little-endian.
 */
public final class MappedRegionFile implements AutoCloseable {

    /** Largest region: one {@link MappedByteBuffer}. */
    public static final long MAX_SIZE = Integer.MAX_VALUE & ~4095L;

    /** Default mode of a region file. */
    public static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private static final int ZERO_CHUNK = 1 << 20;

    /** Writes the header of a new region, before any other process can see it. */
    @FunctionalInterface
    public interface Initializer {

        void initialize(ByteBuffer region);
    }

    /** Checks the header of an existing region; throws {@link IpcCorruptDataException} when it is wrong. */
    @FunctionalInterface
    public interface Validator {

        void validate(ByteBuffer region, long fileSize);
    }

    private final Path path;

    private final FileChannel channel;

    private final MappedByteBuffer buffer;

    private final boolean created;

    private MappedRegionFile(Path path, FileChannel channel, MappedByteBuffer buffer, boolean created) {
        this.path = path;
        this.channel = channel;
        this.buffer = buffer;
        this.created = created;
    }

    /**
     * Attaches to the region at {@code file}, or creates it with {@code size} bytes when it does
     * not exist.
     *
     * @param file the region file; its directory must exist
     * @param size size of a new region, in bytes
     * @param mode permissions of a new region file
     * @param initializer writes the header of a new region
     * @param validator checks the header of an existing region
     * @param recreateWhenInvalid whether a region that fails validation is deleted and created
     *        again (its content is lost) instead of failing
     */
    public static MappedRegionFile openOrCreate(Path file, long size, Set<PosixFilePermission> mode,
            Initializer initializer, Validator validator, boolean recreateWhenInvalid) {
        if (size <= 0 || size > MAX_SIZE) {
            throw new IpcException("Region " + file + " size " + size + " must be between 1 and " + MAX_SIZE + " bytes");
        }
        for (int attempt = 0; attempt < 8; attempt++) {
            try {
                return attach(file, validator);
            }
            catch (NoSuchFileException missing) {
                MappedRegionFile created = tryCreate(file, size, mode, initializer);
                if (created != null) {
                    return created;
                }
                // another process published the region first: attach to theirs
            }
            catch (IpcCorruptDataException invalid) {
                if (!recreateWhenInvalid) {
                    throw invalid;
                }
                deleteIfExists(file);
            }
            catch (IOException ex) {
                throw new IpcException("Could not open region " + file + ": " + ex, ex);
            }
        }
        throw new IpcException("Could not open or create region " + file
                + ": it kept appearing and disappearing; is another process deleting it?");
    }

    private static MappedRegionFile attach(Path file, Validator validator) throws IOException {
        if (Files.isSymbolicLink(file)) {
            throw new IpcException("Region file " + file + " is a symbolic link; refusing to follow it."
                    + " Remove it, or choose another ipc.directory");
        }
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new IpcException("Region file " + file + " is not a regular file. Remove it");
        }
        checkOwner(file);
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS);
        try {
            long fileSize = channel.size();
            if (fileSize <= 0 || fileSize > MAX_SIZE) {
                throw new IpcCorruptDataException("Region file " + file + " has " + fileSize
                        + " bytes, which no region has; it is not a region or was truncated");
            }
            MappedByteBuffer buffer = channel.map(FileChannel.MapMode.READ_WRITE, 0, fileSize);
            buffer.order(ByteOrder.LITTLE_ENDIAN);
            validator.validate(buffer.duplicate().order(ByteOrder.LITTLE_ENDIAN), fileSize);
            return new MappedRegionFile(file, channel, buffer, false);
        }
        catch (IOException | RuntimeException ex) {
            channel.close();
            throw ex;
        }
    }

    private static void checkOwner(Path file) throws IOException {
        if (!IpcDirectory.supportsPosix(file) || !Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        String owner = Files.getOwner(file, LinkOption.NOFOLLOW_LINKS).getName();
        String me = System.getProperty("user.name");
        if (me != null && !owner.equals(me)) {
            throw new IpcException("Region file " + file + " belongs to user '" + owner + "', not to '" + me
                    + "'; refusing to use it. Remove it, or choose another ipc.directory");
        }
    }

    /** Returns {@code null} when another process published the file first. */
    private static MappedRegionFile tryCreate(Path file, long size, Set<PosixFilePermission> mode,
            Initializer initializer) {
        Path temp = file.resolveSibling("." + file.getFileName() + ".init-" + ProcessHandle.current().pid() + "-"
                + Long.toHexString(System.nanoTime()));
        FileChannel channel = null;
        try {
            if (IpcDirectory.supportsPosix(file)) {
                Files.createFile(temp, PosixFilePermissions.asFileAttribute(mode));
                Files.setPosixFilePermissions(temp, mode); // exact mode whatever the umask
            }
            else {
                Files.createFile(temp);
            }
            channel = FileChannel.open(temp, StandardOpenOption.READ, StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS);
            allocate(channel, size, file);
            MappedByteBuffer buffer = channel.map(FileChannel.MapMode.READ_WRITE, 0, size);
            buffer.order(ByteOrder.LITTLE_ENDIAN);
            initializer.initialize(buffer.duplicate().order(ByteOrder.LITTLE_ENDIAN));
            try {
                Files.createLink(file, temp); // atomic, and fails when the name exists: the publish step
            }
            catch (FileAlreadyExistsException lost) {
                channel.close();
                return null;
            }
            catch (UnsupportedOperationException noHardLinks) {
                try {
                    Files.move(temp, file); // no REPLACE_EXISTING: a racing creator still fails here
                }
                catch (FileAlreadyExistsException lost) {
                    channel.close();
                    return null;
                }
            }
            return new MappedRegionFile(file, channel, buffer, true);
        }
        catch (IOException ex) {
            closeQuietly(channel);
            throw new IpcException("Could not create region " + file + " of " + size + " bytes: " + ex
                    + ". Free space in " + file.getParent() + " or lower the channel's size setting", ex);
        }
        catch (RuntimeException ex) {
            closeQuietly(channel);
            throw ex;
        }
        finally {
            deleteIfExists(temp);
        }
    }

    /**
     * Writes zeros over the whole file: a sparse file would allocate its pages on first touch,
     * and a full tmpfs answers that with SIGBUS, which kills the JVM.
     */
    private static void allocate(FileChannel channel, long size, Path file) throws IOException {
        ByteBuffer zeros = ByteBuffer.allocateDirect((int) Math.min(ZERO_CHUNK, size));
        long position = 0;
        while (position < size) {
            zeros.clear();
            zeros.limit((int) Math.min(zeros.capacity(), size - position));
            position += channel.write(zeros, position);
        }
        channel.force(false);
        if (channel.size() != size) {
            throw new IOException("file " + file + " ended at " + channel.size() + " bytes instead of " + size);
        }
    }

    /** Deletes a region file, e.g. when the last user closes it; other processes keep their mapping. */
    public static boolean deleteIfExists(Path file) {
        try {
            return Files.deleteIfExists(file);
        }
        catch (IOException ex) {
            return false;
        }
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            }
            catch (IOException ignored) {
                // already failing
            }
        }
    }

    /** The region's path. */
    public Path path() {
        return this.path;
    }

    /** The whole region, little-endian; share it read-only or {@code duplicate()} per thread. */
    public MappedByteBuffer buffer() {
        return this.buffer;
    }

    /** The open file, e.g. for byte-range locks; do not close it. */
    public FileChannel channel() {
        return this.channel;
    }

    /** Size of the region in bytes. */
    public long size() {
        return this.buffer.capacity();
    }

    /** Whether this process created the region (as opposed to attaching to an existing one). */
    public boolean created() {
        return this.created;
    }

    /**
     * Closes the file. The mapping itself stays until the buffer is garbage collected (the JDK
     * has no supported unmap), so callers must stop using {@link #buffer()} first.
     */
    @Override
    public void close() {
        closeQuietly(this.channel);
    }
}

package io.github.springipc.transport.liveness;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;

import io.github.springipc.transport.IpcException;

/**
 * A side file whose bytes stand for process slots: the process using slot {@code i} holds an
 * exclusive lock on byte {@code i} for as long as it lives. Another process that manages to
 * lock the byte knows the slot's owner is dead (the kernel dropped its locks) and holds the slot
 * while it cleans up after it.
 *
 * <p>POSIX record locks belong to the process, and closing any channel of the file drops them
 * all, so every user in a JVM shares one {@link FileChannel} per path (reference counted):
 *
 * <pre>{@code
 * try (LivenessLockFile locks = LivenessLockFile.open(dir.resolve("orders.queue.lock"))) {
 *     SlotLock mine = locks.tryAcquire(3);      // null when slot 3 is alive elsewhere
 *     ...
 *     boolean alive = locks.isHeld(5);          // probe another slot
 * }
 * }</pre>
 *
 * Locks taken by this JVM are also known locally: {@link #tryAcquire} on such a slot returns
 * {@code null} and {@link #isHeld} answers {@code true}, as for any live process.
 */
public final class LivenessLockFile implements AutoCloseable {

    private static final Map<Path, Shared> OPEN = new HashMap<>();

    private final Shared shared;

    private boolean closed;

    private LivenessLockFile(Shared shared) {
        this.shared = shared;
    }

    /**
     * Opens (creating it with mode {@code 0600} when missing) the lock file at {@code path}.
     *
     * @throws IpcException when the file can not be opened
     */
    public static LivenessLockFile open(Path path) {
        Path key = path.toAbsolutePath().normalize();
        synchronized (OPEN) {
            Shared shared = OPEN.get(key);
            if (shared == null) {
                shared = new Shared(key, openChannel(key));
                OPEN.put(key, shared);
            }
            shared.references++;
            return new LivenessLockFile(shared);
        }
    }

    private static FileChannel openChannel(Path path) {
        try {
            if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
                try {
                    Files.createFile(path, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                }
                catch (java.nio.file.FileAlreadyExistsException raced) {
                    // another process created it first
                }
                catch (UnsupportedOperationException noPosix) {
                    Files.createFile(path);
                }
            }
            return FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
        }
        catch (IOException ex) {
            throw new IpcException("Could not open liveness lock file " + path + ": " + ex
                    + ". Check that the IPC directory is writable", ex);
        }
    }

    /** The lock file. */
    public Path path() {
        return this.shared.path;
    }

    /**
     * Locks byte {@code slot} for this process.
     *
     * @return the held lock, or {@code null} when another process (or this JVM) holds it
     */
    public SlotLock tryAcquire(int slot) {
        synchronized (this.shared) {
            checkOpen();
            if (this.shared.held.containsKey(slot)) {
                return null;
            }
            try {
                FileLock lock = this.shared.channel.tryLock(slot, 1, false);
                if (lock == null) {
                    return null;
                }
                SlotLock slotLock = new SlotLock(this.shared, slot, lock);
                this.shared.held.put(slot, slotLock);
                return slotLock;
            }
            catch (OverlappingFileLockException heldHere) {
                return null;
            }
            catch (IOException ex) {
                throw new IpcException("Could not lock byte " + slot + " of " + this.shared.path + ": " + ex, ex);
            }
        }
    }

    /** Whether a live process (this one included) holds byte {@code slot}. */
    public boolean isHeld(int slot) {
        SlotLock probe = tryAcquire(slot);
        if (probe == null) {
            return true;
        }
        probe.release();
        return false;
    }

    /** Whether this JVM holds byte {@code slot}. */
    public boolean isHeldByThisProcess(int slot) {
        synchronized (this.shared) {
            return this.shared.held.containsKey(slot);
        }
    }

    private void checkOpen() {
        if (this.closed) {
            throw new IllegalStateException("Liveness lock file " + this.shared.path + " is closed");
        }
    }

    /**
     * Gives up this handle. The shared channel closes (dropping every lock of this JVM on the
     * file) only when the last handle in the JVM closes.
     */
    @Override
    public void close() {
        synchronized (OPEN) {
            if (this.closed) {
                return;
            }
            this.closed = true;
            if (--this.shared.references == 0) {
                OPEN.remove(this.shared.path);
                try {
                    this.shared.channel.close();
                }
                catch (IOException ignored) {
                    // the locks go with the channel either way
                }
            }
        }
    }

    /** One byte locked by this JVM: the proof that its slot's owner lives. */
    public static final class SlotLock {

        private final Shared shared;

        private final int slot;

        private final FileLock lock;

        private SlotLock(Shared shared, int slot, FileLock lock) {
            this.shared = shared;
            this.slot = slot;
            this.lock = lock;
        }

        /** The locked byte. */
        public int slot() {
            return this.slot;
        }

        /** Unlocks the byte; idempotent. */
        public void release() {
            synchronized (this.shared) {
                if (this.shared.held.get(this.slot) != this) {
                    return;
                }
                this.shared.held.remove(this.slot);
                try {
                    if (this.lock.isValid()) {
                        this.lock.release();
                    }
                }
                catch (IOException ignored) {
                    // a closed channel released it already
                }
            }
        }
    }

    private static final class Shared {

        final Path path;

        final FileChannel channel;

        final Map<Integer, SlotLock> held = new HashMap<>();

        int references;

        Shared(Path path, FileChannel channel) {
            this.path = path;
            this.channel = channel;
        }
    }
}

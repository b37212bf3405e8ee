package io.github.springipc.transport.file;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

import io.github.springipc.transport.IpcClosedException;
import io.github.springipc.transport.IpcException;

/**
 * A side file whose bytes serve as inter-process locks ({@code fcntl} record locks through
 * {@link FileChannel#tryLock(long, long, boolean)}), opened once per JVM.
 *
 * <p>POSIX record locks belong to a process, not to a thread or a channel, and closing any
 * channel of the file drops all of the process's locks on it. So this class keeps exactly one
 * open channel per lock file per JVM (reference counted: {@link #open} and {@link #close} pair
 * up), and each byte's {@link #rangeLock lock} pairs the OS lock with one in-JVM
 * {@link ReentrantLock} shared by every user in this JVM. The operating system releases the
 * locks of a process that dies, even by {@code kill -9}.
 *
 * <p>Waiting for a byte held by another process polls {@code tryLock} with a short back-off:
 * the blocking {@code FileChannel.lock} closes the channel when the waiting thread is
 * interrupted, which would drop every lock of this JVM.
 *
 * <p>Besides locks that threads take and give back, a byte can be {@link #tryHold held} for as
 * long as its holder lives: liveness that the kernel keeps honest. A queue's process slot is
 * such a byte; another process that manages to take it knows the slot's owner died.
 */
public final class LockFile implements AutoCloseable {

    private static final Map<Path, LockFile> OPEN = new HashMap<>();

    private static final long MAX_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final Path path;

    private final FileChannel channel;

    private final Object fileKey;

    private final Map<Long, RangeLock> rangeLocks = new ConcurrentHashMap<>();

    /** The bytes this JVM {@linkplain #tryHold holds}; guarded by {@code this}. */
    private final Map<Long, HeldByte> heldBytes = new HashMap<>();

    private int references = 1;

    private int members;

    private FileLock membership;

    private LockFile(Path path, FileChannel channel, Object fileKey) {
        this.path = path;
        this.channel = channel;
        this.fileKey = fileKey;
    }

    /**
     * Opens the lock file, creating it (empty, with {@code mode}) when missing, or shares this
     * JVM's already open instance. Each call must be paired with {@link #close()}.
     */
    public static LockFile open(Path path, Set<PosixFilePermission> mode) {
        Path file = path.toAbsolutePath().normalize();
        synchronized (OPEN) {
            LockFile open = OPEN.get(file);
            if (open != null) {
                open.references++;
                return open;
            }
            LockFile created = openNew(file, mode);
            OPEN.put(file, created);
            return created;
        }
    }

    private static LockFile openNew(Path file, Set<PosixFilePermission> mode) {
        for (int attempt = 0; attempt < 8; attempt++) {
            FileChannel channel = null;
            try {
                createIfMissing(file, mode);
                // the key read before and after opening tells which file the channel holds, even
                // when another process deletes and recreates the name meanwhile
                Object before = fileKey(file);
                channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE,
                        LinkOption.NOFOLLOW_LINKS);
                Object after = fileKey(file);
                if (before != null && before.equals(after)) {
                    return new LockFile(file, channel, after);
                }
                channel.close();
            }
            catch (NoSuchFileException raced) {
                closeQuietly(channel); // deleted between creation and opening: try again
            }
            catch (IOException ex) {
                closeQuietly(channel);
                throw new IpcException("Could not open lock file " + file + ": " + ex
                        + ". Check the permissions of " + file.getParent(), ex);
            }
        }
        throw new IpcException("Could not open lock file " + file
                + ": it kept being deleted and recreated; is another process deleting it?");
    }

    private static void createIfMissing(Path file, Set<PosixFilePermission> mode) throws IOException {
        if (Files.isSymbolicLink(file)) {
            throw new IpcException("Lock file " + file + " is a symbolic link; refusing to follow it. Remove it");
        }
        try {
            if (IpcDirectory.supportsPosix(file)) {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(mode));
                Files.setPosixFilePermissions(file, mode);
            }
            else {
                Files.createFile(file);
            }
        }
        catch (FileAlreadyExistsException exists) {
            // another process or an earlier run made it: lock files have no content to check
        }
    }

    private static Object fileKey(Path file) throws IOException {
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS);
            Object key = attributes.fileKey();
            return key != null ? key : attributes.creationTime();
        }
        catch (NoSuchFileException missing) {
            return null;
        }
    }

    /** The lock file's path. */
    public Path path() {
        return this.path;
    }

    /**
     * Whether the path still names the file this instance holds open. It does not when another
     * process deleted (and maybe recreated) it; ask while holding a lock that deleters also hold.
     */
    public boolean isCurrent() {
        try {
            return this.fileKey.equals(fileKey(this.path));
        }
        catch (IOException ex) {
            return false;
        }
    }

    /**
     * The exclusive lock on the byte at {@code position}, shared by every user of this lock file
     * in this JVM: reentrant for the holding thread, exclusive between threads and processes.
     */
    public Lock rangeLock(long position) {
        if (position < 0) {
            throw new IllegalArgumentException("lock position " + position + " is negative");
        }
        return this.rangeLocks.computeIfAbsent(position, RangeLock::new);
    }

    /**
     * Takes the exclusive lock on the byte at {@code position} and keeps it until
     * {@link HeldByte#release()}, until this JVM closes the file, or until the process dies, when
     * the kernel drops it: for other processes, a held byte means a live holder. Not reentrant:
     * a byte held anywhere, in this JVM included, is refused; so is a byte that a
     * {@link #rangeLock} of this JVM holds, and such a range lock waits while the byte is held.
     *
     * @return the held byte, or {@code null} when a live process (this one included) holds it
     */
    public synchronized HeldByte tryHold(long position) {
        if (this.heldBytes.containsKey(position)) {
            return null;
        }
        FileLock lock = tryLockByte(position);
        if (lock == null) {
            return null;
        }
        HeldByte held = new HeldByte(position, lock);
        this.heldBytes.put(position, held);
        return held;
    }

    /**
     * The process's exclusive OS lock on the byte at {@code position}, or {@code null} when
     * another process holds it, or this JVM otherwise does (a held byte, a range lock, a shared
     * membership): busy either way.
     */
    private FileLock tryLockByte(long position) {
        try {
            return this.channel.tryLock(position, 1, false);
        }
        catch (OverlappingFileLockException heldHere) {
            return null;
        }
        catch (ClosedChannelException ex) {
            throw new IpcClosedException("Lock file " + this.path + " was closed by this process");
        }
        catch (IOException ex) {
            throw new IpcException("Could not lock byte " + position + " of " + this.path + ": " + ex, ex);
        }
    }

    /** Whether a live process, this one included, {@linkplain #tryHold holds} the byte at {@code position}. */
    public boolean isHeld(long position) {
        HeldByte probe = tryHold(position);
        if (probe == null) {
            return true;
        }
        probe.release();
        return false;
    }

    /** Whether this JVM {@linkplain #tryHold holds} the byte at {@code position}. */
    public synchronized boolean isHeldHere(long position) {
        return this.heldBytes.containsKey(position);
    }

    /**
     * Counts this JVM as a member of the group of processes that hold a shared lock on the byte
     * at {@code position}; the first member in this JVM takes the OS lock. Hold the lock that
     * guards joining and leaving while calling this.
     */
    public synchronized void join(long position) {
        if (this.members++ == 0) {
            try {
                this.membership = this.channel.tryLock(position, 1, true);
            }
            catch (IOException ex) {
                this.members--;
                throw new IpcException("Could not take the shared lock in " + this.path + ": " + ex, ex);
            }
            if (this.membership == null) {
                this.members--;
                throw new IpcException("Could not take the shared lock in " + this.path
                        + ": another process holds that byte exclusively. Retry");
            }
        }
    }

    /**
     * Leaves the group {@link #join joined} before.
     *
     * @return whether this was the last member on the whole host: no other member in this JVM
     *         and no other process holding the shared lock
     */
    public synchronized boolean leave(long position) {
        if (this.members == 0) {
            return false;
        }
        if (--this.members > 0) {
            return false;
        }
        try {
            this.membership.release();
            this.membership = null;
            FileLock alone = this.channel.tryLock(position, 1, false);
            if (alone == null) {
                return false;
            }
            alone.release();
            return true;
        }
        catch (IOException ex) {
            return false;
        }
    }

    /**
     * Whether some other process holds a shared lock on the byte at {@code position}, or a member
     * in this JVM has {@link #join joined}.
     */
    public synchronized boolean hasOtherMembers(long position) {
        if (this.members > 0) {
            return true;
        }
        try {
            FileLock probe = this.channel.tryLock(position, 1, false);
            if (probe == null) {
                return true;
            }
            probe.release();
            return false;
        }
        catch (IOException ex) {
            return true;
        }
    }

    /**
     * Deletes the lock file; processes that still hold it open notice through {@link #isCurrent()}.
     * Later {@link #open} calls in this JVM open a new file.
     */
    public void delete() {
        synchronized (OPEN) {
            OPEN.remove(this.path, this);
        }
        try {
            Files.deleteIfExists(this.path);
        }
        catch (IOException ignored) {
            // a leftover empty lock file is harmless
        }
    }

    /** Stops sharing this instance with later {@link #open} calls, e.g. after {@link #isCurrent()} said no. */
    public void forget() {
        synchronized (OPEN) {
            OPEN.remove(this.path, this);
        }
    }

    /**
     * Releases one reference; the last one closes the file, which drops this JVM's locks on it.
     * Call it exactly once per {@link #open}.
     */
    @Override
    public void close() {
        synchronized (OPEN) {
            if (this.references == 0 || --this.references > 0) {
                return;
            }
            OPEN.remove(this.path, this);
            synchronized (this) {
                this.heldBytes.clear(); // later calls fail on the closed channel instead of answering "held"
            }
            // still under OPEN: an open of the same path meanwhile would make a second channel,
            // and closing this one drops the locks the process took through that one too
            closeQuietly(this.channel);
        }
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            }
            catch (IOException ignored) {
                // nothing to do
            }
        }
    }

    /** A byte {@linkplain #tryHold held} by this JVM: the proof, for other processes, that its holder lives. */
    public final class HeldByte {

        private final long position;

        private final FileLock lock;

        private HeldByte(long position, FileLock lock) {
            this.position = position;
            this.lock = lock;
        }

        /** The held byte's position. */
        public long position() {
            return this.position;
        }

        /** Gives the byte up; idempotent. */
        public void release() {
            synchronized (LockFile.this) {
                if (LockFile.this.heldBytes.get(this.position) != this) {
                    return;
                }
                LockFile.this.heldBytes.remove(this.position);
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

    /** One byte of the lock file: an in-JVM reentrant lock plus the process's OS lock. */
    private final class RangeLock implements Lock {

        private final long position;

        private final ReentrantLock local = new ReentrantLock();

        /** Held while {@link #local} is held once or more by some thread; guarded by it. */
        private FileLock fileLock;

        RangeLock(long position) {
            this.position = position;
        }

        @Override
        public void lock() {
            this.local.lock();
            if (this.local.getHoldCount() > 1) {
                return;
            }
            boolean interrupted = false;
            try {
                long backoff = 0;
                while (!tryFileLock()) {
                    backoff = pause(backoff);
                    interrupted |= Thread.interrupted();
                }
            }
            catch (RuntimeException ex) {
                this.local.unlock();
                throw ex;
            }
            finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        @Override
        public void lockInterruptibly() throws InterruptedException {
            this.local.lockInterruptibly();
            if (this.local.getHoldCount() > 1) {
                return;
            }
            if (!acquireFileLock(Long.MAX_VALUE, true)) {
                throw new InterruptedException();
            }
        }

        @Override
        public boolean tryLock() {
            if (!this.local.tryLock()) {
                return false;
            }
            if (this.local.getHoldCount() > 1) {
                return true;
            }
            try {
                if (tryFileLock()) {
                    return true;
                }
            }
            catch (RuntimeException ex) {
                this.local.unlock();
                throw ex;
            }
            this.local.unlock();
            return false;
        }

        @Override
        public boolean tryLock(long time, TimeUnit unit) throws InterruptedException {
            long deadline = System.nanoTime() + unit.toNanos(time);
            if (!this.local.tryLock(time, unit)) {
                return false;
            }
            if (this.local.getHoldCount() > 1) {
                return true;
            }
            return acquireFileLock(deadline, false);
        }

        /** Called holding {@link #local} once; releases it on failure. */
        private boolean acquireFileLock(long deadline, boolean forever) throws InterruptedException {
            boolean locked = false;
            try {
                long backoff = 0;
                while (!(locked = tryFileLock())) {
                    if (Thread.interrupted()) {
                        throw new InterruptedException();
                    }
                    if (!forever && System.nanoTime() - deadline >= 0) {
                        return false;
                    }
                    backoff = pause(backoff);
                }
                return true;
            }
            finally {
                if (!locked) {
                    this.local.unlock();
                }
            }
        }

        private boolean tryFileLock() {
            this.fileLock = tryLockByte(this.position);
            return this.fileLock != null;
        }

        /** Spins briefly, then parks for growing periods up to a millisecond. */
        private long pause(long backoff) {
            if (backoff < 1000) {
                Thread.onSpinWait();
                return backoff + 100;
            }
            LockSupport.parkNanos(backoff);
            return Math.min(backoff * 2, MAX_BACKOFF_NANOS);
        }

        @Override
        public void unlock() {
            if (!this.local.isHeldByCurrentThread()) {
                throw new IllegalMonitorStateException("Lock at byte " + this.position + " of " + LockFile.this.path
                        + " is not held by this thread");
            }
            try {
                if (this.local.getHoldCount() == 1 && this.fileLock != null) {
                    FileLock held = this.fileLock;
                    this.fileLock = null;
                    if (held.isValid()) {
                        held.release();
                    }
                }
            }
            catch (IOException ex) {
                throw new IpcException("Could not unlock byte " + this.position + " of " + LockFile.this.path
                        + ": " + ex, ex);
            }
            finally {
                this.local.unlock();
            }
        }

        @Override
        public Condition newCondition() {
            throw new UnsupportedOperationException("Inter-process locks have no conditions");
        }

        @Override
        public String toString() {
            return "LockFile.RangeLock[" + LockFile.this.path + " @" + this.position
                    + (this.local.isLocked() ? ", locked]" : ", unlocked]");
        }
    }
}

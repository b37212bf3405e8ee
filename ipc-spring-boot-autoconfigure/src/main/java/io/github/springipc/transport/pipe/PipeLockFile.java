package io.github.springipc.transport.pipe;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The side file {@code <name>.sock.lock} whose lock is held while a process decides whether to
 * bind or connect, so that two processes racing to bind end with exactly one binder.
 *
 * <p>POSIX record locks belong to the process, and closing any channel of the file drops them:
 * so each JVM keeps one channel per lock file (counted by its users) and serialises its own
 * threads with a lock of its own. The file is never deleted; deleting a lock file races with
 * its next user.
 */
final class PipeLockFile {

    private static final Map<Path, PipeLockFile> OPEN = new HashMap<>();

    private final Path path;

    private final ReentrantLock jvmLock = new ReentrantLock();

    private final FileChannel channel;

    private int users;

    private PipeLockFile(Path path, FileChannel channel) {
        this.path = path;
        this.channel = channel;
    }

    /** The lock file at {@code path}, opened once per JVM; pair with {@link #release()}. */
    static PipeLockFile acquire(Path path) throws IOException {
        synchronized (OPEN) {
            PipeLockFile file = OPEN.get(path);
            if (file == null) {
                file = new PipeLockFile(path, FileChannel.open(path, StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE));
                OPEN.put(path, file);
            }
            file.users++;
            return file;
        }
    }

    /** Gives up this user's share; the channel closes with its last user. */
    void release() {
        synchronized (OPEN) {
            if (--this.users == 0) {
                OPEN.remove(this.path);
                try {
                    this.channel.close();
                }
                catch (IOException ignored) {
                    // nothing held any more
                }
            }
        }
    }

    /** Runs {@code action} while holding the lock against this JVM's threads and other processes. */
    <T> T locked(IoAction<T> action) throws IOException {
        this.jvmLock.lock();
        try (FileLock ignored = this.channel.lock()) {
            return action.run();
        }
        finally {
            this.jvmLock.unlock();
        }
    }

    @FunctionalInterface
    interface IoAction<T> {

        T run() throws IOException;
    }
}

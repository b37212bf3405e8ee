package io.github.springipc.transport.queue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import io.github.springipc.transport.IpcException;

/**
 * The listening end of a consumer slot's doorbell: a Unix domain socket
 * {@code <dir>/<name>.queue.bell-<slot>.sock} that producers write one byte to after publishing
 * while the slot has sleeping threads. One waiting thread at a time selects on the socket; the
 * others sleep on a condition it signals when it wakes, so a process needs no extra thread.
 */
final class Doorbell implements AutoCloseable {

    private final Path path;

    private final ServerSocketChannel server;

    private final Selector selector;

    private final ByteBuffer scratch = ByteBuffer.allocateDirect(256);

    private final ReentrantLock lock = new ReentrantLock();

    private final Condition woken = this.lock.newCondition();

    private boolean selecting;

    private long wakeups;

    private Doorbell(Path path, ServerSocketChannel server, Selector selector) {
        this.path = path;
        this.server = server;
        this.selector = selector;
    }

    static Path path(Path directory, String queueName, int slot) {
        return directory.resolve(queueName + ".queue.bell-" + slot + ".sock");
    }

    static Doorbell bind(Path path) {
        deleteSocketFile(path); // left by a dead owner of the slot, whose lock we now hold
        ServerSocketChannel server = null;
        try {
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(path));
            try {
                Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
            }
            catch (UnsupportedOperationException noPosix) {
                // the directory's 0700 mode protects it
            }
            server.configureBlocking(false);
            Selector selector = Selector.open();
            server.register(selector, SelectionKey.OP_ACCEPT);
            return new Doorbell(path, server, selector);
        }
        catch (IOException | RuntimeException ex) {
            if (server != null) {
                try {
                    server.close();
                }
                catch (IOException ignored) {
                    // failing anyway
                }
            }
            throw new IpcException("Could not bind queue doorbell " + path + " (" + path.toString().length()
                    + " characters): " + ex + ". Use a shorter ipc.directory or queue name, or wait-strategy BUSY_SPIN", ex);
        }
    }

    static void deleteSocketFile(Path path) {
        try {
            Files.deleteIfExists(path);
        }
        catch (IOException ignored) {
            // bind reports the problem if it matters
        }
    }

    /**
     * Sleeps until a producer rings or {@code nanos} pass; spurious returns are possible.
     *
     * @throws InterruptedException when the thread is interrupted
     */
    void await(long nanos) throws InterruptedException {
        this.lock.lockInterruptibly();
        try {
            if (this.selecting) {
                long seen = this.wakeups;
                while (seen == this.wakeups && nanos > 0) {
                    nanos = this.woken.awaitNanos(nanos);
                }
                return;
            }
            this.selecting = true;
        }
        finally {
            this.lock.unlock();
        }
        try {
            selectOnce(nanos);
        }
        finally {
            this.lock.lock();
            try {
                this.selecting = false;
                this.wakeups++;
                this.woken.signalAll();
            }
            finally {
                this.lock.unlock();
            }
        }
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
    }

    private void selectOnce(long nanos) {
        try {
            // rounded up: rounded down, the caller would wake just before its deadline and select again
            this.selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanos + 999_999)));
            Iterator<SelectionKey> keys = this.selector.selectedKeys().iterator();
            while (keys.hasNext()) {
                SelectionKey key = keys.next();
                keys.remove();
                if (!key.isValid()) {
                    continue;
                }
                if (key.isAcceptable()) {
                    SocketChannel ringer = this.server.accept();
                    if (ringer != null) {
                        ringer.configureBlocking(false);
                        ringer.register(this.selector, SelectionKey.OP_READ);
                    }
                }
                else if (key.isReadable()) {
                    drain(key);
                }
            }
        }
        catch (IOException | java.nio.channels.ClosedSelectorException ex) {
            // closed under us, or a ringer vanished: the caller polls the queue either way
        }
    }

    private void drain(SelectionKey key) {
        SocketChannel channel = (SocketChannel) key.channel();
        try {
            int read;
            do {
                this.scratch.clear();
                read = channel.read(this.scratch);
            }
            while (read > 0);
            if (read < 0) {
                key.cancel();
                channel.close();
            }
        }
        catch (IOException ex) {
            key.cancel();
            try {
                channel.close();
            }
            catch (IOException ignored) {
                // gone
            }
        }
    }

    /** How many times a thread came back from selecting: rung, timed out or woken (tests). */
    long wakeups() {
        this.lock.lock();
        try {
            return this.wakeups;
        }
        finally {
            this.lock.unlock();
        }
    }

    /** Wakes a selecting thread without a producer (used on close). */
    void wakeup() {
        this.selector.wakeup();
    }

    @Override
    public void close() {
        try {
            this.selector.wakeup();
            for (SelectionKey key : this.selector.keys()) {
                key.channel().close();
            }
            this.selector.close();
            this.server.close();
        }
        catch (IOException | java.nio.channels.ClosedSelectorException ignored) {
            // closing anyway
        }
        deleteSocketFile(this.path);
    }
}

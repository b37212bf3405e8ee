package io.github.springipc.transport.queue;

import static io.github.springipc.transport.queue.QueueLayout.*;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * The producer end of the doorbells: a cached connection per consumer slot, to which it writes
 * one byte when that slot has sleeping threads. Thread-safe with one lock: the producers of an
 * attachment ring only when a consumer sleeps, and each ring is a system call anyway.
 */
final class DoorbellRinger implements AutoCloseable {

    private final QueueRing ring;

    private final Path directory;

    private final String name;

    private final SocketChannel[] connections;

    private final long[] connectedEpochs;

    private final long[] failedEpochs;

    private final ByteBuffer one = ByteBuffer.allocateDirect(1);

    DoorbellRinger(QueueRing ring, Path directory, String name) {
        this.ring = ring;
        this.directory = directory;
        this.name = name;
        this.connections = new SocketChannel[ring.slotCount];
        this.connectedEpochs = new long[ring.slotCount];
        this.failedEpochs = new long[ring.slotCount];
        java.util.Arrays.fill(this.failedEpochs, -1);
    }

    private boolean closed;

    /** Rings every slot that has sleeping threads; nothing once closed. */
    synchronized void ringSleepers() {
        if (this.closed) {
            return; // a release racing its attachment's close: no new connections
        }
        for (int slot = 0; slot < this.ring.slotCount; slot++) {
            if (this.ring.slotInt(slot, SLOT_WAITERS) > 0) {
                ring(slot);
            }
        }
    }

    private void ring(int slot) {
        long epoch = this.ring.slotLong(slot, SLOT_EPOCH);
        if (this.failedEpochs[slot] == epoch) {
            return; // its owner is gone; recovery will clear its waiter count
        }
        for (int attempt = 0; attempt < 2; attempt++) {
            SocketChannel channel = this.connections[slot];
            try {
                if (channel == null || this.connectedEpochs[slot] != epoch) {
                    closeQuietly(channel);
                    this.connections[slot] = null;
                    channel = SocketChannel.open(StandardProtocolFamily.UNIX);
                    // never block a producer on a consumer that is alive but not accepting
                    channel.configureBlocking(false);
                    if (!channel.connect(UnixDomainSocketAddress.of(Doorbell.path(this.directory, this.name, slot)))
                            && !channel.finishConnect()) {
                        closeQuietly(channel);
                        return; // its backlog is full: it has rings pending already
                    }
                    this.connections[slot] = channel;
                    this.connectedEpochs[slot] = epoch;
                }
                this.one.clear();
                channel.write(this.one); // 0 when its buffer is full: it has bytes to wake on already
                return;
            }
            catch (IOException ex) {
                closeQuietly(channel);
                this.connections[slot] = null;
            }
        }
        this.failedEpochs[slot] = epoch;
    }

    private static void closeQuietly(SocketChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            }
            catch (IOException ignored) {
                // gone
            }
        }
    }

    @Override
    public synchronized void close() {
        this.closed = true;
        for (int slot = 0; slot < this.connections.length; slot++) {
            closeQuietly(this.connections[slot]);
            this.connections[slot] = null;
        }
    }
}

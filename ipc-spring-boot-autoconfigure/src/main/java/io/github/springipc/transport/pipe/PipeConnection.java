package io.github.springipc.transport.pipe;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.TreeSet;

import io.github.springipc.transport.IpcException;
import io.github.springipc.transport.IpcTimeoutException;

/**
 * One established connection to the peer: its socket, its writer, and the counters that
 * confirmed delivery needs. A pipe has at most one at a time; a new one replaces it after the
 * peer returns.
 */
final class PipeConnection {

    /** Write an ACK at least every so many settled messages while more are buffered. */
    private static final int ACK_EVERY = 64;

    final SocketChannel channel;

    final FrameWriter writer;

    /** Read only by the current leader of the pipe's {@link PipeInbound}. */
    final FrameReader reader;

    final int generation;

    final String peerUser;

    /** The peer asked for ACKs of the messages it sends us. */
    final boolean peerWantsAcks;

    private final Object acks = new Object();

    /** Highest count of our messages the peer has settled (cumulative). */
    private volatile long ackedByPeer;

    private volatile boolean closed;

    private volatile String closeReason = "the connection closed";

    // settlement of inbound messages, for the ACKs we owe; guarded by this
    private long settledWatermark;

    private final TreeSet<Long> settledAhead = new TreeSet<>();

    private long lastAckSent;

    /** Inbound MESSAGE records seen; touched only by the reading leader. */
    long receivedSequence;

    /** Deliveries of this connection in the inbound buffer; guarded by the buffer's lock. */
    int buffered;

    /**
     * Takes over {@code channel} after its handshake and switches it to non-blocking mode: every
     * read and write from here on waits through a selector, with a deadline.
     */
    PipeConnection(SocketChannel channel, PipeOptions options, String pipeName, int generation, String peerUser,
            boolean peerWantsAcks) throws IOException {
        this.channel = channel;
        channel.configureBlocking(false);
        // the owner lane keeps each thread's order, not the order of all frames: neither RAW
        // replies nor confirm-delivery's numbered MESSAGE records may take it
        boolean ownerLane = options.wireFormat() == PipeWireFormat.ENVELOPE && !options.confirmDelivery();
        this.writer = new FrameWriter(channel, options.ioBufferSize(), ownerLane,
                "ipc-pipe-" + pipeName + "-flusher-" + generation);
        try {
            this.reader = new FrameReader(channel, options.ioBufferSize(), options.maxMessageSize(),
                    "ipc.pipes." + pipeName + ".max-message-size");
        }
        catch (IOException | RuntimeException ex) {
            this.writer.closeSelector();
            throw ex;
        }
        this.generation = generation;
        this.peerUser = peerUser;
        this.peerWantsAcks = peerWantsAcks;
    }

    boolean isClosed() {
        return this.closed;
    }

    String closeReason() {
        return this.closeReason;
    }

    /** Closes the socket and wakes everyone waiting on this connection. */
    void close(String reason) {
        synchronized (this.acks) {
            if (this.closed) {
                return;
            }
            this.closeReason = reason;
            this.closed = true;
            this.acks.notifyAll();
        }
        this.writer.fail(new IOException(reason));
        try {
            // the peer sees the end now, even while a selector still holds the descriptor open
            this.channel.shutdownOutput();
        }
        catch (IOException ignored) {
            // closing anyway
        }
        try {
            this.channel.close();
        }
        catch (IOException ignored) {
            // closing anyway
        }
        // closing the selectors deregisters the channel, which lets the JDK release its descriptor
        this.reader.close();
        this.writer.closeSelector();
    }

    /** The peer settled {@code count} of our messages in total. */
    void onAck(long count) {
        synchronized (this.acks) {
            if (count > this.ackedByPeer) {
                this.ackedByPeer = count;
                this.acks.notifyAll();
            }
        }
    }

    /**
     * Waits until the peer has settled our message {@code sequence}, reading the socket itself
     * when no other thread does.
     */
    void awaitAck(long sequence, long deadline, String pipeName, PipeInbound inbound) {
        try {
            inbound.await(() -> this.ackedByPeer >= sequence || this.closed, deadline);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IpcException("Pipe '" + pipeName + "': interrupted while waiting for a confirmation");
        }
        if (this.ackedByPeer >= sequence) {
            return;
        }
        if (this.closed) {
            throw new IpcException("Pipe '" + pipeName + "': the peer went away (" + this.closeReason
                    + ") before confirming a message; it may or may not have taken it");
        }
        throw new IpcTimeoutException("Pipe '" + pipeName + "': the peer did not confirm a message in"
                + " time; it may or may not take it later. Raise ipc.pipes." + pipeName
                + ".send-timeout or check that the peer receives");
    }

    /**
     * Inbound message {@code sequence} was handled (or was a reply); writes an ACK when the
     * settled prefix advanced and nothing else is buffered, or every {@value #ACK_EVERY}.
     */
    void settled(long sequence, boolean nothingBuffered) {
        if (!this.peerWantsAcks) {
            return;
        }
        long ack;
        synchronized (this) {
            if (sequence == this.settledWatermark + 1) {
                this.settledWatermark = sequence;
                while (!this.settledAhead.isEmpty() && this.settledAhead.first() == this.settledWatermark + 1) {
                    this.settledWatermark = this.settledAhead.pollFirst();
                }
            }
            else if (sequence > this.settledWatermark) {
                this.settledAhead.add(sequence);
            }
            if (this.settledWatermark <= this.lastAckSent
                    || (!nothingBuffered && this.settledWatermark - this.lastAckSent < ACK_EVERY)) {
                return;
            }
            ack = this.settledWatermark;
            this.lastAckSent = ack;
        }
        try {
            this.writer.writeAck(ack, 1_000_000_000L);
        }
        catch (IOException ex) {
            // the connection is going; the peer's senders learn it from the closed socket
        }
    }

    /** A drained batch ended: ACK what it settled, if the peer wants ACKs and one is owed. */
    void settledBatchEnd() {
        if (!this.peerWantsAcks) {
            return;
        }
        long ack;
        synchronized (this) {
            if (this.settledWatermark <= this.lastAckSent) {
                return;
            }
            ack = this.settledWatermark;
            this.lastAckSent = ack;
        }
        try {
            this.writer.writeAck(ack, 1_000_000_000L);
        }
        catch (IOException ex) {
            // the connection is going; the peer's senders learn it from the closed socket
        }
    }

    /** Throws {@link IpcPipeOccupiedException} when {@code body} is a binder's refusal. */
    static void throwIfRefusal(byte[] body) {
        if (PipeFrameLayout.startsWith(body, PipeFrameLayout.REFUSED)) {
            String reason = new String(Arrays.copyOfRange(body, PipeFrameLayout.REFUSED.length, body.length),
                    StandardCharsets.UTF_8);
            throw new IpcPipeOccupiedException(reason);
        }
    }
}

package io.github.springipc.transport.pipe;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import io.github.springipc.transport.IpcMessage;
import io.github.springipc.transport.IpcMessageCodec;

/**
 * Writes frames to one connection's socket, coalescing them under load.
 *
 * <p>A sender appends its frame to a shared direct buffer. If no other sender is writing, it
 * becomes the flusher and writes the buffer at once, so a lone message on an idle pipe leaves
 * in one system call with no thread hand-off. Senders arriving while the flusher is in
 * {@code write} only append; the flusher then swaps buffers and writes all of theirs in one
 * call. Frames larger than the buffer are written directly, after what is queued before them.
 *
 * <p>The channel is non-blocking and every wait is bounded by the sender's deadline. A sender
 * waiting for room that times out has queued nothing. A flusher that times out (the peer stopped
 * reading) leaves the unwritten rest of its batch first in line: it is never cut or reordered,
 * and goes out with the next write on this connection (or the drain at close) if the peer reads
 * again.
 *
 * <p>Once the flusher has failed (the peer went away), every later append fails too.
 */
final class FrameWriter {

    private final SocketChannel channel;

    private final ReentrantLock lock = new ReentrantLock();

    private final Condition room = this.lock.newCondition();

    private ByteBuffer pending;

    private ByteBuffer writing;

    private boolean flushing;

    /** What the current or last flusher writes: the rest of it must go out before anything else. */
    private ByteBuffer[] inflight;

    /** For waiting, in the flusher only, until the socket takes more bytes. */
    private final Selector selector;

    private IOException failure;

    /** MESSAGE records written, the one being written included. */
    private long messagesWritten;

    /** @param channel a non-blocking channel */
    FrameWriter(SocketChannel channel, int bufferSize) throws IOException {
        this.channel = channel;
        this.pending = ByteBuffer.allocateDirect(bufferSize);
        this.writing = ByteBuffer.allocateDirect(bufferSize);
        this.selector = Selector.open();
        try {
            channel.register(this.selector, SelectionKey.OP_WRITE);
        }
        catch (IOException | RuntimeException ex) {
            this.selector.close();
            throw ex;
        }
    }

    /** Releases the selector; the channel is closed by its owner. */
    void closeSelector() {
        try {
            this.selector.close();
        }
        catch (IOException ignored) {
            // nothing more to release
        }
    }

    /** A RAW frame: the body is the payload. @return the message's sequence number */
    long writeRaw(byte[] payload, long deadline) throws IOException {
        int frame = PipeFrameLayout.LENGTH_PREFIX + payload.length;
        this.lock.lock();
        try {
            if (!reserve(frame, deadline)) {
                return writeLarge(ByteBuffer.allocate(PipeFrameLayout.LENGTH_PREFIX).putInt(0, payload.length),
                        ByteBuffer.wrap(payload), deadline);
            }
            this.pending.putInt(payload.length).put(payload);
            return finishAppend(deadline);
        }
        finally {
            this.lock.unlock();
        }
    }

    /** An ENVELOPE MESSAGE record with no headers: no encoding step, no allocation. */
    long writeBarePayload(byte[] payload, long deadline) throws IOException {
        int body = PipeFrameLayout.KIND_LENGTH + 2 + payload.length;
        this.lock.lock();
        try {
            if (!reserve(PipeFrameLayout.LENGTH_PREFIX + body, deadline)) {
                ByteBuffer head = ByteBuffer.allocate(PipeFrameLayout.LENGTH_PREFIX + 3);
                head.putInt(body).put(PipeFrameLayout.KIND_MESSAGE).putShort((short) 0).flip();
                return writeLarge(head, ByteBuffer.wrap(payload), deadline);
            }
            this.pending.putInt(body).put(PipeFrameLayout.KIND_MESSAGE).putShort((short) 0).put(payload);
            return finishAppend(deadline);
        }
        finally {
            this.lock.unlock();
        }
    }

    /** An ENVELOPE MESSAGE record. */
    long writeEnvelope(IpcMessage message, int envelopeLength, long deadline) throws IOException {
        int body = PipeFrameLayout.KIND_LENGTH + envelopeLength;
        this.lock.lock();
        try {
            if (!reserve(PipeFrameLayout.LENGTH_PREFIX + body, deadline)) {
                ByteBuffer whole = ByteBuffer.allocate(PipeFrameLayout.LENGTH_PREFIX + body);
                whole.putInt(body).put(PipeFrameLayout.KIND_MESSAGE);
                IpcMessageCodec.encode(message, whole);
                whole.flip();
                return writeLarge(whole, null, deadline);
            }
            this.pending.putInt(body).put(PipeFrameLayout.KIND_MESSAGE);
            IpcMessageCodec.encode(message, this.pending);
            return finishAppend(deadline);
        }
        finally {
            this.lock.unlock();
        }
    }

    /** An ACK record; not counted as a message. */
    void writeAck(long count, long deadline) throws IOException {
        this.lock.lock();
        try {
            reserve(PipeFrameLayout.LENGTH_PREFIX + PipeFrameLayout.ACK_LENGTH, deadline);
            this.pending.putInt(PipeFrameLayout.ACK_LENGTH).put(PipeFrameLayout.KIND_ACK).putLong(count);
            if (!this.flushing) {
                flushLocked(deadline);
            }
        }
        finally {
            this.lock.unlock();
        }
    }

    /**
     * Waits until no flush is under way and nothing is pending, so that a close does not cut off
     * messages whose senders already returned.
     */
    void drain(long timeoutNanos) {
        long deadline = System.nanoTime() + timeoutNanos;
        this.lock.lock();
        try {
            while (this.failure == null && (this.flushing || this.pending.position() > 0 || this.inflight != null)) {
                if (!this.flushing) {
                    try {
                        flushLocked(deadline);
                    }
                    catch (IOException ex) {
                        return;
                    }
                    continue;
                }
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    return;
                }
                try {
                    this.room.awaitNanos(remaining);
                }
                catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        finally {
            this.lock.unlock();
        }
    }

    /** Makes the writer fail every later append, e.g. after the reader saw the connection end. */
    void fail(IOException cause) {
        this.lock.lock();
        try {
            if (this.failure == null) {
                this.failure = cause;
            }
            this.room.signalAll();
        }
        finally {
            this.lock.unlock();
        }
    }

    private long finishAppend(long deadline) throws IOException {
        long sequence = ++this.messagesWritten;
        if (!this.flushing) {
            flushLocked(deadline);
        }
        return sequence;
    }

    /**
     * Waits (lock held) until the pending buffer has room for {@code frame} bytes.
     *
     * @return false when the frame can never fit and must be written directly
     */
    private boolean reserve(int frame, long deadline) throws IOException {
        while (true) {
            checkUsable();
            if (frame > this.pending.capacity()) {
                return false;
            }
            if (this.pending.remaining() >= frame) {
                return true;
            }
            if (!this.flushing) {
                try {
                    flushLocked(deadline);
                }
                catch (WriteTimeoutException ex) {
                    throw new WriteTimeoutException(false); // what stalled was earlier frames, not this one
                }
                continue;
            }
            awaitRoom(deadline);
        }
    }

    /** Waits for the flusher to make progress; a timeout here means this frame was not queued. */
    private void awaitRoom(long deadline) throws IOException {
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0) {
            throw new WriteTimeoutException(false);
        }
        try {
            this.room.awaitNanos(Math.min(remaining, TimeUnit.MILLISECONDS.toNanos(100)));
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting to write");
        }
    }

    private void checkUsable() throws IOException {
        if (this.failure != null) {
            throw new IOException("the connection is broken: " + this.failure.getMessage(), this.failure);
        }
    }

    /**
     * Writes until nothing is pending; the lock is released around each system call. What a
     * timed-out flusher left unwritten stays first in line for the next one.
     */
    private void flushLocked(long deadline) throws IOException {
        this.flushing = true;
        try {
            finishInflight(deadline);
            while (this.pending.position() > 0) {
                ByteBuffer full = this.pending;
                this.pending = this.writing;
                this.writing = full;
                full.flip();
                this.inflight = new ByteBuffer[] { full };
                this.room.signalAll();
                finishInflight(deadline);
            }
        }
        finally {
            this.flushing = false;
            this.room.signalAll();
        }
    }

    private void finishInflight(long deadline) throws IOException {
        ByteBuffer[] parts = this.inflight;
        if (parts == null) {
            return;
        }
        writeUnlocked(parts, deadline);
        this.inflight = null;
        if (parts[0] == this.writing) {
            this.writing.clear();
        }
    }

    private long writeLarge(ByteBuffer head, ByteBuffer body, long deadline) throws IOException {
        while (this.flushing) {
            checkUsable();
            awaitRoom(deadline);
        }
        checkUsable();
        this.flushing = true;
        long sequence;
        try {
            finishInflight(deadline);
            while (this.pending.position() > 0) {
                ByteBuffer full = this.pending;
                this.pending = this.writing;
                this.writing = full;
                full.flip();
                this.inflight = new ByteBuffer[] { full };
                finishInflight(deadline);
            }
            // counted only now: every frame appended meanwhile waits for this one, so the peer's
            // count of MESSAGE records and ours stay in step
            sequence = ++this.messagesWritten;
            this.inflight = body == null ? new ByteBuffer[] { head } : new ByteBuffer[] { head, body };
            try {
                finishInflight(deadline);
            }
            catch (WriteTimeoutException ex) {
                if (body != null && this.inflight != null) {
                    // the caller may reuse its array once we have thrown: keep our own copy of the rest
                    ByteBuffer rest = ByteBuffer.allocate(body.remaining()).put(body).flip();
                    this.inflight = new ByteBuffer[] { head, rest };
                }
                throw ex;
            }
        }
        finally {
            this.flushing = false;
        }
        flushLocked(deadline);
        return sequence;
    }

    /**
     * Writes {@code parts} completely. The channel is non-blocking: when the socket is full the
     * thread waits for it to drain, at most until {@code deadline}, so a peer that stopped
     * reading can not hold a sender forever.
     */
    private void writeUnlocked(ByteBuffer[] parts, long deadline) throws IOException {
        ByteBuffer last = parts[parts.length - 1];
        this.lock.unlock();
        IOException failed = null;
        try {
            while (last.hasRemaining()) {
                if (Thread.currentThread().isInterrupted()) {
                    // checked before writing: an interrupt during a channel operation closes the channel
                    throw new InterruptedIOException("interrupted while writing");
                }
                long written = parts.length == 1 ? this.channel.write(parts[0]) : this.channel.write(parts);
                if (written == 0) {
                    awaitWritable(deadline);
                }
            }
        }
        catch (WriteTimeoutException | InterruptedIOException ex) {
            this.lock.lock();
            throw ex;
        }
        catch (IOException ex) {
            failed = ex;
        }
        this.lock.lock();
        if (failed != null) {
            if (this.failure == null) {
                this.failure = failed;
            }
            this.room.signalAll();
            throw failed;
        }
    }

    private void awaitWritable(long deadline) throws IOException {
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0) {
            throw new WriteTimeoutException(true);
        }
        try {
            this.selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(remaining + 999_999)));
            this.selector.selectedKeys().clear();
        }
        catch (ClosedSelectorException ex) {
            throw new ClosedChannelException();
        }
    }

    /** The socket stayed full until the deadline: the peer is not reading. */
    static final class WriteTimeoutException extends IOException {

        private static final long serialVersionUID = 1L;

        private final boolean queued;

        WriteTimeoutException(boolean queued) {
            super("the peer did not read in time");
            this.queued = queued;
        }

        /**
         * Whether the frame is already queued (partly written, or behind a write that stalled):
         * it goes out when the peer reads again, if it ever does.
         */
        boolean queued() {
            return this.queued;
        }
    }
}

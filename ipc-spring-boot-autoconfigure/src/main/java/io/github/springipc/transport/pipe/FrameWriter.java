package io.github.springipc.transport.pipe;

import java.io.IOException;
import java.nio.ByteBuffer;
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
 * <p>Once the flusher has failed (the peer went away), every later append fails too.
 */
final class FrameWriter {

    private final SocketChannel channel;

    private final ReentrantLock lock = new ReentrantLock();

    private final Condition room = this.lock.newCondition();

    private ByteBuffer pending;

    private ByteBuffer writing;

    private boolean flushing;

    private IOException failure;

    /** MESSAGE records written, the one being written included. */
    private long messagesWritten;

    FrameWriter(SocketChannel channel, int bufferSize) {
        this.channel = channel;
        this.pending = ByteBuffer.allocateDirect(bufferSize);
        this.writing = ByteBuffer.allocateDirect(bufferSize);
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
            return finishAppend();
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
            return finishAppend();
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
            return finishAppend();
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
                flushLocked();
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
            while (this.failure == null && (this.flushing || this.pending.position() > 0)) {
                if (!this.flushing) {
                    try {
                        flushLocked();
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

    private long finishAppend() throws IOException {
        long sequence = ++this.messagesWritten;
        if (!this.flushing) {
            flushLocked();
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
                flushLocked();
                continue;
            }
            awaitRoom(deadline);
        }
    }

    private void awaitRoom(long deadline) throws IOException {
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0) {
            throw new WriteTimeoutException();
        }
        try {
            this.room.awaitNanos(Math.min(remaining, TimeUnit.MILLISECONDS.toNanos(100)));
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while waiting to write");
        }
    }

    private void checkUsable() throws IOException {
        if (this.failure != null) {
            throw new IOException("the connection is broken: " + this.failure.getMessage(), this.failure);
        }
    }

    /** Writes until nothing is pending; the lock is released around each system call. */
    private void flushLocked() throws IOException {
        this.flushing = true;
        try {
            while (this.pending.position() > 0) {
                ByteBuffer full = this.pending;
                this.pending = this.writing;
                this.writing = full;
                full.flip();
                this.room.signalAll();
                writeUnlocked(full, null);
                full.clear();
            }
        }
        finally {
            this.flushing = false;
            this.room.signalAll();
        }
    }

    private long writeLarge(ByteBuffer head, ByteBuffer body, long deadline) throws IOException {
        while (this.flushing) {
            checkUsable();
            awaitRoom(deadline);
        }
        checkUsable();
        long sequence = ++this.messagesWritten;
        this.flushing = true;
        try {
            while (this.pending.position() > 0) {
                ByteBuffer full = this.pending;
                this.pending = this.writing;
                this.writing = full;
                full.flip();
                writeUnlocked(full, null);
                full.clear();
            }
            writeUnlocked(head, body);
        }
        finally {
            this.flushing = false;
        }
        flushLocked();
        return sequence;
    }

    private void writeUnlocked(ByteBuffer first, ByteBuffer second) throws IOException {
        this.lock.unlock();
        IOException failed = null;
        try {
            if (second == null) {
                while (first.hasRemaining()) {
                    this.channel.write(first);
                }
            }
            else {
                ByteBuffer[] parts = { first, second };
                while (second.hasRemaining()) {
                    this.channel.write(parts);
                }
            }
        }
        catch (IOException ex) {
            failed = ex;
        }
        finally {
            this.lock.lock();
        }
        if (failed != null) {
            if (this.failure == null) {
                this.failure = failed;
            }
            this.room.signalAll();
            throw failed;
        }
    }

    /** The wait for room in the buffer ran out: the peer is not reading. */
    static final class WriteTimeoutException extends IOException {

        private static final long serialVersionUID = 1L;

        WriteTimeoutException() {
            super("the peer did not read in time");
        }
    }
}

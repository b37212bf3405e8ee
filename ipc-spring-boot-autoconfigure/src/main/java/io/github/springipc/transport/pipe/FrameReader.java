package io.github.springipc.transport.pipe;

import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;

import io.github.springipc.transport.IpcCorruptDataException;

/**
 * Reads frames, one at a time, from one connection's non-blocking socket, for whichever thread
 * currently holds the right to read it (see {@link PipeInbound}). It keeps its state between
 * calls, so a thread that gives up on a timeout leaves a half-read frame for the next reader.
 *
 * <p>One read brings in as many frames as fit the direct buffer; later calls return them without
 * a system call. A frame body that does not fit the buffer gets an array of exactly its size,
 * allocated only after its length passed the {@code max-message-size} check, and filled through
 * the direct buffer (a heap buffer handed to the channel would make the JDK cache a temporary
 * direct buffer of the frame's size in every reading thread).
 *
 * <p>Not thread-safe: callers hand it over under a lock.
 */
final class FrameReader {

    /** Deadline meaning "until woken". */
    static final long FOREVER = Long.MAX_VALUE;

    /**
     * How long a waiting reader polls the socket (non-blocking reads) before it sleeps in the
     * selector, when the caller asks for it. A reply usually comes within a few microseconds of
     * the request: the poll catches it without the sleep and wake-up (some 20 µs on a VM) that a
     * blocking read pays on both ends. Short, so that a reader whose peer is quiet soon sleeps
     * (the same trade as the queue's blocking wait strategy).
     */
    static final long POLL_NANOS = 50_000;

    private final SocketChannel channel;

    /** Kept in read mode between calls: position = first unparsed byte, limit = end of data. */
    private final ByteBuffer buffer;

    private final int maxMessageSize;

    private final String settingName;

    private final Selector selector;

    /** Whether the last read drained the socket, as far as one can tell. */
    private boolean lastReadEmptied;

    /** The body of a frame larger than the buffer, while it is being filled. */
    private ByteBuffer large;

    /** A read-only view of {@link #buffer}, what {@link #frameBuffer()} is for frames that fit it. */
    private final ByteBuffer view;

    // the frame found by the last successful advance: bytes [frameOffset, frameOffset + frameLength)
    private ByteBuffer frameBuffer;

    private int frameOffset;

    private int frameLength;

    FrameReader(SocketChannel channel, int bufferSize, int maxMessageSize, String settingName) throws IOException {
        this.channel = channel;
        ByteBuffer direct = ByteBuffer.allocateDirect(bufferSize);
        this.view = direct.asReadOnlyBuffer(); // limit = capacity: absolute reads anywhere
        this.buffer = direct.flip();
        this.maxMessageSize = maxMessageSize;
        this.settingName = settingName;
        this.selector = Selector.open();
        try {
            channel.register(this.selector, SelectionKey.OP_READ);
        }
        catch (IOException | RuntimeException ex) {
            this.selector.close();
            throw ex;
        }
    }

    /**
     * The next frame body, valid until the next call; {@code null} when none completed before
     * {@code deadline} (a {@link System#nanoTime()} value, or {@link #FOREVER}) or when
     * {@link #wakeup()} was called. With {@code poll} (a thread waiting for a message or a reply
     * now), an empty socket is polled for up to {@link #POLL_NANOS} before the thread sleeps.
     *
     * @throws ConnectionEndedException when the peer closed the connection at a frame boundary
     * @throws IpcCorruptDataException for a bad length or a frame cut short
     * @throws InterruptedIOException when the calling thread is interrupted (checked before any
     *         read, so that an interrupt does not close the channel)
     * @throws IOException when the socket fails
     */
    ByteBuffer next(long deadline, boolean poll) throws IOException {
        if (!advance(deadline, poll)) {
            return null;
        }
        if (this.frameBuffer == this.view) {
            return this.buffer.slice(this.frameOffset, this.frameLength);
        }
        return this.frameBuffer;
    }

    /**
     * Moves to the next frame, reading the socket when none is buffered; afterwards
     * {@link #frameBuffer()}, {@link #frameOffset()} and {@link #frameLength()} tell where its body
     * is (valid until the next call). Same waiting and exceptions as {@link #next}.
     *
     * With {@code poll}, a reader that finds the socket empty polls it for up to
     * {@link #POLL_NANOS} before it sleeps in the selector.
     *
     * @return false when no frame completed before {@code deadline} or {@link #wakeup()} was called
     */
    boolean advance(long deadline, boolean poll) throws IOException {
        long pollingSince = 0;
        boolean polling = false;
        while (true) {
            if (this.large == null ? parseFrame() : fillLarge()) {
                return true;
            }
            if (this.large != null && this.buffer.hasRemaining()) {
                continue;
            }
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedIOException("interrupted while reading");
            }
            if (this.lastReadEmptied) {
                long now = poll || deadline != FOREVER ? System.nanoTime() : 0;
                if (!polling && poll) {
                    polling = true;
                    pollingSince = now;
                }
                if (deadline != FOREVER && now - deadline >= 0) {
                    return false;
                }
                if (!polling || now - pollingSince >= POLL_NANOS) {
                    // the last read took everything there was: wait first rather than pay for a
                    // read that finds nothing (what a ping-pong would do on every message)
                    polling = false;
                    poll = false;
                    if (!awaitReadable(deadline)) {
                        return false;
                    }
                }
                else {
                    Thread.onSpinWait();
                }
            }
            this.buffer.compact();
            int read;
            try {
                read = this.channel.read(this.buffer);
            }
            finally {
                this.buffer.flip();
            }
            if (read < 0) {
                int partial = this.buffer.remaining() + (this.large == null ? 0 : this.large.position());
                if (partial > 0) {
                    throw new IpcCorruptDataException("the peer closed the connection in the middle of a frame ("
                            + partial + " bytes of it had arrived)");
                }
                throw new ConnectionEndedException();
            }
            if (read == 0) {
                // found nothing (after a read that took a full buffer, say): wait, polling first
                // when asked to, as after any read that emptied the socket
                this.lastReadEmptied = true;
                continue;
            }
            this.lastReadEmptied = read < this.buffer.capacity() / 2;
        }
    }

    /** Like {@link #advance} but only among the bytes already read: no system call, no wait. */
    boolean advanceBuffered() {
        return this.large == null && parseFrame();
    }

    /**
     * For a caller that walks the frames already read itself (the drain's tight loop): the read
     * buffer (read-only, absolute indexes, big-endian), whose unparsed bytes are
     * [{@link #unparsedStart()}, {@link #unparsedEnd()}); report what it consumed with
     * {@link #consumedTo}. Empty while a large frame is being filled.
     */
    ByteBuffer readBuffer() {
        return this.view;
    }

    int unparsedStart() {
        return this.buffer.position();
    }

    int unparsedEnd() {
        return this.large == null ? this.buffer.limit() : this.buffer.position();
    }

    /** Frames up to {@code position} (a frame boundary from {@link #unparsedStart()} on) are done. */
    void consumedTo(int position) {
        this.buffer.position(position);
    }

    /** The largest frame body the peer may send ({@code max-message-size}). */
    int maxMessageSize() {
        return this.maxMessageSize;
    }

    /** The buffer holding the current frame's body (read-only, absolute indexes, big-endian). */
    ByteBuffer frameBuffer() {
        return this.frameBuffer;
    }

    int frameOffset() {
        return this.frameOffset;
    }

    int frameLength() {
        return this.frameLength;
    }

    /** Makes a thread waiting in {@link #next} return {@code null} soon (or the next call at once). */
    void wakeup() {
        this.selector.wakeup();
    }

    /** Releases the selector; the channel is closed by its owner. */
    void close() {
        try {
            this.selector.close();
        }
        catch (IOException ignored) {
            // nothing more to release
        }
    }

    /** @return whether the socket may have data now; false on timeout or wake-up */
    private boolean awaitReadable(long deadline) throws IOException {
        try {
            int ready;
            if (deadline == FOREVER) {
                ready = this.selector.select();
            }
            else {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    return false;
                }
                ready = this.selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(remaining + 999_999)));
            }
            this.selector.selectedKeys().clear();
            return ready > 0;
        }
        catch (ClosedSelectorException ex) {
            throw new ClosedChannelException();
        }
    }

    private boolean parseFrame() {
        ByteBuffer buf = this.buffer;
        if (buf.remaining() < PipeFrameLayout.LENGTH_PREFIX) {
            return false;
        }
        int start = buf.position();
        int prefix = buf.getInt(start);
        long length;
        int headerLength;
        if (prefix == PipeFrameLayout.EXTENDED_LENGTH_MARKER) {
            headerLength = PipeFrameLayout.LENGTH_PREFIX + PipeFrameLayout.EXTENDED_LENGTH;
            if (buf.remaining() < headerLength) {
                return false;
            }
            length = buf.getLong(start + PipeFrameLayout.LENGTH_PREFIX);
        }
        else {
            headerLength = PipeFrameLayout.LENGTH_PREFIX;
            length = prefix;
        }
        checkLength(length);
        int body = (int) length;
        if (buf.remaining() - headerLength >= body) {
            this.frameBuffer = this.view;
            this.frameOffset = start + headerLength;
            this.frameLength = body;
            buf.position(start + headerLength + body);
            return true;
        }
        if (headerLength + body > buf.capacity()) {
            buf.position(start + headerLength);
            this.large = ByteBuffer.allocate(body);
        }
        return false;
    }

    private boolean fillLarge() {
        ByteBuffer target = this.large;
        int n = Math.min(target.remaining(), this.buffer.remaining());
        target.put(target.position(), this.buffer, this.buffer.position(), n);
        target.position(target.position() + n);
        this.buffer.position(this.buffer.position() + n);
        if (target.hasRemaining()) {
            return false;
        }
        this.large = null;
        this.frameBuffer = target.flip();
        this.frameOffset = 0;
        this.frameLength = target.limit();
        return true;
    }

    private void checkLength(long length) {
        if (length < 0) {
            throw new IpcCorruptDataException("the peer sent a frame with a negative length (" + length
                    + "): garbage, or not a pipe peer");
        }
        if (length > this.maxMessageSize) {
            throw new IpcCorruptDataException("the peer announced a frame of " + Long.toUnsignedString(length)
                    + " bytes, over the max-message-size of " + this.maxMessageSize + " bytes (" + this.settingName
                    + "); nothing of that size was allocated");
        }
    }

    static EOFException unexpectedEnd(String what) {
        return new EOFException("the peer closed the connection during the " + what);
    }

    /** The peer closed the connection between two frames: an orderly end. */
    static final class ConnectionEndedException extends EOFException {

        private static final long serialVersionUID = 1L;

        ConnectionEndedException() {
            super("the peer closed the connection");
        }
    }
}

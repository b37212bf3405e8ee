package io.github.springipc.transport.pipe;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

import io.github.springipc.transport.IpcCorruptDataException;

/**
 * Reads frames from one connection with a large buffer, decoding every complete frame a read
 * brought in before reading again. A frame body that does not fit the buffer gets an array of
 * exactly its size, allocated only after its length passed the {@code max-message-size} check.
 */
final class FrameReader {

    /** Receives each frame body; the buffer is valid only during the call. */
    @FunctionalInterface
    interface FrameSink {

        void onFrame(ByteBuffer body) throws IOException, InterruptedException;
    }

    private final SocketChannel channel;

    private final ByteBuffer buffer;

    private final int maxMessageSize;

    private final String settingName;

    FrameReader(SocketChannel channel, int bufferSize, int maxMessageSize, String settingName) {
        this.channel = channel;
        this.buffer = ByteBuffer.allocate(bufferSize);
        this.maxMessageSize = maxMessageSize;
        this.settingName = settingName;
    }

    /**
     * Reads until the peer closes the connection at a frame boundary (returns normally) or
     * something is wrong (throws).
     *
     * @throws IpcCorruptDataException for a bad length or a frame cut short
     * @throws IOException when the socket fails
     */
    void readAll(FrameSink sink) throws IOException, InterruptedException {
        ByteBuffer buf = this.buffer;
        while (true) {
            int read = this.channel.read(buf);
            if (read < 0) {
                if (buf.position() > 0) {
                    throw new IpcCorruptDataException("the peer closed the connection in the middle of a frame ("
                            + buf.position() + " bytes of it had arrived)");
                }
                return;
            }
            buf.flip();
            while (buf.remaining() >= PipeFrameLayout.LENGTH_PREFIX) {
                int start = buf.position();
                int prefix = buf.getInt(start);
                long length;
                int headerLength;
                if (prefix == PipeFrameLayout.EXTENDED_LENGTH_MARKER) {
                    headerLength = PipeFrameLayout.LENGTH_PREFIX + PipeFrameLayout.EXTENDED_LENGTH;
                    if (buf.remaining() < headerLength) {
                        break;
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
                    ByteBuffer frame = buf.slice(start + headerLength, body);
                    buf.position(start + headerLength + body);
                    sink.onFrame(frame);
                    continue;
                }
                if (headerLength + body > buf.capacity()) {
                    buf.position(start + headerLength);
                    sink.onFrame(readLarge(buf, body));
                    continue;
                }
                break;
            }
            buf.compact();
        }
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

    private ByteBuffer readLarge(ByteBuffer buf, int body) throws IOException {
        ByteBuffer large = ByteBuffer.allocate(body);
        large.put(buf); // what has arrived already; buf is now empty
        while (large.hasRemaining()) {
            if (this.channel.read(large) < 0) {
                throw new IpcCorruptDataException("the peer closed the connection in the middle of a frame ("
                        + large.position() + " of " + body + " bytes had arrived)");
            }
        }
        large.flip();
        return large;
    }

    static EOFException unexpectedEnd(String what) {
        return new EOFException("the peer closed the connection during the " + what);
    }
}

package io.github.springipc.transport.pipe;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

import io.github.springipc.transport.IpcCorruptDataException;

/**
 * Blocking, exact reads and writes of single frames, used while a connection is set up. It never
 * reads past the frame it returns, so whatever the peer sends after the handshake is left for the
 * connection's reader.
 */
final class HandshakeFrames {

    private HandshakeFrames() {
    }

    static void write(SocketChannel channel, byte[] body) throws IOException {
        ByteBuffer frame = ByteBuffer.allocate(PipeFrameLayout.LENGTH_PREFIX + body.length);
        frame.putInt(body.length).put(body).flip();
        while (frame.hasRemaining()) {
            channel.write(frame);
        }
    }

    /**
     * Reads one frame of at most {@code max} bytes; the length is checked before anything of its
     * size is allocated.
     */
    static byte[] read(SocketChannel channel, int max, String what) throws IOException {
        ByteBuffer prefix = ByteBuffer.allocate(PipeFrameLayout.LENGTH_PREFIX);
        readFully(channel, prefix, what);
        long length = prefix.getInt(0);
        if (length == PipeFrameLayout.EXTENDED_LENGTH_MARKER) {
            ByteBuffer extended = ByteBuffer.allocate(PipeFrameLayout.EXTENDED_LENGTH);
            readFully(channel, extended, what);
            length = extended.getLong(0);
        }
        if (length < 0 || length > max) {
            throw new IpcCorruptDataException("the peer sent a " + what + " frame of " + Long.toUnsignedString(length)
                    + " bytes where at most " + max + " are expected");
        }
        ByteBuffer body = ByteBuffer.allocate((int) length);
        readFully(channel, body, what);
        return body.array();
    }

    private static void readFully(SocketChannel channel, ByteBuffer buffer, String what) throws IOException {
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                throw new EOFException("the peer closed the connection during the " + what);
            }
        }
    }
}

package io.github.springipc.transport.pipe;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * For writer-level tests: a {@link FrameWriter} on one end of a Unix socket pair in this JVM, and
 * a thread that reads the other end and hands each frame's body to a callback (positioned at the
 * body, limited to it; valid during the call). Closing fails the writer and closes both ends.
 */
final class WriterSocketPair implements AutoCloseable {

    private final ServerSocketChannel server;

    private final SocketChannel out;

    private final SocketChannel in;

    final FrameWriter writer;

    /**
     * @param bufferSize the writer's {@code io-buffer-size}
     * @param onFrame called on the reading thread for each frame, in order
     */
    WriterSocketPair(Path socket, int bufferSize, Consumer<ByteBuffer> onFrame) throws IOException {
        UnixDomainSocketAddress address = UnixDomainSocketAddress.of(socket);
        this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        this.server.bind(address);
        this.out = SocketChannel.open(address);
        this.in = this.server.accept();
        this.out.configureBlocking(false);
        this.writer = new FrameWriter(this.out, bufferSize, true, "test-flusher");
        Thread reader = new Thread(() -> readFrames(onFrame), "frame-reader");
        reader.setDaemon(true);
        reader.start();
    }

    private void readFrames(Consumer<ByteBuffer> onFrame) {
        ByteBuffer buffer = ByteBuffer.allocate(1 << 17);
        try {
            while (this.in.read(buffer) >= 0) {
                buffer.flip();
                while (buffer.remaining() >= PipeFrameLayout.LENGTH_PREFIX
                        && buffer.remaining() >= PipeFrameLayout.LENGTH_PREFIX + buffer.getInt(buffer.position())) {
                    int body = buffer.getInt();
                    int end = buffer.position() + body;
                    int limit = buffer.limit();
                    onFrame.accept(buffer.limit(end));
                    buffer.limit(limit).position(end);
                }
                buffer.compact();
            }
        }
        catch (IOException ex) {
            // closed: the test is over
        }
    }

    @Override
    public void close() throws IOException {
        this.writer.fail(new IOException("test over"));
        this.writer.closeSelector();
        try (this.server; this.out; this.in) {
            // closes all three
        }
    }
}

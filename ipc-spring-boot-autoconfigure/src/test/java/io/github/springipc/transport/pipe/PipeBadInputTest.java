package io.github.springipc.transport.pipe;

import static io.github.springipc.transport.pipe.PipeTestSupport.text;
import static io.github.springipc.transport.pipe.PipeTestSupport.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.springipc.transport.IpcDelivery;
import io.github.springipc.transport.IpcException;
import io.github.springipc.transport.IpcMessage;

/**
 * Garbage, oversize and truncated frames written straight to the socket: the connection is
 * closed with one clear log line, a waiting caller fails, and a proper peer can connect after.
 */
class PipeBadInputTest {

    @TempDir
    Path dir;

    private final List<LogRecord> warnings = new CopyOnWriteArrayList<>();

    private final Logger logger = Logger.getLogger(IpcPipe.class.getName());

    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                PipeBadInputTest.this.warnings.add(record);
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    private IpcPipe pipe;

    @BeforeEach
    void openBinder() {
        this.logger.addHandler(this.capture);
        this.pipe = IpcPipe.open(this.dir, "p", PipeOptions.builder().maxMessageSize(1024).build());
    }

    @AfterEach
    void close() {
        this.pipe.close();
        this.logger.removeHandler(this.capture);
    }

    @Test
    void garbageInsteadOfAHandshakeIsRefusedAndAProperPeerConnectsAfter() throws Exception {
        try (SocketChannel raw = connectRaw()) {
            raw.write(ByteBuffer.wrap(utf8("GET / HTTP/1.1\r\nHost: x\r\n\r\n")));
            assertClosedByPipe(raw);
        }
        assertOneWarning("hello");
        assertAProperPeerIsServed();
    }

    @Test
    void anOversizeFrameClosesTheConnectionAndFailsTheWaitingRequest() throws Exception {
        try (SocketChannel raw = connectRaw()) {
            handshake(raw);
            CompletableFuture<IpcMessage> request = CompletableFuture.supplyAsync(
                    () -> this.pipe.request(IpcMessage.of(utf8("q")), Duration.ofSeconds(20)));
            readFrame(raw); // the request
            raw.write(ByteBuffer.allocate(4).putInt(0, 0x7FFF_FFF0));
            assertThatThrownBy(() -> request.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(IpcException.class)
                    .hasMessageContaining("max-message-size");
            assertClosedByPipe(raw);
        }
        assertOneWarning("over the max-message-size of 1024 bytes (ipc.pipes.p.max-message-size)");
        assertAProperPeerIsServed();
    }

    @Test
    void anExtendedLengthBeyondTheLimitIsRejectedBeforeAllocating() throws Exception {
        try (SocketChannel raw = connectRaw()) {
            handshake(raw);
            raw.write(ByteBuffer.allocate(12).putInt(0, -1).putLong(4, Long.MAX_VALUE));
            assertClosedByPipe(raw);
        }
        assertOneWarning("over the max-message-size");
        assertAProperPeerIsServed();
    }

    @Test
    void aTruncatedFrameIsReported() throws Exception {
        try (SocketChannel raw = connectRaw()) {
            handshake(raw);
            raw.write(ByteBuffer.allocate(4 + 10).putInt(0, 100));
            raw.shutdownOutput();
            assertClosedByPipe(raw);
        }
        assertOneWarning("in the middle of a frame");
        assertAProperPeerIsServed();
    }

    @Test
    void anEnvelopeThatLiesAboutItsLengthsIsReported() throws Exception {
        try (SocketChannel raw = connectRaw()) {
            handshake(raw);
            // MESSAGE record: 1 header whose name claims 60000 bytes
            raw.write(ByteBuffer.allocate(4 + 5).putInt(0, 5).put(4, (byte) 0).put(5, (byte) 1).put(6, (byte) 0)
                    .put(7, (byte) 0x60).put(8, (byte) 0xEA));
            assertClosedByPipe(raw);
        }
        assertOneWarning("truncated");
        assertAProperPeerIsServed();
    }

    private SocketChannel connectRaw() throws IOException {
        SocketChannel raw = SocketChannel.open(StandardProtocolFamily.UNIX);
        raw.connect(UnixDomainSocketAddress.of(this.pipe.socketPath()));
        return raw;
    }

    /** Plays a well-behaved Java peer up to the end of the hello. */
    private static void handshake(SocketChannel raw) throws IOException {
        byte[] hello = readFrame(raw);
        assertThat(ByteBuffer.wrap(hello).getInt()).isEqualTo(PipeFrameLayout.HELLO_MAGIC);
        ByteBuffer mine = ByteBuffer.allocate(4 + PipeFrameLayout.HELLO_LENGTH).putInt(PipeFrameLayout.HELLO_LENGTH)
                .putInt(PipeFrameLayout.HELLO_MAGIC).put((byte) PipeFrameLayout.VERSION).put((byte) 0)
                .putShort((short) 0).flip();
        raw.write(mine);
    }

    private static byte[] readFrame(SocketChannel raw) throws IOException {
        ByteBuffer length = ByteBuffer.allocate(4);
        readFully(raw, length);
        ByteBuffer body = ByteBuffer.allocate(length.getInt(0));
        readFully(raw, body);
        return body.array();
    }

    private static void readFully(SocketChannel raw, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            assertThat(raw.read(buffer)).as("pipe sent more").isNotNegative();
        }
    }

    /** The pipe closed its end: reads end (after whatever it had sent, like its hello). */
    private static void assertClosedByPipe(SocketChannel raw) throws Exception {
        CompletableFuture<Boolean> eof = CompletableFuture.supplyAsync(() -> {
            ByteBuffer sink = ByteBuffer.allocate(4096);
            try {
                while (true) {
                    sink.clear();
                    if (raw.read(sink) < 0) {
                        return true;
                    }
                }
            }
            catch (IOException ex) {
                return true; // reset: closed as well
            }
        });
        assertThat(eof.get(10, TimeUnit.SECONDS)).isTrue();
    }

    private void assertOneWarning(String text) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (this.warnings.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(this.warnings).hasSize(1);
        assertThat(this.warnings.get(0).getMessage()).contains("Pipe 'p'").contains(text);
    }

    private void assertAProperPeerIsServed() throws Exception {
        assertThat(this.pipe.state()).isEqualTo(PipeState.WAITING_FOR_PEER);
        try (IpcPipe peer = IpcPipe.open(this.dir, "p", PipeOptions.defaults())) {
            assertThat(peer.activeRole()).isEqualTo(PipeRole.CONNECT);
            peer.send(utf8("proper"));
            IpcDelivery delivery = this.pipe.receive(Duration.ofSeconds(10));
            assertThat(text(delivery)).isEqualTo("proper");
            delivery.acknowledge();
        }
    }
}

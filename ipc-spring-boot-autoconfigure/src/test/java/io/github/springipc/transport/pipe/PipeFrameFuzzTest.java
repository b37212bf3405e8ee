package io.github.springipc.transport.pipe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.EOFException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import com.code_intelligence.jazzer.junit.FuzzTest;

import io.github.springipc.transport.IpcException;
import io.github.springipc.transport.IpcMessageCodec;

/**
 * Coverage-guided fuzzing of what a pipe reads from a peer it does not trust: the frame decoder
 * ({@link FrameReader}) with the record decoding that follows it, the handshake frames and the
 * authkey challenge-response. The only acceptable failures are {@link IpcException}s (corrupt
 * data, authentication) and the peer's end of stream; nothing of an announced size is allocated
 * and nothing waits for bytes that never come.
 *
 * <p>A normal build replays the committed inputs under {@code PipeFrameFuzzTestInputs/}; see
 * {@code docs/reliability.md} for a fuzzing run.
 */
class PipeFrameFuzzTest {

    /** Small, so that the fuzzer reaches the too-large and the larger-than-the-buffer paths. */
    private static final int MAX_MESSAGE_SIZE = 4096;

    private static final int BUFFER_SIZE = 256;

    /** Bytes a fuzz input may put on the socket: well below a Unix socket's buffer, so writing never blocks. */
    private static final int MAX_INPUT = 48 * 1024;

    private static final byte[] AUTHKEY = "fuzz-secret".getBytes(StandardCharsets.US_ASCII);

    private static ServerSocketChannel server;

    private static Path socket;

    @FuzzTest(maxDuration = "30s")
    void framesFromAPeerDecodeOrFailAsCorruptData(byte[] input) throws IOException {
        try (Connection c = connect(input)) {
            c.ours.configureBlocking(false);
            FrameReader reader = new FrameReader(c.ours, BUFFER_SIZE, MAX_MESSAGE_SIZE, "ipc.pipes.fuzz.max-message-size");
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                int frames = 0;
                while (true) {
                    ByteBuffer body;
                    try {
                        body = reader.next(deadline, false);
                    }
                    catch (FrameReader.ConnectionEndedException end) {
                        return;
                    }
                    catch (IpcException expected) {
                        assertThat(expected.getMessage()).isNotBlank();
                        return;
                    }
                    if (body == null) {
                        fail("the reader waited for bytes although the peer had closed its end");
                    }
                    assertThat(body.remaining()).isLessThanOrEqualTo(MAX_MESSAGE_SIZE);
                    assertThat(++frames).isLessThanOrEqualTo(input.length / PipeFrameLayout.LENGTH_PREFIX);
                    try {
                        decodeRecord(body);
                    }
                    catch (IpcException expected) {
                        assertThat(expected.getMessage()).isNotBlank();
                        return; // a pipe closes the connection here
                    }
                }
            }
            finally {
                reader.close();
            }
        }
    }

    /** The connector's side of a handshake with an authkey: answers the binder's challenge. */
    @FuzzTest(maxDuration = "30s")
    void answeringAHostileChallengeFailsClearly(byte[] input) throws IOException {
        try (Connection c = connect(input)) {
            PipeAuthentication.answerChallenge(c.ours, AUTHKEY);
            fail("authenticated against a peer that does not know the key");
        }
        catch (IpcException | EOFException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }
    }

    /** The binder's side: challenges the peer, whose answer is the fuzz input. */
    @FuzzTest(maxDuration = "30s")
    void aHostileAnswerToOurChallengeIsRefused(byte[] input) throws IOException {
        try (Connection c = connect(input)) {
            PipeAuthentication.deliverChallenge(c.ours, AUTHKEY);
            fail("a peer that never saw the challenge answered it rightly");
        }
        catch (IpcException | EOFException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }
        catch (IOException peerGone) {
            // writing the verdict to a peer that already closed: "Broken pipe"
            assertThat(peerGone.getMessage()).isNotBlank();
        }
    }

    /** The hello frame read during every ENVELOPE handshake: bounded, never larger than announced. */
    @FuzzTest(maxDuration = "30s")
    void handshakeFramesAreBounded(byte[] input) throws IOException {
        try (Connection c = connect(input)) {
            byte[] hello = HandshakeFrames.read(c.ours, PipeFrameLayout.MAX_AUTH_FRAME, "hello");
            assertThat(hello.length).isLessThanOrEqualTo(PipeFrameLayout.MAX_AUTH_FRAME)
                    .isLessThanOrEqualTo(input.length);
            try {
                PipeConnection.throwIfRefusal(hello);
            }
            catch (IpcPipeOccupiedException refused) {
                assertThat(refused.getMessage()).isNotBlank();
            }
        }
        catch (IpcException | EOFException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }
    }

    /** Mirrors what {@code IpcPipe.onFrame} does with a body in the ENVELOPE format. */
    private static void decodeRecord(ByteBuffer body) {
        if (!body.hasRemaining()) {
            throw new io.github.springipc.transport.IpcCorruptDataException("empty record");
        }
        byte kind = body.get();
        if (kind == PipeFrameLayout.KIND_ACK) {
            if (body.remaining() != 8) {
                throw new io.github.springipc.transport.IpcCorruptDataException("bad ACK length");
            }
            body.getLong();
            return;
        }
        if (kind != PipeFrameLayout.KIND_MESSAGE) {
            throw new io.github.springipc.transport.IpcCorruptDataException("unknown kind " + kind);
        }
        int size = body.remaining();
        assertThat(IpcMessageCodec.decode(body).payload().length).isLessThanOrEqualTo(size);
    }

    /** A connected pair of sockets: the peer has written {@code input} and closed its output. */
    private static Connection connect(byte[] input) throws IOException {
        byte[] bytes = input.length > MAX_INPUT ? java.util.Arrays.copyOf(input, MAX_INPUT) : input;
        ServerSocketChannel listening = server();
        SocketChannel peer = SocketChannel.open(UnixDomainSocketAddress.of(socket));
        SocketChannel ours = listening.accept();
        ByteBuffer out = ByteBuffer.wrap(bytes);
        while (out.hasRemaining()) {
            peer.write(out);
        }
        peer.shutdownOutput();
        return new Connection(ours, peer);
    }

    private static synchronized ServerSocketChannel server() throws IOException {
        if (server == null) {
            Path dir = Files.createTempDirectory("ipc-fuzz");
            socket = dir.resolve("f.sock");
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(socket));
            dir.toFile().deleteOnExit();
            socket.toFile().deleteOnExit();
        }
        return server;
    }

    private record Connection(SocketChannel ours, SocketChannel peer) implements AutoCloseable {

        @Override
        public void close() throws IOException {
            this.ours.close();
            this.peer.close();
        }
    }
}

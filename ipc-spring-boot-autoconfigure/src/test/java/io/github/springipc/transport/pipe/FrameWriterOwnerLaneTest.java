package io.github.springipc.transport.pipe;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The flusher's second look at the owner's ring (see {@link FrameWriter}): an owner may still see
 * the flusher armed, leave its frame to it and return, while the flusher, having written what it
 * saw, disarms. Writer-level, over a socket pair in this JVM: the race itself is a few
 * nanoseconds wide, so the test publishes as such an owner would, without the look after it.
 */
class FrameWriterOwnerLaneTest {

    private static final int FRAME = PipeFrameLayout.LENGTH_PREFIX + PipeFrameLayout.PLAIN_MESSAGE_HEADER + 8;

    @TempDir
    Path dir;

    @Test
    void aFrameTheOwnerLeftToADisarmingFlusherStillGoesOut() throws Exception {
        UnixDomainSocketAddress address = UnixDomainSocketAddress.of(this.dir.resolve("w.sock"));
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(address);
            try (SocketChannel out = SocketChannel.open(address); SocketChannel in = server.accept()) {
                out.configureBlocking(false);
                FrameWriter writer = new FrameWriter(out, 4096, true, "test-flusher");
                AtomicLong received = countFrames(in);
                try {
                    long sent = 0;
                    boolean armed = false;
                    while (sent < 1_000_000 && (!armed || sent % 10_000 != 0)) {
                        writer.writeBarePayload(new byte[8], TimeUnit.SECONDS.toNanos(10));
                        sent++;
                        armed |= writer.isFlusherArmed();
                    }
                    assertThat(armed).as("the burst armed the flusher").isTrue();
                    assertThat(writer.owner()).isSameAs(Thread.currentThread());
                    long burst = sent;
                    assertThat(within(5, () -> !writer.isFlusherArmed() && received.get() == burst))
                            .as("the burst went out and the flusher disarmed").isTrue();

                    OwnerRing ring = writer.ownerRing();
                    int at = ring.claim(FRAME, 4096);
                    ring.buffer().putInt(at, FRAME - PipeFrameLayout.LENGTH_PREFIX).put(at + 4, PipeFrameLayout.KIND_MESSAGE)
                            .putShort(at + 5, (short) 0).putLong(at + 7, 42);
                    ring.publish(FRAME);

                    assertThat(within(5, () -> received.get() == burst + 1))
                            .as("the frame went out with no send after it").isTrue();
                }
                finally {
                    writer.fail(new IOException("test over"));
                    writer.closeSelector();
                }
            }
        }
    }

    /** Counts the frames arriving on {@code in}, on a thread of its own, until the socket ends. */
    private static AtomicLong countFrames(SocketChannel in) {
        AtomicLong frames = new AtomicLong();
        Thread reader = new Thread(() -> {
            ByteBuffer buffer = ByteBuffer.allocate(1 << 16);
            try {
                while (in.read(buffer) >= 0) {
                    buffer.flip();
                    while (buffer.remaining() >= PipeFrameLayout.LENGTH_PREFIX
                            && buffer.remaining() >= PipeFrameLayout.LENGTH_PREFIX + buffer.getInt(buffer.position())) {
                        buffer.position(buffer.position() + PipeFrameLayout.LENGTH_PREFIX + buffer.getInt(buffer.position()));
                        frames.incrementAndGet();
                    }
                    buffer.compact();
                }
            }
            catch (IOException ex) {
                // the test is over
            }
        }, "frame-counter");
        reader.setDaemon(true);
        reader.start();
        return frames;
    }

    private static boolean within(int seconds, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            Thread.sleep(1);
        }
        return true;
    }
}

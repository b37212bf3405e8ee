package io.github.springipc.transport.pipe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

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
        AtomicLong received = new AtomicLong();
        try (WriterSocketPair pair = new WriterSocketPair(this.dir.resolve("w.sock"), 4096,
                body -> received.incrementAndGet())) {
            FrameWriter writer = pair.writer;
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
            await("the burst went out and the flusher disarmed").pollInterval(Duration.ofMillis(5)).atMost(Duration.ofSeconds(5))
                    .until(() -> !writer.isFlusherArmed() && received.get() == burst);

            OwnerRing ring = writer.ownerRing();
            int at = ring.claim(FRAME, 4096);
            ring.buffer().putInt(at, FRAME - PipeFrameLayout.LENGTH_PREFIX).put(at + 4, PipeFrameLayout.KIND_MESSAGE)
                    .putShort(at + 5, (short) 0).putLong(at + 7, 42);
            ring.publish(FRAME);

            await("the frame went out with no send after it").pollInterval(Duration.ofMillis(5)).atMost(Duration.ofSeconds(5))
                    .until(() -> received.get() == burst + 1);
        }
    }
}

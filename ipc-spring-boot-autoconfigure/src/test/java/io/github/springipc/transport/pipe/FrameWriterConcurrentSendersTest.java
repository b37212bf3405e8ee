package io.github.springipc.transport.pipe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stress test of the writer's two lanes, over a socket pair in this JVM: the owner and three
 * other threads send at once through small buffers, so that the owner goes back and forth
 * between its ring and the shared buffer and takes the lane over from a thread that ended, many
 * times a second. Each thread's messages must arrive complete and in order. (Between JVMs,
 * {@link PipeConcurrentSendersTest} and {@link PipeOwnerLaneTest} cover the same with fewer
 * messages; races a few instructions wide need these numbers to show.)
 */
class FrameWriterConcurrentSendersTest {

    private static final int THREADS = 4;

    private static final int ROUNDS = 60;

    @TempDir
    Path dir;

    @Test
    void sendersOnBothLanesKeepTheirOrderAndLoseNothing() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            // the threads send unequal numbers, so that the owner may end first and be succeeded
            String failure = sendAndCheck(this.dir.resolve("w" + round + ".sock"), 100_000 + round * 20_000);
            assertThat(failure).as("round %d", round).isNull();
        }
    }

    /** @return null, or what went wrong */
    private String sendAndCheck(Path socket, int perThread) throws Exception {
        AtomicReference<String> failure = new AtomicReference<>();
        AtomicLong received = new AtomicLong();
        long[] next = new long[THREADS];
        try (WriterSocketPair pair = new WriterSocketPair(socket, 4096, body -> {
            int payload = body.position() + PipeFrameLayout.PLAIN_MESSAGE_HEADER;
            int thread = body.getInt(payload);
            long sequence = body.getLong(payload + 4);
            if (sequence != next[thread]) {
                failure.compareAndSet(null, "thread " + thread + ": expected " + next[thread] + ", got " + sequence);
            }
            next[thread] = sequence + 1;
            received.incrementAndGet();
        })) {
            long expected = 0;
            int[] counts = new int[THREADS];
            for (int t = 0; t < THREADS; t++) {
                counts[t] = perThread / (t + 1);
                expected += counts[t];
            }
            Thread[] senders = new Thread[THREADS];
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                senders[t] = new Thread(() -> {
                    ByteBuffer body = ByteBuffer.allocate(12);
                    try {
                        for (long i = 0; i < counts[thread]; i++) {
                            pair.writer.writeBarePayload(body.putInt(0, thread).putLong(4, i).array().clone(),
                                    TimeUnit.SECONDS.toNanos(30));
                        }
                    }
                    catch (IOException ex) {
                        failure.compareAndSet(null, "sender " + thread + ": " + ex);
                    }
                }, "sender-" + t);
                senders[t].start();
            }
            for (Thread sender : senders) {
                sender.join(60_000);
            }
            long all = expected;
            await().pollInterval(Duration.ofMillis(5)).atMost(Duration.ofSeconds(30)).until(() -> received.get() == all || failure.get() != null);
            return failure.get();
        }
    }
}

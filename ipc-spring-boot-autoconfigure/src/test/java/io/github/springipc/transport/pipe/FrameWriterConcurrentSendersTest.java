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

    private static final int ROUNDS = 30;

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
    private static String sendAndCheck(Path socket, int perThread) throws Exception {
        UnixDomainSocketAddress address = UnixDomainSocketAddress.of(socket);
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(address);
            try (SocketChannel out = SocketChannel.open(address); SocketChannel in = server.accept()) {
                out.configureBlocking(false);
                FrameWriter writer = new FrameWriter(out, 4096, true, "test-flusher");
                AtomicReference<String> failure = new AtomicReference<>();
                long expected = 0;
                int[] counts = new int[THREADS];
                for (int t = 0; t < THREADS; t++) {
                    counts[t] = perThread / (t + 1);
                    expected += counts[t];
                }
                AtomicLong received = checkOrder(in, failure);
                try {
                    Thread[] senders = new Thread[THREADS];
                    for (int t = 0; t < THREADS; t++) {
                        int thread = t;
                        senders[t] = new Thread(() -> {
                            ByteBuffer body = ByteBuffer.allocate(12);
                            try {
                                for (long i = 0; i < counts[thread]; i++) {
                                    writer.writeBarePayload(body.putInt(0, thread).putLong(4, i).array().clone(),
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
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                    while (received.get() < expected && failure.get() == null && System.nanoTime() - deadline < 0) {
                        Thread.sleep(1);
                    }
                    return failure.get() != null ? failure.get()
                            : received.get() == expected ? null : "received " + received.get() + " of " + expected;
                }
                finally {
                    writer.fail(new IOException("test over"));
                    writer.closeSelector();
                }
            }
        }
    }

    /** Reads frames of (thread, sequence) on a thread of its own; reports the first one out of order. */
    private static AtomicLong checkOrder(SocketChannel in, AtomicReference<String> failure) {
        AtomicLong received = new AtomicLong();
        long[] next = new long[THREADS];
        Thread reader = new Thread(() -> {
            ByteBuffer buffer = ByteBuffer.allocate(1 << 16);
            try {
                while (in.read(buffer) >= 0) {
                    buffer.flip();
                    while (buffer.remaining() >= PipeFrameLayout.LENGTH_PREFIX
                            && buffer.remaining() >= PipeFrameLayout.LENGTH_PREFIX + buffer.getInt(buffer.position())) {
                        int body = buffer.getInt();
                        int start = buffer.position();
                        int payload = start + PipeFrameLayout.PLAIN_MESSAGE_HEADER;
                        int thread = buffer.getInt(payload);
                        long sequence = buffer.getLong(payload + 4);
                        if (sequence != next[thread]) {
                            failure.compareAndSet(null, "thread " + thread + ": expected " + next[thread] + ", got "
                                    + sequence);
                        }
                        next[thread] = sequence + 1;
                        received.incrementAndGet();
                        buffer.position(start + body);
                    }
                    buffer.compact();
                }
            }
            catch (IOException ex) {
                // the test is over
            }
        }, "order-checker");
        reader.setDaemon(true);
        reader.start();
        return received;
    }
}

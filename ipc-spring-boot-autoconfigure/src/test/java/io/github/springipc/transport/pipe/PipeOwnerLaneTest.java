package io.github.springipc.transport.pipe;

import static io.github.springipc.transport.pipe.PipeTestSupport.SHORT;
import static io.github.springipc.transport.pipe.PipeTestSupport.STARTUP;
import static io.github.springipc.transport.pipe.PipeTestSupport.startPeer;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.springipc.process.SiblingJvm;
import io.github.springipc.transport.IpcMessage;

/**
 * The owner lane (see {@link FrameWriter}): the thread that owns it writes every frame through its
 * ring without the lock, the others through the shared buffer, and frames still arrive in the
 * order of sends that follow one another: each thread's own, across a change of owner, and across
 * threads.
 */
class PipeOwnerLaneTest {

    private static final int PER_THREAD = 20_000;

    @TempDir
    Path dir;

    @Test
    void aThreadThatTakesTheLaneOverFromAnEndedOwnerKeepsItsOrder() throws Exception {
        try (IpcPipe pipe = IpcPipe.open(this.dir, "p", PipeOptions.defaults());
                SiblingJvm sink = startPeer("sink", this.dir, "p", "multisink", "2", Integer.toString(PER_THREAD))) {
            sink.awaitLineContaining("READY", STARTUP);
            assertThat(pipe.awaitConnected(SHORT)).isTrue();
            Thread first = sender(pipe, 0);
            first.start();
            first.join(60_000);
            FrameWriter writer = pipe.connection().writer;
            assertThat(writer.owner()).as("the first sender owned the lane").isSameAs(first);
            // the second sender's first frames go through the shared buffer, until a look at the
            // ended owner hands it the lane: those frames must still leave before its ring's
            Thread second = sender(pipe, 1);
            second.start();
            second.join(60_000);
            assertThat(writer.owner()).as("the second sender took the lane over").isSameAs(second);
            assertThat(sink.awaitLine(line -> line.startsWith("MULTISINK"), Duration.ofSeconds(60)))
                    .isEqualTo("MULTISINK OK " + 2 * PER_THREAD);
        }
    }

    @Test
    void theOwnersMessagesWithHeadersLargeOnesAndPlainOnesStayInOrder() throws Exception {
        int ioBufferSize = 4096;
        try (IpcPipe pipe = IpcPipe.open(this.dir, "p", PipeOptions.builder().ioBufferSize(ioBufferSize).build());
                SiblingJvm sink = startPeer("sink", this.dir, "p", "multisink", "1", Integer.toString(PER_THREAD))) {
            sink.awaitLineContaining("READY", STARTUP);
            assertThat(pipe.awaitConnected(SHORT)).isTrue();
            for (long i = 0; i < PER_THREAD; i++) {
                byte[] body = ByteBuffer.allocate(i % 1000 == 999 ? 2 * ioBufferSize : 12).putInt(0).putLong(i).array();
                if (i % 3 == 0) {
                    pipe.send(body); // a plain message: the owner's ring
                }
                else if (i % 1000 == 999) {
                    pipe.send(IpcMessage.of(body)); // over the buffer size: written directly, after the rest
                }
                else {
                    pipe.send(IpcMessage.of(body).withHeader("n", Long.toString(i))); // encoded into the ring
                }
            }
            assertThat(pipe.connection().writer.owner()).isSameAs(Thread.currentThread());
            assertThat(sink.awaitLine(line -> line.startsWith("MULTISINK"), Duration.ofSeconds(60)))
                    .isEqualTo("MULTISINK OK " + PER_THREAD);
        }
    }

    @Test
    void sendsOfTwoThreadsThatFollowOneAnotherArriveInTheOrderTheyWereMade() throws Exception {
        int count = 2 * PER_THREAD;
        try (IpcPipe pipe = IpcPipe.open(this.dir, "p", PipeOptions.defaults());
                SiblingJvm sink = startPeer("sink", this.dir, "p", "sink", Integer.toString(count))) {
            sink.awaitLineContaining("READY", STARTUP);
            assertThat(pipe.awaitConnected(SHORT)).isTrue();
            // the two threads take turns: each send happens before the next one, from the owner's
            // ring to the shared buffer and back
            AtomicLong next = new AtomicLong();
            Thread[] threads = new Thread[2];
            for (int t = 0; t < 2; t++) {
                int parity = t;
                threads[t] = new Thread(() -> {
                    ByteBuffer body = ByteBuffer.allocate(8);
                    for (long i = parity; i < count; i += 2) {
                        while (next.get() != i) {
                            Thread.onSpinWait();
                        }
                        pipe.send(body.putLong(0, i).array());
                        next.set(i + 1);
                    }
                }, "turn-" + t);
                threads[t].start();
            }
            for (Thread thread : threads) {
                thread.join(60_000);
            }
            assertThat(pipe.connection().writer.owner()).isSameAs(threads[0]);
            assertThat(sink.awaitLine(line -> line.startsWith("SINK"), Duration.ofSeconds(60)))
                    .isEqualTo("SINK OK " + count);
        }
    }

    /** A thread sending {@link #PER_THREAD} messages of (thread, sequence) as fast as it can. */
    private static Thread sender(IpcPipe pipe, int thread) {
        // a sender that fails leaves the sink short: it reports that it stalled
        return new Thread(() -> {
            ByteBuffer body = ByteBuffer.allocate(12);
            for (long i = 0; i < PER_THREAD; i++) {
                pipe.send(body.putInt(0, thread).putLong(4, i).array());
            }
        }, "sender-" + thread);
    }
}

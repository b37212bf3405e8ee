package io.github.springipc.transport.pipe;

import static io.github.springipc.transport.pipe.PipeTestSupport.STARTUP;
import static io.github.springipc.transport.pipe.PipeTestSupport.startPeer;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.springipc.process.SiblingJvm;

/** Several threads sending at once: their frames are coalesced, never interleaved, lost or reordered. */
class PipeConcurrentSendersTest {

    private static final int THREADS = 4;

    private static final int PER_THREAD = 25_000;

    @TempDir
    Path dir;

    @Test
    void fourThreadsSendingAtOnceKeepEachThreadsOrderAndLoseNothing() throws Exception {
        try (IpcPipe pipe = IpcPipe.open(this.dir, "p", PipeOptions.defaults());
                SiblingJvm sink = startPeer("sink", this.dir, "p", "multisink", Integer.toString(THREADS),
                        Integer.toString(PER_THREAD))) {
            sink.awaitLineContaining("READY", STARTUP);
            assertThat(pipe.awaitConnected(Duration.ofSeconds(10))).isTrue();
            CyclicBarrier start = new CyclicBarrier(THREADS);
            List<CompletableFuture<Void>> senders = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                senders.add(CompletableFuture.runAsync(() -> {
                    try {
                        start.await(10, TimeUnit.SECONDS);
                    }
                    catch (Exception ex) {
                        throw new IllegalStateException(ex);
                    }
                    ByteBuffer body = ByteBuffer.allocate(12);
                    for (long i = 0; i < PER_THREAD; i++) {
                        // a fresh array each time: the pipe must have copied the previous one
                        pipe.send(body.putInt(0, thread).putLong(4, i).array().clone());
                    }
                }, runnable -> new Thread(runnable, "sender-" + thread).start()));
            }
            CompletableFuture.allOf(senders.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            assertThat(sink.awaitLine(line -> line.startsWith("MULTISINK"), Duration.ofSeconds(60)))
                    .isEqualTo("MULTISINK OK " + THREADS * PER_THREAD);
        }
    }
}

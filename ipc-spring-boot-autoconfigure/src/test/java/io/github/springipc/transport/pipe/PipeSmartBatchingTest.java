package io.github.springipc.transport.pipe;

import static io.github.springipc.transport.pipe.PipeTestSupport.SHORT;
import static io.github.springipc.transport.pipe.PipeTestSupport.STARTUP;
import static io.github.springipc.transport.pipe.PipeTestSupport.startPeer;
import static io.github.springipc.transport.pipe.PipeTestSupport.text;
import static io.github.springipc.transport.pipe.PipeTestSupport.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.springipc.process.SiblingJvm;
import io.github.springipc.transport.IpcDelivery;

/**
 * Writes coalesce under load, and nothing waits in the outgoing buffer for a next send: a burst's
 * tail, a lone message and what is pending at close all reach the peer.
 */
class PipeSmartBatchingTest {

    @TempDir
    Path dir;

    @Test
    void aBurstOfTwoHundredThousandMessagesFromOneThreadArrivesCompleteAndInOrder() throws Exception {
        int count = 200_000;
        try (IpcPipe pipe = IpcPipe.open(this.dir, "p", PipeOptions.defaults());
                SiblingJvm sink = startPeer("sink", this.dir, "p", "drainsink", Integer.toString(count))) {
            sink.awaitLineContaining("READY", STARTUP);
            assertThat(pipe.awaitConnected(SHORT)).isTrue();
            sendSequence(pipe, count);
            // no send follows the last one: the burst's tail must be flushed on its own
            assertThat(sink.awaitLine(line -> line.startsWith("DRAINSINK"), Duration.ofSeconds(60)))
                    .startsWith("DRAINSINK OK " + count);
        }
    }

    @Test
    void aLoneMessageOnAnIdlePipeArrivesWithoutAnotherSend() throws Exception {
        try (IpcPipe pipe = IpcPipe.open(this.dir, "p", PipeOptions.defaults());
                SiblingJvm mirror = startPeer("mirror", this.dir, "p", "mirror")) {
            mirror.awaitLineContaining("READY", STARTUP);
            assertThat(pipe.awaitConnected(SHORT)).isTrue();
            pipe.send(utf8("alone"));
            IpcDelivery back = pipe.receive(Duration.ofSeconds(5));
            assertThat(back).as("the message went out and came back, with no later send to push it").isNotNull();
            assertThat(text(back)).isEqualTo("alone");
            back.acknowledge();
        }
    }

    @Test
    void aLoneMessageRightAfterABurstArrivesWithoutAnotherSend() throws Exception {
        try (IpcPipe pipe = IpcPipe.open(this.dir, "p", PipeOptions.defaults());
                SiblingJvm mirror = startPeer("mirror", this.dir, "p", "mirror")) {
            mirror.awaitLineContaining("READY", STARTUP);
            assertThat(pipe.awaitConnected(SHORT)).isTrue();
            for (int i = 0; i < 2_000; i++) {
                pipe.send(utf8("burst"));
            }
            pipe.send(utf8("last"));
            String lastSeen = null;
            for (int i = 0; i <= 2_000; i++) {
                IpcDelivery back = pipe.receive(Duration.ofSeconds(5));
                assertThat(back).as("message %d of the burst came back", i).isNotNull();
                lastSeen = text(back);
                back.acknowledge();
            }
            assertThat(lastSeen).isEqualTo("last");
        }
    }

    @Test
    void closeFlushesWhatSendersHandedOver() throws Exception {
        // 1 050 000 bytes as framed: far more than the socket holds (a few hundred KB), less than
        // the socket and the pipe's two 1 MiB buffers together, so every send returns while the
        // peer does not read yet, and the rest is still in the pipe's buffer when close() is called
        int count = 70_000;
        PipeOptions options = PipeOptions.builder().ioBufferSize(1 << 20).build();
        try (SiblingJvm sink = startPeer("sink", this.dir, "p", "drainsink", Integer.toString(count), "delay=300")) {
            sink.awaitLineContaining("READY", STARTUP);
            IpcPipe pipe = IpcPipe.open(this.dir, "p", options);
            assertThat(pipe.awaitConnected(SHORT)).isTrue();
            sendSequence(pipe, count);
            pipe.close(); // waits (up to 1 s) until the peer has taken the rest
            assertThat(sink.awaitLine(line -> line.startsWith("DRAINSINK"), Duration.ofSeconds(60)))
                    .startsWith("DRAINSINK OK " + count);
        }
    }

    @Test
    void theRawPathsAllocateNothingPerMessage() throws Exception {
        int count = 300_000;
        try (IpcPipe pipe = IpcPipe.open(this.dir, "p", PipeOptions.defaults());
                SiblingJvm sink = startPeer("sink", this.dir, "p", "drainsink", Integer.toString(count))) {
            sink.awaitLineContaining("READY", STARTUP);
            assertThat(pipe.awaitConnected(SHORT)).isTrue();
            com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory
                    .getThreadMXBean();
            byte[] payload = new byte[8];
            ByteBuffer view = ByteBuffer.wrap(payload);
            int warmUp = 100_000;
            long before = 0;
            for (long i = 0; i < count; i++) {
                if (i == warmUp) {
                    before = threads.getCurrentThreadAllocatedBytes();
                }
                view.putLong(0, i);
                pipe.send(payload);
            }
            double sendBytesPerMessage = (double) (threads.getCurrentThreadAllocatedBytes() - before) / (count - warmUp);
            String result = sink.awaitLine(line -> line.startsWith("DRAINSINK"), Duration.ofSeconds(60));
            assertThat(result).startsWith("DRAINSINK OK " + count);
            double drainBytesPerMessage = Double.parseDouble(result.replaceAll(".* allocated ([0-9.]+) bytes.*", "$1"));
            // a few objects per batch or lock hand-over are fine; one per message (16+ bytes) is not
            assertThat(sendBytesPerMessage).as("bytes allocated per send(byte[])").isLessThan(2.0);
            assertThat(drainBytesPerMessage).as("bytes allocated per message drained").isLessThan(2.0);
        }
    }

    private static void sendSequence(IpcPipe pipe, int count) {
        byte[] payload = new byte[8];
        ByteBuffer view = ByteBuffer.wrap(payload);
        for (long i = 0; i < count; i++) {
            view.putLong(0, i);
            pipe.send(payload); // the same array each time: the pipe must have copied the previous one
        }
    }
}

package io.github.springipc.transport.pipe;

import static io.github.springipc.transport.pipe.PipeTestSupport.STARTUP;
import static io.github.springipc.transport.pipe.PipeTestSupport.SHORT;
import static io.github.springipc.transport.pipe.PipeTestSupport.startPeer;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.springipc.process.SiblingJvm;
import io.github.springipc.transport.IpcTimeoutException;

/** send-timeout bounds every send, also one that writes to a socket the peer stopped reading. */
class PipeSendTimeoutTest {

    @TempDir
    Path dir;

    @Test
    void aSenderWritingToAPeerThatStoppedReadingTimesOutNamingTheSetting() throws Exception {
        Duration sendTimeout = Duration.ofMillis(300);
        PipeOptions options = PipeOptions.builder().sendTimeout(sendTimeout).build();
        try (IpcPipe pipe = IpcPipe.open(this.dir, "p", options);
                SiblingJvm peer = startPeer("stalled", this.dir, "p", "stall")) {
            peer.awaitLineContaining("READY", STARTUP);
            assertThat(pipe.awaitConnected(SHORT)).isTrue();
            byte[] payload = new byte[8 * 1024];
            IpcTimeoutException timedOut = null;
            long failedSendNanos = 0;
            // the peer's receive buffer (1024 messages) and the socket hold far less than this
            for (int i = 0; i < 20_000 && timedOut == null; i++) {
                long start = System.nanoTime();
                try {
                    pipe.send(payload);
                }
                catch (IpcTimeoutException ex) {
                    timedOut = ex;
                    failedSendNanos = System.nanoTime() - start;
                }
            }
            assertThat(timedOut).as("a send to a peer that does not read times out").isNotNull();
            assertThat(timedOut).hasMessageContaining("Pipe 'p'").hasMessageContaining("ipc.pipes.p.send-timeout")
                    .hasMessageContaining("did not read");
            assertThat(failedSendNanos).as("the failing send waited about send-timeout, not forever")
                    .isGreaterThanOrEqualTo(sendTimeout.toNanos() / 2).isLessThan(TimeUnit.SECONDS.toNanos(5));
            assertThat(pipe.isConnected()).as("a slow peer is not disconnected").isTrue();
        }
    }

    @Test
    void aMessageQueuedByATimedOutWriteGoesOutWhenThePeerReadsAgainWithoutAnotherSend() throws Exception {
        PipeOptions options = PipeOptions.builder().sendTimeout(Duration.ofMillis(300)).build();
        try (IpcPipe pipe = IpcPipe.open(this.dir, "p", options);
                SiblingJvm peer = startPeer("late", this.dir, "p", "countsink", "delay=3000")) {
            peer.awaitLineContaining("READY", STARTUP);
            assertThat(pipe.awaitConnected(SHORT)).isTrue();
            byte[] payload = new byte[4 * 1024];
            ByteBuffer sequence = ByteBuffer.wrap(payload);
            long sent = 0;
            IpcTimeoutException timedOut = null;
            // the peer reads nothing for 3 s: the socket fills, then a sender's own write times out;
            // sends 20 µs apart are no burst, so no flusher is watching
            while (timedOut == null) {
                sequence.putLong(0, sent);
                try {
                    pipe.send(payload);
                    sent++;
                }
                catch (IpcTimeoutException ex) {
                    timedOut = ex;
                }
                for (long until = System.nanoTime() + 20_000; System.nanoTime() - until < 0;) {
                    Thread.onSpinWait();
                }
            }
            assertThat(timedOut).hasMessageContaining("did not read").hasMessageContaining("the message is queued");
            long queued = sent + 1;
            // no send follows: the queued message must still go out once the peer reads
            String report = peer.awaitLine(line -> line.startsWith("COUNTSINK")
                    && (line.contains("BAD") || Long.parseLong(line.substring(10)) >= queued), Duration.ofSeconds(30));
            assertThat(report).isEqualTo("COUNTSINK " + queued);
        }
    }
}

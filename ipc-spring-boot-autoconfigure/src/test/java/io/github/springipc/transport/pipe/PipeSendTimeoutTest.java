package io.github.springipc.transport.pipe;

import static io.github.springipc.transport.pipe.PipeTestSupport.STARTUP;
import static io.github.springipc.transport.pipe.PipeTestSupport.SHORT;
import static io.github.springipc.transport.pipe.PipeTestSupport.startPeer;
import static org.assertj.core.api.Assertions.assertThat;

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
}

package io.github.springipc.transport.pipe;

import static io.github.springipc.transport.pipe.PipeTestSupport.STARTUP;
import static io.github.springipc.transport.pipe.PipeTestSupport.startPeer;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.springipc.process.SiblingJvm;
import io.github.springipc.transport.IpcDelivery;
import io.github.springipc.transport.IpcMessage;

/** Messages far larger than the 64 KiB I/O buffers travel whole, both ways. */
class PipeLargeMessageTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void oneAndEightMebibyteRequestsAndRepliesRoundTripIntact() throws Exception {
        try (IpcPipe pipe = IpcPipe.open(this.dir, "p", PipeOptions.defaults());
                SiblingJvm mirror = startPeer("mirror", this.dir, "p", "mirror")) {
            mirror.awaitLineContaining("READY", STARTUP);
            for (int size : new int[] { 1 << 20, 8 << 20 }) {
                byte[] payload = random(size);
                IpcMessage reply = pipe.request(IpcMessage.of(payload), TIMEOUT);
                assertThat(reply.payload()).as("%d bytes came back unchanged", size).isEqualTo(payload);
            }
        }
    }

    @Test
    void anEightMebibyteMessageBetweenSmallOnesKeepsItsPlace() throws Exception {
        try (IpcPipe pipe = IpcPipe.open(this.dir, "p", PipeOptions.defaults());
                SiblingJvm mirror = startPeer("mirror", this.dir, "p", "mirror")) {
            mirror.awaitLineContaining("READY", STARTUP);
            assertThat(pipe.awaitConnected(TIMEOUT)).isTrue();
            byte[] large = random(8 << 20);
            pipe.send(new byte[] { 1 });
            pipe.send(large);
            pipe.send(new byte[] { 2 });
            assertThat(next(pipe)).containsExactly(1);
            assertThat(next(pipe)).isEqualTo(large);
            assertThat(next(pipe)).containsExactly(2);
        }
    }

    private static byte[] next(IpcPipe pipe) throws InterruptedException {
        IpcDelivery delivery = pipe.receive(TIMEOUT);
        assertThat(delivery).isNotNull();
        delivery.acknowledge();
        return delivery.message().payload();
    }

    private static byte[] random(int size) {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        return bytes;
    }
}

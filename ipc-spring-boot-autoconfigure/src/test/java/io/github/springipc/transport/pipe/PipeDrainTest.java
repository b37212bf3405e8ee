package io.github.springipc.transport.pipe;

import static io.github.springipc.transport.pipe.PipeTestSupport.SHORT;
import static io.github.springipc.transport.pipe.PipeTestSupport.STARTUP;
import static io.github.springipc.transport.pipe.PipeTestSupport.startPeer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.springipc.process.SiblingJvm;
import io.github.springipc.transport.IpcDelivery;

/** {@link IpcPipe#drain}: payloads handed over in place, in order, each to exactly one taker. */
class PipeDrainTest {

    @TempDir
    Path dir;

    @Test
    void drainHandsOverEveryPayloadInOrder() throws Exception {
        int count = 5_000;
        try (IpcPipe pipe = IpcPipe.open(this.dir, "p", PipeOptions.defaults());
                SiblingJvm mirror = startPeer("mirror", this.dir, "p", "mirror")) {
            mirror.awaitLineContaining("READY", STARTUP);
            assertThat(pipe.awaitConnected(SHORT)).isTrue();
            List<Long> got = new ArrayList<>();
            // drained while this thread sends: the peer's echoes are read in place, not buffered
            CompletableFuture<Void> drainer = CompletableFuture.runAsync(() -> {
                try {
                    while (got.size() < count) {
                        int n = pipe.drain((buffer, offset, length) -> got.add(buffer.getLong(offset)), 1000,
                                Duration.ofSeconds(10));
                        assertThat(n).as("messages after %d", got.size()).isBetween(1, 1000);
                    }
                }
                catch (InterruptedException ex) {
                    throw new IllegalStateException(ex);
                }
            });
            for (long i = 0; i < count; i++) {
                pipe.send(ByteBuffer.allocate(8).putLong(0, i).array());
            }
            drainer.get(60, TimeUnit.SECONDS);
            for (int i = 0; i < count; i++) {
                assertThat(got.get(i)).isEqualTo(i);
            }
        }
    }

    @Test
    void aHandlerThatThrowsTakesItsMessageAndLeavesTheRestForTheNextCall() throws Exception {
        try (IpcPipe pipe = IpcPipe.open(this.dir, "p", PipeOptions.defaults());
                SiblingJvm mirror = startPeer("mirror", this.dir, "p", "mirror")) {
            mirror.awaitLineContaining("READY", STARTUP);
            assertThat(pipe.awaitConnected(SHORT)).isTrue();
            for (long i = 0; i < 10; i++) {
                pipe.send(ByteBuffer.allocate(8).putLong(0, i).array());
            }
            List<Long> drained = new ArrayList<>();
            PipeMessageHandler failingOnThree = (buffer, offset, length) -> {
                long value = buffer.getLong(offset);
                drained.add(value);
                if (value == 3) {
                    throw new IllegalStateException("three");
                }
            };
            assertThatThrownBy(() -> {
                while (true) {
                    if (pipe.drain(failingOnThree, 100, Duration.ofSeconds(10)) == 0) {
                        return;
                    }
                }
            }).isInstanceOf(IllegalStateException.class).hasMessage("three");
            assertThat(drained).containsExactly(0L, 1L, 2L, 3L);
            for (long expected = 4; expected < 10; expected++) {
                IpcDelivery delivery = pipe.receive(Duration.ofSeconds(10));
                assertThat(delivery).isNotNull();
                assertThat(ByteBuffer.wrap(delivery.message().payload()).getLong()).isEqualTo(expected);
                delivery.acknowledge();
            }
        }
    }

    @Test
    void messagesDrainedByThePeerConfirmConfirmedSends() throws Exception {
        int count = 2_000;
        PipeOptions confirming = PipeOptions.builder().confirmDelivery(true).sendTimeout(Duration.ofSeconds(10)).build();
        try (IpcPipe pipe = IpcPipe.open(this.dir, "p", confirming);
                SiblingJvm sink = startPeer("sink", this.dir, "p", "drainsink", Integer.toString(count))) {
            sink.awaitLineContaining("READY", STARTUP);
            assertThat(pipe.awaitConnected(SHORT)).isTrue();
            for (long i = 0; i < count; i++) {
                // returns only once the peer's drain handed the message over and ACKed it
                pipe.send(ByteBuffer.allocate(8).putLong(0, i).array());
            }
            assertThat(sink.awaitLine(line -> line.startsWith("DRAINSINK"), Duration.ofSeconds(60)))
                    .startsWith("DRAINSINK OK " + count);
        }
    }

    @Test
    void drainWaitsNoLongerThanItsTimeoutWhenNothingComes() throws Exception {
        try (IpcPipe pipe = IpcPipe.open(this.dir, "p", PipeOptions.defaults());
                SiblingJvm mirror = startPeer("mirror", this.dir, "p", "mirror")) {
            mirror.awaitLineContaining("READY", STARTUP);
            assertThat(pipe.awaitConnected(SHORT)).isTrue();
            long start = System.nanoTime();
            assertThat(pipe.drain((buffer, offset, length) -> fail("nothing was sent"), 10, Duration.ofMillis(200)))
                    .isZero();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(150))
                    .isLessThan(Duration.ofSeconds(5));
        }
    }
}

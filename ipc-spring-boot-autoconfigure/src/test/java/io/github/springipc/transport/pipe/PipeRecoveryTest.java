package io.github.springipc.transport.pipe;

import static io.github.springipc.transport.pipe.PipeTestSupport.STARTUP;
import static io.github.springipc.transport.pipe.PipeTestSupport.startPeer;
import static io.github.springipc.transport.pipe.PipeTestSupport.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.springipc.process.SiblingJvm;
import io.github.springipc.process.SiblingJvmException;
import io.github.springipc.transport.IpcException;

/** A peer killed with {@code kill -9} in mid-stream, then restarted. */
class PipeRecoveryTest {

    private static final int MESSAGES = 600;

    @TempDir
    Path dir;

    @Test
    void aKilledBinderIsReplacedAndEveryConfirmedMessageWasReceived() throws Exception {
        Set<Integer> confirmed = ConcurrentHashMap.newKeySet();
        Set<Integer> failed = ConcurrentHashMap.newKeySet();
        AtomicInteger next = new AtomicInteger();
        PipeOptions options = PipeOptions.builder().confirmDelivery(true).sendTimeout(Duration.ofSeconds(5)).build();
        SiblingJvm first = startPeer("first", this.dir, "p", "echo");
        SiblingJvm second = null;
        try (IpcPipe pipe = openAfter(first, options)) {
            assertThat(pipe.activeRole()).isEqualTo(PipeRole.CONNECT);
            Thread sender = new Thread(() -> {
                for (int i = next.get(); i < MESSAGES; i = next.incrementAndGet()) {
                    try {
                        pipe.send(utf8("m" + i));
                        confirmed.add(i);
                    }
                    catch (IpcException ex) {
                        failed.add(i);
                    }
                }
            }, "sender");
            sender.start();
            awaitCount(confirmed, 200);
            first.kill();
            second = startPeer("second", this.dir, "p", "echo");
            second.awaitLineContaining("READY", STARTUP);
            sender.join(Duration.ofSeconds(60).toMillis());
            assertThat(sender.isAlive()).isFalse();

            Set<Integer> received = new HashSet<>();
            received.addAll(receivedBy(first));
            received.addAll(receivedBy(second));
            assertThat(confirmed.size() + failed.size()).isEqualTo(MESSAGES);
            assertThat(received).containsAll(confirmed);
            assertThat(confirmed).hasSizeGreaterThan(400);
            assertThat(pipe.reconnectCount()).isEqualTo(1);
            assertThat(pipe.activeRole()).as("the survivor took over the stale socket file").isEqualTo(PipeRole.BIND);
        }
        finally {
            first.kill();
            if (second != null) {
                second.close();
            }
        }
    }

    @Test
    void aKilledConnectorIsWaitedForAndReconnects() throws Exception {
        try (IpcPipe pipe = IpcPipe.open(this.dir, "p", PipeOptions.defaults())) {
            try (SiblingJvm first = startPeer("first", this.dir, "p", "echo")) {
                first.awaitLineContaining("READY", STARTUP);
                assertThat(pipe.awaitConnected(Duration.ofSeconds(10))).isTrue();
                first.kill();
            }
            awaitState(pipe, PipeState.WAITING_FOR_PEER);
            try (SiblingJvm second = startPeer("second", this.dir, "p", "echo")) {
                second.awaitLineContaining("READY", STARTUP);
                assertThat(new String(pipe.request(io.github.springipc.transport.IpcMessage.of(utf8("back")),
                        Duration.ofSeconds(10)).payload())).isEqualTo("echo:back");
                assertThat(pipe.reconnectCount()).isEqualTo(1);
            }
        }
    }

    @Test
    void aSendWithNoPeerTimesOutWithAClearError() {
        try (IpcPipe pipe = IpcPipe.open(this.dir, "lonely", PipeOptions.defaults())) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> pipe.send(utf8("x"), Duration.ofMillis(50)))
                    .isInstanceOf(io.github.springipc.transport.IpcTimeoutException.class)
                    .hasMessageContaining("Pipe 'lonely'").hasMessageContaining("send-timeout");
        }
    }

    private IpcPipe openAfter(SiblingJvm binder, PipeOptions options) {
        binder.awaitLineContaining("READY", STARTUP);
        return IpcPipe.open(this.dir, "p", options);
    }

    private static void awaitCount(Set<Integer> set, int count) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (set.size() < count) {
            assertThat(System.nanoTime()).as("%d messages confirmed in time", count).isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    private static void awaitState(IpcPipe pipe, PipeState state) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (pipe.state() != state) {
            assertThat(System.nanoTime()).as("pipe reaches %s", state).isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    /** Every "GOT m<i>" the sibling printed; waits until its output is complete. */
    private static Set<Integer> receivedBy(SiblingJvm sibling) {
        if (!sibling.isAlive()) {
            try {
                sibling.awaitLine(line -> false, Duration.ofSeconds(5));
            }
            catch (SiblingJvmException expected) {
                // its output streams are closed: every line is in
            }
        }
        else {
            sibling.close();
        }
        Set<Integer> got = new HashSet<>();
        for (String line : sibling.output()) {
            if (line.startsWith("GOT m")) {
                got.add(Integer.parseInt(line.substring(5)));
            }
        }
        return got;
    }
}

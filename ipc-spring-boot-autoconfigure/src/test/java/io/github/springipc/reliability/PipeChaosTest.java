package io.github.springipc.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.springipc.process.SiblingJvm;
import io.github.springipc.transport.IpcException;
import io.github.springipc.transport.IpcMessage;
import io.github.springipc.transport.pipe.IpcPipe;
import io.github.springipc.transport.pipe.PipeOptions;

/**
 * Chaos over a pipe with {@code confirm-delivery}: this JVM sends a stream of ids while its peer
 * process is killed with {@code kill -9} at random moments and restarted. Every message must end
 * either handled by a receiver (its id in a receiver's ledger) or reported to the sender as failed
 * (its {@code send} threw) — never silently lost — and none is handled twice.
 */
class PipeChaosTest {

    static final int KILLS = 10;

    private static final Duration START = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private final List<SiblingJvm> running = new ArrayList<>();

    private final List<Path> ledgers = new ArrayList<>();

    @AfterEach
    void killAll() {
        this.running.forEach(SiblingJvm::kill);
    }

    @Test
    void restartingThePeerAtRandomLosesNoConfirmedMessageAndReportsEveryOtherOne() throws Exception {
        Random random = ChaosSeed.random("PipeChaosTest");
        PipeOptions options = PipeOptions.builder().confirmDelivery(true).sendTimeout(Duration.ofSeconds(3))
                .reconnectBackoff(Duration.ofMillis(5), Duration.ofMillis(50)).build();
        Set<Long> confirmed = new HashSet<>();
        Map<Long, String> failed = new HashMap<>();
        AtomicBoolean done = new AtomicBoolean();
        long began = System.nanoTime();
        try (IpcPipe pipe = IpcPipe.open(this.dir, "chaos", options)) {
            SiblingJvm[] peer = { startReceiver() };
            Thread sender = new Thread(() -> {
                byte[] payload = new byte[8];
                for (long id = 1; !done.get(); id++) {
                    ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN).putLong(0, id);
                    try {
                        pipe.send(IpcMessage.of(payload.clone()));
                        confirmed.add(id);
                    }
                    catch (IpcException ex) {
                        failed.put(id, ex.getClass().getSimpleName());
                    }
                }
            }, "chaos-sender");
            sender.start();
            for (int kill = 0; kill < KILLS; kill++) {
                Thread.sleep(200 + random.nextInt(1000));
                peer[0].kill();
                this.running.remove(peer[0]);
                peer[0] = startReceiver();
            }
            Thread.sleep(500);
            done.set(true);
            sender.join(Duration.ofSeconds(10).toMillis());
            assertThat(sender.isAlive()).as("the sender is stuck in a send").isFalse();
        }
        Map<Long, Integer> handled = new HashMap<>();
        for (Ledger.Entry entry : Ledger.readAll(this.ledgers)) {
            handled.merge(entry.id(), 1, Integer::sum);
        }
        Set<Long> lost = new HashSet<>(confirmed);
        lost.removeAll(handled.keySet());
        long failedButHandled = failed.keySet().stream().filter(handled::containsKey).count();
        System.out.printf("PipeChaosTest: %d kills in %d ms; %d sends confirmed, %d reported failed (%d of them"
                + " handled all the same: in flight when the peer died), %d lost, failures by type %s%n", KILLS,
                Duration.ofNanos(System.nanoTime() - began).toMillis(), confirmed.size(), failed.size(),
                failedButHandled, lost.size(), countByValue(failed));
        assertThat(confirmed).as("confirmed sends").hasSizeGreaterThan(1000);
        assertThat(failed).as("sends reported failed: the peer was killed").isNotEmpty();
        assertThat(lost).as("confirmed sends no receiver handled").isEmpty();
        assertThat(handled.keySet()).as("handled ids that were never sent").allMatch(id -> confirmed.contains(id)
                || failed.containsKey(id));
        assertThat(handled.values()).as("times a message was handled").allMatch(n -> n == 1);
    }

    private static Map<String, Integer> countByValue(Map<Long, String> failed) {
        Map<String, Integer> counts = new HashMap<>();
        failed.values().forEach(type -> counts.merge(type, 1, Integer::sum));
        return counts;
    }

    private SiblingJvm startReceiver() {
        Path ledger = this.dir.resolve("receiver-" + this.ledgers.size() + ".ledger");
        this.ledgers.add(ledger);
        SiblingJvm jvm = SiblingJvm.builder(ChaosPipeReceiver.class).name("receiver-" + this.ledgers.size())
                .jvmArguments("-Xmx64m", "-XX:TieredStopAtLevel=1")
                .arguments(this.dir.toString(), "chaos", ledger.toString()).start();
        this.running.add(jvm);
        jvm.awaitLineContaining("READY", START);
        return jvm;
    }
}

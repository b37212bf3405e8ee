package io.github.springipc.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.springipc.process.SiblingJvm;

/**
 * Chaos over the queue: two producer and two consumer processes, a random one killed with
 * {@code kill -9} at a random moment and replaced, twelve times, while messages flow. Each process
 * keeps a ledger that survives its death; at the end every id a producer saw accepted must have
 * been handled, and an id handled twice must carry a delivery attempt above 1 on every handling
 * but one.
 */
class QueueChaosTest {

    static final int KILLS = 12;

    private static final Duration START = Duration.ofSeconds(30);

    private static final int CAPACITY = 1 << 16;

    @TempDir
    Path dir;

    private final List<SiblingJvm> running = new ArrayList<>();

    private final List<Path> producerLedgers = new ArrayList<>();

    private final List<Path> consumerLedgers = new ArrayList<>();

    private int incarnations;

    @AfterEach
    void killAll() {
        this.running.forEach(SiblingJvm::kill);
    }

    @Test
    void killingProducersAndConsumersAtRandomLosesNothingAndMarksEveryDuplicate() throws Exception {
        Random random = ChaosSeed.random("QueueChaosTest");
        List<SiblingJvm> producers = new ArrayList<>();
        List<SiblingJvm> consumers = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            consumers.add(start("consume"));
            producers.add(start("produce"));
        }
        long began = System.nanoTime();
        int producerKills = 0;
        for (int kill = 0; kill < KILLS; kill++) {
            Thread.sleep(300 + random.nextInt(1200));
            // random, but each kind at least a third of the time
            boolean producer = producerKills >= 2 * KILLS / 3 ? false
                    : kill - producerKills >= 2 * KILLS / 3 ? true : random.nextBoolean();
            List<SiblingJvm> group = producer ? producers : consumers;
            int victim = random.nextInt(group.size());
            group.get(victim).kill();
            this.running.remove(group.get(victim));
            producerKills += producer ? 1 : 0;
            group.set(victim, start(producer ? "produce" : "consume"));
        }
        for (SiblingJvm producer : producers) {
            producer.writeLine("STOP");
        }
        for (SiblingJvm producer : producers) {
            producer.awaitLineContaining("STOPPED", Duration.ofSeconds(20));
        }
        Set<Long> accepted = new HashSet<>();
        Ledger.readAll(this.producerLedgers).forEach(e -> accepted.add(e.id()));
        Map<Long, List<Integer>> handled = awaitHandled(accepted, Duration.ofSeconds(30));
        Duration took = Duration.ofNanos(System.nanoTime() - began);

        Set<Long> lost = new HashSet<>(accepted);
        lost.removeAll(handled.keySet());
        long duplicates = handled.values().stream().filter(a -> a.size() > 1).count();
        long redelivered = handled.values().stream().filter(a -> a.stream().anyMatch(n -> n > 1)).count();
        System.out.printf("QueueChaosTest: %d kills (%d producers, %d consumers) in %d ms; %d messages accepted,"
                + " %d handled, %d lost, %d handled more than once, %d redelivered%n", KILLS, producerKills,
                KILLS - producerKills, took.toMillis(), accepted.size(), handled.size(), lost.size(), duplicates,
                redelivered);
        assertThat(accepted).as("messages the producers saw accepted").hasSizeGreaterThan(1000);
        assertThat(lost).as("accepted messages no consumer handled").isEmpty();
        assertThat(redelivered).as("messages redelivered after a consumer was killed holding them").isPositive();
        handled.forEach((id, attempts) -> assertThat(attempts.stream().filter(a -> a == 1).count())
                .as("handlings of message %x with delivery attempt 1 (attempts %s)", id, attempts)
                .isLessThanOrEqualTo(1));
        handled.forEach((id, attempts) -> assertThat(attempts).as("attempts of message %x", id).allMatch(a -> a >= 1));
    }

    /** Waits until the consumers' ledgers hold every accepted id (or the time is up). */
    private Map<Long, List<Integer>> awaitHandled(Set<Long> accepted, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Map<Long, List<Integer>> handled = new HashMap<>();
            for (Ledger.Entry entry : Ledger.readAll(this.consumerLedgers)) {
                handled.computeIfAbsent(entry.id(), id -> new ArrayList<>()).add(entry.attempt());
            }
            if (handled.keySet().containsAll(accepted) || System.nanoTime() > deadline) {
                return handled;
            }
            Thread.sleep(50);
        }
    }

    private SiblingJvm start(String role) {
        int incarnation = ++this.incarnations;
        Path ledger = this.dir.resolve(role + "-" + incarnation + ".ledger");
        (role.equals("produce") ? this.producerLedgers : this.consumerLedgers).add(ledger);
        SiblingJvm jvm = SiblingJvm.builder(ChaosQueueProcess.class).name(role + "-" + incarnation)
                .jvmArguments("-Xmx64m", "-XX:TieredStopAtLevel=1", "-Xshare:auto")
                .arguments(role, this.dir.toString(), "chaos", Integer.toString(CAPACITY), ledger.toString(),
                        Integer.toString(incarnation))
                .start();
        this.running.add(jvm);
        jvm.awaitLineContaining("READY", START);
        return jvm;
    }
}

package io.github.springipc.transport.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.springipc.process.SiblingJvm;
import io.github.springipc.transport.IpcDelivery;
import io.github.springipc.transport.IpcMessage;
import io.github.springipc.transport.IpcTimeoutException;

/** The queue between real processes: competing consumers, kill -9 of either side, restarts. */
class IpcQueueBetweenJvmsTest {

    /**
     * Messages per producer in the competing-consumers test, as the issue asks: 4 x 250 000 take
     * about 8 s on the shared 2-core machine. Lower it to 50 000 if that ever gets too slow.
     */
    static final int MESSAGES_PER_PRODUCER = 250_000;

    static final int PRODUCERS = 4;

    private static final Duration START = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private final List<SiblingJvm> siblings = new ArrayList<>();

    @AfterEach
    void stopSiblings() {
        this.siblings.forEach(SiblingJvm::kill);
    }

    @Test
    void competingConsumersGetEveryMessageExactlyOnce() throws Exception {
        int capacity = 1 << 18;
        List<Path> logs = List.of(this.dir.resolve("c0.log"), this.dir.resolve("c1.log"));
        for (Path log : logs) {
            start("consumer", "drain", capacity, log.toString()).awaitLineContaining("READY", START);
        }
        List<SiblingJvm> producers = startProducers(PRODUCERS, MESSAGES_PER_PRODUCER, capacity, 0);
        producers.forEach(p -> p.writeLine("GO"));
        for (SiblingJvm producer : producers) {
            producer.awaitLineContaining("SENT", Duration.ofSeconds(60));
        }
        awaitLogged(logs, PRODUCERS * MESSAGES_PER_PRODUCER, Duration.ofSeconds(30));
        Map<Long, Integer> times = new HashMap<>();
        int[] perConsumer = new int[logs.size()];
        for (int i = 0; i < logs.size(); i++) {
            for (long[] entry : QueueSibling.ReceivedLog.read(logs.get(i))) {
                times.merge(entry[0], 1, Integer::sum);
                perConsumer[i]++;
            }
        }
        assertThat(times).hasSize(PRODUCERS * MESSAGES_PER_PRODUCER);
        assertThat(times.values()).allMatch(n -> n == 1);
        for (int p = 0; p < PRODUCERS; p++) {
            for (int seq = 0; seq < MESSAGES_PER_PRODUCER; seq += 997) {
                assertThat(times).containsKey(((long) p << 32) | seq);
            }
        }
        System.out.println("per consumer: " + java.util.Arrays.toString(perConsumer));
    }

    @Test
    void oneConsumerGetsEachProducersMessagesInOrder() throws Exception {
        int capacity = 1 << 16;
        Path log = this.dir.resolve("c.log");
        start("consumer", "drain", capacity, log.toString()).awaitLineContaining("READY", START);
        List<SiblingJvm> producers = startProducers(2, 20_000, capacity, 0);
        producers.forEach(p -> p.writeLine("GO"));
        awaitLogged(List.of(log), 40_000, Duration.ofSeconds(30));
        long[] next = new long[2];
        for (long[] entry : QueueSibling.ReceivedLog.read(log)) {
            int producer = (int) (entry[0] >>> 32);
            assertThat(entry[0] & 0xFFFF_FFFFL).as("next message of producer " + producer).isEqualTo(next[producer]);
            next[producer]++;
        }
        assertThat(next).containsExactly(20_000, 20_000);
    }

    @Test
    void killedConsumersLoseNothingAndTheirMessagesComeBackWithHigherAttempts() throws Exception {
        int capacity = 1 << 16;
        int perProducer = 10_000;
        Path steadyLog = this.dir.resolve("steady.log");
        start("steady", "consume", capacity, steadyLog.toString(), "4").awaitLineContaining("READY", START);
        List<Path> logs = new ArrayList<>(List.of(steadyLog));
        // each producer paces itself to ~1 000 msgs/s so the run outlasts ten kills
        List<SiblingJvm> producers = startProducers(2, perProducer, capacity, 1_000_000);
        producers.forEach(p -> p.writeLine("GO"));
        int kills = 0;
        for (; kills < 10; kills++) {
            Path log = this.dir.resolve("victim-" + kills + ".log");
            logs.add(log);
            SiblingJvm victim = start("victim-" + kills, "consume", capacity, log.toString(), "32");
            victim.awaitLineContaining("READY", START);
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (QueueSibling.ReceivedLog.count(log) < 20 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            Thread.sleep(ThreadLocalRandom.current().nextInt(50, 200));
            victim.kill();
            this.siblings.remove(victim);
        }
        for (SiblingJvm producer : producers) {
            producer.awaitLineContaining("SENT", Duration.ofSeconds(60));
        }
        Map<Long, Integer> maxAttempt = new HashMap<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            maxAttempt.clear();
            for (Path log : logs) {
                for (long[] entry : QueueSibling.ReceivedLog.read(log)) {
                    maxAttempt.merge(entry[0], (int) entry[1], Math::max);
                }
            }
            if (maxAttempt.size() == 2 * perProducer || System.nanoTime() > deadline) {
                break;
            }
            Thread.sleep(50);
        }
        assertThat(maxAttempt).as("distinct messages received").hasSize(2 * perProducer);
        long redelivered = maxAttempt.values().stream().filter(a -> a > 1).count();
        System.out.println(kills + " kills, " + redelivered + " messages redelivered");
        assertThat(redelivered).as("messages redelivered after a consumer was killed").isGreaterThan(0);
        for (long[] entry : QueueSibling.ReceivedLog.read(steadyLog)) {
            assertThat(entry[1]).isBetween(1L, 11L);
        }
    }

    @Test
    void producerKilledMidWriteDoesNotBlockTheQueue() throws Exception {
        QueueOptions options = QueueOptions.builder().capacity(1 << 16).build();
        try (IpcQueue consumer = IpcQueue.open(this.dir, "q", options);
                IpcQueue otherProducer = IpcQueue.open(this.dir, "q", options)) {
            SiblingJvm stalled = start("stalled", "stall", 1 << 16, "3");
            stalled.awaitLineContaining("STALLED", START);
            for (int i = 0; i < 3; i++) {
                IpcDelivery delivery = consumer.receive(Duration.ofSeconds(5));
                assertThat(new String(delivery.message().payload(), StandardCharsets.UTF_8)).isEqualTo("before-" + i);
                delivery.acknowledge();
            }
            otherProducer.send(IpcMessage.of("after".getBytes(StandardCharsets.UTF_8)), Duration.ofSeconds(1));
            assertThat(consumer.receive(Duration.ofMillis(300))).as("blocked behind the stalled record").isNull();
            stalled.kill();
            long killed = System.nanoTime();
            IpcDelivery after = consumer.receive(Duration.ofSeconds(5));
            Duration took = Duration.ofNanos(System.nanoTime() - killed);
            assertThat(new String(after.message().payload(), StandardCharsets.UTF_8)).isEqualTo("after");
            after.acknowledge();
            System.out.println("consumer went on " + took.toMillis() + " ms after the producer was killed");
            assertThat(took).isLessThan(Duration.ofSeconds(1));
            assertThat(consumer.receive(Duration.ofMillis(100))).isNull();
        }
    }

    @Test
    void pendingMessagesSurviveTheStopOfEveryProcess() throws Exception {
        int capacity = 1 << 17; // room for all 1 000 records of 80 bytes: nobody consumes while they are sent
        SiblingJvm producer = start("producer", "produce", capacity, "7", "1000", "0");
        producer.awaitLineContaining("READY", START);
        producer.writeLine("GO");
        producer.awaitLineContaining("SENT", START);
        assertThat(producer.awaitExit(Duration.ofSeconds(10))).isZero();
        SiblingJvm holder = start("holder", "hold", capacity, "250", "50");
        holder.awaitLineContaining("HOLDING 50", START);
        holder.kill();
        // every process is gone now; a new one attaches and gets the rest
        QueueOptions options = QueueOptions.builder().capacity(capacity).build();
        try (IpcQueue queue = IpcQueue.open(this.dir, "q", options)) {
            List<Long> ids = new ArrayList<>();
            int redelivered = 0;
            IpcDelivery delivery;
            while ((delivery = queue.receive(Duration.ofMillis(500))) != null) {
                ids.add(java.nio.ByteBuffer.wrap(delivery.message().payload()).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                        .getLong(0) & 0xFFFF_FFFFL);
                if (delivery.deliveryAttempt() == 2) {
                    redelivered++;
                }
                delivery.acknowledge();
            }
            assertThat(ids).hasSize(750).doesNotHaveDuplicates().allMatch(id -> id >= 250 && id < 1000);
            assertThat(redelivered).isEqualTo(50);
        }
    }

    @Test
    void idleBlockingListenerUsesUnderOnePercentOfACoreAndWakesOnASend() throws Exception {
        int capacity = 1 << 16;
        SiblingJvm idle = start("idle", "idle", capacity);
        String[] report = idle.awaitLineContaining("IDLE_CPU", START).split(" ");
        double processShare = Double.parseDouble(report[1]);
        double threadShare = Double.parseDouble(report[2]);
        Duration waited = Duration.ofNanos(Long.parseLong(report[3]));
        System.out.println(String.format("idle listener CPU: process %.3f %%, waiting thread %.4f %% over %d ms",
                processShare * 100, threadShare * 100, waited.toMillis()));
        assertThat(report[4]).as("nothing received").isEqualTo("true");
        assertThat(waited).as("waited the whole timeout").isGreaterThanOrEqualTo(Duration.ofSeconds(3));
        // the process's clock counts 10 ms ticks (0.3 % of the wait each); the thread's is exact
        assertThat(processShare).isLessThan(0.01);
        // ~0.04 % (one doorbell wake-up a second); a waiter that polls costs far more. How often
        // an idle waiter wakes is pinned exactly by IpcQueueTest; the margin here is for loaded builds
        assertThat(threadShare).as("waiting thread's CPU share").isLessThan(0.003);
        try (IpcQueue producer = IpcQueue.open(this.dir, "q", QueueOptions.builder().capacity(capacity).build())) {
            producer.send(IpcMessage.of("ding".getBytes(StandardCharsets.UTF_8)), Duration.ofSeconds(1));
        }
        idle.awaitLineContaining("WOKE ding", Duration.ofSeconds(5));
    }

    @Test
    void sleepingConsumerGetsTheMessagesOfAKilledConsumerWithinASecond() throws Exception {
        int capacity = 1 << 16;
        try (IpcQueue queue = IpcQueue.open(this.dir, "q", QueueOptions.builder().capacity(capacity).build())) {
            for (int i = 0; i < 3; i++) {
                queue.send(IpcMessage.of(("m" + i).getBytes(StandardCharsets.UTF_8)), Duration.ofSeconds(1));
            }
            SiblingJvm holder = start("holder", "hold", capacity, "0", "3");
            holder.awaitLineContaining("HOLDING 3", START);
            java.util.concurrent.CompletableFuture<IpcDelivery> woken = java.util.concurrent.CompletableFuture
                    .supplyAsync(() -> {
                        try {
                            return queue.receive(Duration.ofSeconds(10));
                        }
                        catch (InterruptedException ex) {
                            throw new IllegalStateException(ex);
                        }
                    });
            awaitSleepingConsumer(this.dir.resolve("q.queue"));
            holder.kill();
            long killed = System.nanoTime();
            IpcDelivery delivery = woken.get(10, java.util.concurrent.TimeUnit.SECONDS);
            Duration took = Duration.ofNanos(System.nanoTime() - killed);
            System.out.println("sleeping consumer got a killed consumer's message after " + took.toMillis() + " ms");
            assertThat(delivery).isNotNull();
            assertThat(delivery.deliveryAttempt()).isEqualTo(2);
            assertThat(took).isLessThan(Duration.ofSeconds(1));
            delivery.acknowledge();
        }
    }

    @Test
    void requestGetsTheReplyOfAConsumerInAnotherProcess() throws Exception {
        int capacity = 1 << 16;
        start("responder", "respond", capacity).awaitLineContaining("READY", START);
        try (IpcQueue queue = IpcQueue.open(this.dir, "q", QueueOptions.builder().capacity(capacity).build())) {
            for (int i = 0; i < 20; i++) {
                IpcMessage reply = queue.request(IpcMessage.of(("ping " + i).getBytes(StandardCharsets.UTF_8)),
                        Duration.ofSeconds(5));
                assertThat(new String(reply.payload(), StandardCharsets.UTF_8)).isEqualTo("PING " + i);
            }
            assertThat(replyQueueFiles()).isNotEmpty();
        }
        assertThat(replyQueueFiles()).as("reply queue files after close").isEmpty();
    }

    @Test
    void requestWithoutAResponderTimesOut() {
        try (IpcQueue queue = IpcQueue.open(this.dir, "q", QueueOptions.defaults())) {
            long start = System.nanoTime();
            org.assertj.core.api.Assertions
                    .assertThatThrownBy(() -> queue.request(IpcMessage.of(new byte[1]), Duration.ofMillis(300)))
                    .isInstanceOf(IpcTimeoutException.class).hasMessageContaining("No reply");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
        }
    }

    private List<Path> replyQueueFiles() throws Exception {
        try (var files = Files.list(this.dir)) {
            return files.filter(f -> f.getFileName().toString().contains(".reply-")).toList();
        }
    }

    private List<SiblingJvm> startProducers(int count, int perProducer, int capacity, long pauseNanos) {
        List<SiblingJvm> producers = new ArrayList<>();
        for (int p = 0; p < count; p++) {
            producers.add(start("producer-" + p, "produce", capacity, Integer.toString(p), Integer.toString(perProducer),
                    Long.toString(pauseNanos)));
        }
        for (SiblingJvm producer : producers) {
            producer.awaitLineContaining("READY", START);
        }
        return producers;
    }

    private void awaitLogged(List<Path> logs, long total, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        long seen = 0;
        while (System.nanoTime() < deadline) {
            seen = 0;
            for (Path log : logs) {
                seen += QueueSibling.ReceivedLog.count(log);
            }
            if (seen >= total) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("consumers logged " + seen + " of " + total + " messages within " + timeout);
    }

    /** Waits (bounded) until some consumer thread of the queue sleeps on its doorbell (the header's waiter count). */
    private static void awaitSleepingConsumer(Path queueFile) throws java.io.IOException {
        try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(queueFile,
                java.nio.file.StandardOpenOption.READ)) {
            java.nio.ByteBuffer header = channel.map(java.nio.channels.FileChannel.MapMode.READ_ONLY, 0,
                    QueueLayout.HEADER_LENGTH);
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while ((long) QueueRing.LONG.getVolatile(header, QueueLayout.WAITERS_OFFSET) == 0) {
                assertThat(System.nanoTime() - deadline).as("a consumer asleep on the doorbell").isNegative();
                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
            }
        }
    }

    @Test
    void aCloseWaitsForTheLockFreeLanesSendWhichThenGivesItsClaimUp() throws Exception {
        int capacity = 8192;
        SiblingJvm sibling = start("closer", "close-mid-write", capacity);
        sibling.awaitLineContaining("END close", START);
        assertThat(sibling.output()).contains("CLOSE-WAITED", "SEND-CLOSED", "END close returned")
                .doesNotContain("CLOSED-UNDER-A-WRITE", "SENT");
        try (IpcQueue queue = IpcQueue.open(this.dir, "q", QueueOptions.builder().capacity(capacity).build())) {
            queue.send(IpcMessage.of("after".getBytes(StandardCharsets.UTF_8)), Duration.ofSeconds(1));
            List<String> received = new ArrayList<>();
            IpcDelivery delivery;
            while ((delivery = queue.receive(Duration.ofMillis(500))) != null) {
                received.add(new String(delivery.message().payload(), StandardCharsets.UTF_8));
                delivery.acknowledge();
            }
            assertThat(received).as("the given-up claim is padding").containsExactly("owned-0", "after");
            assertThat(queue.corruptRecords()).isZero();
        }
    }

    @Test
    void aWriteThatFailsBetweenItsClaimAndItsPublishIsPaddedSoALiveProducerNeverBlocksTheQueue() throws Exception {
        int capacity = 8192;
        SiblingJvm sibling = start("failer", "fail-mid-write", capacity);
        sibling.awaitLineContaining("SENT-AFTER", START);
        assertThat(sibling.output()).contains("SEND-FAILED failed mid-write", "OFFER-FAILED failed mid-write",
                "RUN-FAILED run failed mid-write");
        try (IpcQueue queue = IpcQueue.open(this.dir, "q", QueueOptions.builder().capacity(capacity).build())) {
            List<String> received = new ArrayList<>();
            IpcDelivery delivery;
            while ((delivery = queue.receive(Duration.ofMillis(500))) != null) {
                received.add(new String(delivery.message().payload(), StandardCharsets.UTF_8));
                delivery.acknowledge();
            }
            assertThat(sibling.isAlive()).as("the producer lives: no recovery pads its claims").isTrue();
            assertThat(received).as("failed writes are padding, the rest arrives").containsExactly("before", "run-0",
                    "after");
            assertThat(queue.corruptRecords()).isZero();
        }
    }

    private SiblingJvm start(String name, String role, int capacity, String... more) {
        List<String> args = new ArrayList<>(List.of(role, this.dir.toString(), "q", Integer.toString(capacity)));
        args.addAll(List.of(more));
        SiblingJvm sibling = SiblingJvm.builder(QueueSibling.class).name(name).jvmArguments("-Xmx128m", "-XX:TieredStopAtLevel=1",
                "-Dspringipc.queue.test-hooks=true")
                .arguments(args.toArray(String[]::new)).start();
        this.siblings.add(sibling);
        return sibling;
    }
}

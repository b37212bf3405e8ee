package io.github.springipc.transport.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.springipc.process.SiblingJvm;
import io.github.springipc.transport.IpcClosedException;
import io.github.springipc.transport.IpcDelivery;
import io.github.springipc.transport.IpcMessage;

/**
 * {@link IpcQueue#receive(int, Duration)} (several deliveries per claim), the release-store
 * acknowledgement behind it, and {@link IpcQueue#liveConsumers()}.
 */
class IpcQueueBatchReceiveTest {

    private static final QueueOptions SMALL = QueueOptions.builder().capacity(1 << 16).maxMessageSize(1024).build();

    @TempDir
    Path dir;

    private final List<SiblingJvm> siblings = new ArrayList<>();

    @AfterEach
    void stopSiblings() {
        this.siblings.forEach(SiblingJvm::kill);
    }

    @Test
    void batchTakesWhatIsWaitingInOrderUpToTheLimit() throws Exception {
        try (IpcQueue queue = IpcQueue.open(this.dir, "q", SMALL)) {
            sendAll(queue, 0, 10);
            List<IpcDelivery> first = queue.receive(4, Duration.ofSeconds(1));
            List<IpcDelivery> rest = queue.receive(100, Duration.ofSeconds(1));
            assertThat(texts(first)).containsExactly("m0", "m1", "m2", "m3");
            assertThat(texts(rest)).containsExactly("m4", "m5", "m6", "m7", "m8", "m9");
            assertThat(first).allMatch(delivery -> delivery.deliveryAttempt() == 1);
            assertThat(rest).allMatch(delivery -> delivery.deliveryAttempt() == 1);
            first.forEach(IpcDelivery::acknowledge);
            rest.forEach(IpcDelivery::acknowledge);
            assertThat(queue.receive(8, Duration.ofMillis(20))).isEmpty();
            queue.housekeeping(); // reclaims what is settled
            assertThat(queue.pendingBytes()).isZero();
        }
    }

    @Test
    void batchWaitsForTheFirstMessageAndReturnsEmptyWhenNoneCame() throws Exception {
        try (IpcQueue consumer = IpcQueue.open(this.dir, "q", SMALL); IpcQueue producer = IpcQueue.open(this.dir, "q", SMALL)) {
            assertThat(consumer.receive(8, Duration.ofMillis(30))).isEmpty();
            CompletableFuture<List<IpcDelivery>> waiting = CompletableFuture.supplyAsync(() -> {
                try {
                    return consumer.receive(8, Duration.ofSeconds(10));
                }
                catch (InterruptedException ex) {
                    throw new IllegalStateException(ex);
                }
            });
            producer.send(IpcMessage.of(bytes("late")), Duration.ofSeconds(1));
            List<IpcDelivery> batch = waiting.get(10, TimeUnit.SECONDS);
            assertThat(texts(batch)).containsExactly("late");
            batch.forEach(IpcDelivery::acknowledge);
        }
    }

    @Test
    void zeroTimeoutTakesOnlyWhatIsThereAlready() throws Exception {
        try (IpcQueue queue = IpcQueue.open(this.dir, "q", SMALL)) {
            assertThat(queue.receive(8, Duration.ZERO)).isEmpty();
            sendAll(queue, 0, 3);
            List<IpcDelivery> batch = queue.receive(8, Duration.ZERO);
            assertThat(texts(batch)).containsExactly("m0", "m1", "m2");
            batch.forEach(IpcDelivery::acknowledge);
            assertThat(queue.receive(8, Duration.ZERO)).isEmpty();
        }
    }

    @Test
    void releasedDeliveryOfABatchComesFirstInTheNextBatchWithTheNextAttempt() throws Exception {
        try (IpcQueue queue = IpcQueue.open(this.dir, "q", SMALL)) {
            sendAll(queue, 0, 3);
            List<IpcDelivery> batch = queue.receive(3, Duration.ofSeconds(1));
            batch.get(0).acknowledge();
            batch.get(1).release();
            batch.get(2).acknowledge();
            sendAll(queue, 3, 5);
            List<IpcDelivery> next = queue.receive(8, Duration.ofSeconds(1));
            assertThat(texts(next)).containsExactly("m1", "m3", "m4");
            assertThat(next).extracting(IpcDelivery::deliveryAttempt).containsExactly(2, 1, 1);
            next.forEach(IpcDelivery::acknowledge);
            assertThat(queue.redeliveries()).isEqualTo(1);
        }
    }

    @Test
    void unsettledDeliveriesOfABatchGoToAnotherAttachmentOnClose() throws Exception {
        try (IpcQueue survivor = IpcQueue.open(this.dir, "q", SMALL)) {
            IpcQueue leaving = IpcQueue.open(this.dir, "q", SMALL);
            sendAll(leaving, 0, 5);
            List<IpcDelivery> batch = leaving.receive(5, Duration.ofSeconds(1));
            assertThat(batch).hasSize(5);
            batch.get(0).acknowledge();
            batch.get(1).acknowledge();
            leaving.close();
            batch.get(2).acknowledge(); // too late: the close returned it, and it stays returned
            List<String> redelivered = new ArrayList<>();
            List<Integer> attempts = new ArrayList<>();
            for (IpcDelivery delivery; (delivery = survivor.receive(Duration.ofMillis(200))) != null;) {
                redelivered.add(text(delivery));
                attempts.add(delivery.deliveryAttempt());
                delivery.acknowledge();
            }
            assertThat(redelivered).containsExactly("m2", "m3", "m4");
            assertThat(attempts).containsOnly(2);
        }
    }

    @Test
    void deliveryOfABatchCanBeSettledOnlyOnce() throws Exception {
        try (IpcQueue queue = IpcQueue.open(this.dir, "q", SMALL)) {
            sendAll(queue, 0, 2);
            List<IpcDelivery> batch = queue.receive(2, Duration.ofSeconds(1));
            batch.get(0).acknowledge();
            assertThatThrownBy(batch.get(0)::release).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("already settled");
            batch.get(1).release();
            assertThatThrownBy(batch.get(1)::acknowledge).isInstanceOf(IllegalStateException.class);
            IpcDelivery again = queue.receive(Duration.ofSeconds(1));
            assertThat(text(again)).isEqualTo("m1");
            again.acknowledge();
        }
    }

    @Test
    void batchOnAClosedQueueIsRefused() {
        IpcQueue queue = IpcQueue.open(this.dir, "q", SMALL);
        queue.close();
        assertThatThrownBy(() -> queue.receive(4, Duration.ofMillis(10))).isInstanceOf(IpcClosedException.class);
        assertThatThrownBy(() -> queue.receive(0, Duration.ofMillis(10))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void batchOfEnvelopesWrapsAroundTheRingManyTimesInOrder() throws Exception {
        QueueOptions tiny = QueueOptions.builder().capacity(4096).maxMessageSize(1024).build();
        try (IpcQueue queue = IpcQueue.open(this.dir, "q", tiny)) {
            int next = 0;
            int sent = 0;
            while (next < 3_000) {
                while (sent < 3_000 && queue.trySend(IpcMessage.of(bytes("m" + sent + "x".repeat(sent % 200))))) {
                    sent++;
                }
                for (IpcDelivery delivery : queue.receive(7, Duration.ofSeconds(1))) {
                    assertThat(text(delivery)).isEqualTo("m" + next + "x".repeat(next % 200));
                    delivery.acknowledge();
                    next++;
                }
            }
        }
    }

    @Test
    void threadsTakingBatchesFromOneAttachmentGetEveryMessageOnceAndEachSendersInOrder() throws Exception {
        int perSender = 5_000;
        try (IpcQueue queue = IpcQueue.open(this.dir, "q", QueueOptions.builder().capacity(1 << 14).build())) {
            java.util.Set<Integer> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();
            java.util.concurrent.atomic.AtomicInteger duplicates = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.atomic.AtomicInteger outOfOrder = new java.util.concurrent.atomic.AtomicInteger();
            List<Thread> threads = new ArrayList<>();
            for (int s = 0; s < 2; s++) {
                int sender = s;
                threads.add(new Thread(() -> {
                    for (int i = 0; i < perSender; i++) {
                        queue.send(IpcMessage.of(java.nio.ByteBuffer.allocate(4).putInt(sender * perSender + i).array()),
                                Duration.ofSeconds(5));
                    }
                }));
            }
            for (int r = 0; r < 2; r++) {
                threads.add(new Thread(() -> {
                    int[] last = { -1, perSender - 1 }; // within one batch each sender's messages ascend
                    try {
                        List<IpcDelivery> batch;
                        while (!(batch = queue.receive(32, Duration.ofMillis(500))).isEmpty()) {
                            int[] previous = last.clone();
                            for (IpcDelivery delivery : batch) {
                                int value = java.nio.ByteBuffer.wrap(delivery.message().payload()).getInt();
                                int sender = value / perSender;
                                if (value <= previous[sender]) {
                                    outOfOrder.incrementAndGet();
                                }
                                previous[sender] = value;
                                if (!seen.add(value)) {
                                    duplicates.incrementAndGet();
                                }
                                delivery.acknowledge();
                            }
                            last = previous;
                        }
                    }
                    catch (InterruptedException ex) {
                        Thread.currentThread().interrupt();
                    }
                }));
            }
            threads.forEach(Thread::start);
            for (Thread thread : threads) {
                thread.join(30_000);
            }
            assertThat(duplicates).hasValue(0);
            assertThat(outOfOrder).hasValue(0);
            assertThat(seen).hasSize(2 * perSender);
        }
    }

    @Test
    void corruptEnvelopeInABatchIsDroppedAndCountedAndThrownWhenAlone() throws Exception {
        try (IpcQueue queue = IpcQueue.open(this.dir, "q", SMALL)) {
            sendAll(queue, 0, 2);
        }
        // the first envelope announces 65535 headers, more than any envelope may carry
        try (java.nio.channels.FileChannel file = java.nio.channels.FileChannel.open(this.dir.resolve("q.queue"),
                java.nio.file.StandardOpenOption.WRITE)) {
            file.write(java.nio.ByteBuffer.wrap(new byte[] { (byte) 0xFF, (byte) 0xFF }),
                    QueueLayout.ringOffset(SMALL.slots()) + QueueLayout.RECORD_HEADER_LENGTH);
        }
        try (IpcQueue queue = IpcQueue.open(this.dir, "q", SMALL)) {
            List<IpcDelivery> batch = queue.receive(8, Duration.ofSeconds(1));
            assertThat(texts(batch)).containsExactly("m1");
            batch.forEach(IpcDelivery::acknowledge);
            assertThat(queue.corruptRecords()).isEqualTo(1);
            queue.send(IpcMessage.of(bytes("m2")), Duration.ofSeconds(1));
        }
        try (java.nio.channels.FileChannel file = java.nio.channels.FileChannel.open(this.dir.resolve("q.queue"),
                java.nio.file.StandardOpenOption.WRITE)) {
            long m2 = QueueLayout.ringOffset(SMALL.slots()) + 2 * QueueLayout.recordSize(2 + 2);
            file.write(java.nio.ByteBuffer.wrap(new byte[] { (byte) 0xFF, (byte) 0xFF }), m2 + QueueLayout.RECORD_HEADER_LENGTH);
        }
        try (IpcQueue queue = IpcQueue.open(this.dir, "q", SMALL)) {
            assertThatThrownBy(() -> queue.receive(8, Duration.ofSeconds(1)))
                    .isInstanceOf(io.github.springipc.transport.IpcCorruptDataException.class)
                    .hasMessageContaining("it was dropped");
            assertThat(queue.receive(8, Duration.ofMillis(20))).isEmpty();
            assertThat(queue.corruptRecords()).isEqualTo(2);
        }
    }

    @Test
    void liveConsumersCountsAttachmentsThatReceive() throws Exception {
        try (IpcQueue producer = IpcQueue.open(this.dir, "q", SMALL); IpcQueue consumer = IpcQueue.open(this.dir, "q", SMALL)) {
            producer.send(IpcMessage.of(bytes("x")), Duration.ofSeconds(1));
            consumer.receive(1, Duration.ofSeconds(1)).forEach(IpcDelivery::acknowledge);
            try (IpcQueue observer = IpcQueue.open(this.dir, "q", SMALL)) {
                assertThat(observer.liveConsumers()).isEqualTo(1);
                assertThat(observer.liveProducers()).isEqualTo(1);
            }
        }
    }

    @Test
    void liveConsumersDropsAConsumerWhoseProcessDied() throws Exception {
        SiblingJvm consumer = SiblingJvm.builder(QueueSibling.class).name("holder").jvmArguments("-Xmx64m",
                "-XX:TieredStopAtLevel=1").arguments("hold", this.dir.toString(), "q", Integer.toString(SMALL.capacity()),
                        "0", "1").start();
        this.siblings.add(consumer);
        try (IpcQueue observer = IpcQueue.open(this.dir, "q", QueueOptions.builder().capacity(SMALL.capacity()).build())) {
            observer.send(IpcMessage.of(bytes("held")), Duration.ofSeconds(1));
            consumer.awaitLineContaining("HOLDING 1", Duration.ofSeconds(30));
            assertThat(observer.liveConsumers()).isEqualTo(1);
            consumer.kill();
            // the dead slot keeps its consumer role until someone recovers it: only its lock tells
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (observer.liveConsumers() != 0 && System.nanoTime() < deadline) {
                LockSupport.parkNanos(20_000_000); // bounded polling of a count cached for a second
            }
            assertThat(observer.liveConsumers()).isZero();
            assertThat(observer.liveProducers()).isEqualTo(1);
        }
    }

    private static void sendAll(IpcQueue queue, int from, int to) {
        for (int i = from; i < to; i++) {
            queue.send(IpcMessage.of(bytes("m" + i)), Duration.ofSeconds(1));
        }
    }

    private static List<String> texts(List<IpcDelivery> deliveries) {
        return deliveries.stream().map(IpcQueueBatchReceiveTest::text).toList();
    }

    private static String text(IpcDelivery delivery) {
        return new String(delivery.message().payload(), StandardCharsets.UTF_8);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}

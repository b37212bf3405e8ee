package io.github.springipc.transport.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.springipc.transport.IpcClosedException;
import io.github.springipc.transport.IpcCorruptDataException;
import io.github.springipc.transport.IpcDelivery;
import io.github.springipc.transport.IpcException;
import io.github.springipc.transport.IpcMessage;
import io.github.springipc.transport.IpcMessageTooLargeException;
import io.github.springipc.transport.IpcTimeoutException;

/** Behaviour of one queue inside one JVM; the between-JVM behaviour is in the other queue tests. */
class IpcQueueTest {

    @TempDir
    Path dir;

    private static final QueueOptions SMALL = QueueOptions.builder().capacity(4096).maxMessageSize(1024).build();

    @Test
    void deliversAMessageWithItsHeadersOnce() throws Exception {
        try (IpcQueue producer = IpcQueue.open(this.dir, "q", SMALL); IpcQueue consumer = IpcQueue.open(this.dir, "q", SMALL)) {
            producer.send(IpcMessage.of(Map.of("k", "v"), bytes("hello")), Duration.ofSeconds(1));
            IpcDelivery delivery = consumer.receive(Duration.ofSeconds(1));
            assertThat(delivery.message().header("k")).isEqualTo("v");
            assertThat(new String(delivery.message().payload(), StandardCharsets.UTF_8)).isEqualTo("hello");
            assertThat(delivery.deliveryAttempt()).isEqualTo(1);
            delivery.acknowledge();
            assertThat(consumer.receive(Duration.ofMillis(50))).isNull();
            assertThat(producer.pendingBytes()).isZero();
        }
    }

    @Test
    void aMessageTheEncodingRefusesIsRefusedBeforeItClaimsAnythingAndTheQueueGoesOn() throws Exception {
        try (IpcQueue producer = IpcQueue.open(this.dir, "q", SMALL); IpcQueue consumer = IpcQueue.open(this.dir, "q", SMALL)) {
            Map<String, String> tooMany = new java.util.HashMap<>();
            for (int i = 0; i <= io.github.springipc.transport.IpcMessageCodec.MAX_HEADERS; i++) {
                tooMany.put("h" + i, "");
            }
            assertThatExceptionOfType(IllegalArgumentException.class)
                    .isThrownBy(() -> producer.trySend(IpcMessage.of(tooMany, bytes("x"))))
                    .withMessageContaining("at most 1024 headers");
            String longName = "n".repeat(0x10000);
            assertThatExceptionOfType(IllegalArgumentException.class)
                    .isThrownBy(() -> producer.send(IpcMessage.of(Map.of(longName, "v"), bytes("x")), Duration.ofSeconds(1)))
                    .withMessageContaining("Header name longer than 65535");
            ByteBuffer source = ByteBuffer.allocate(16);
            assertThatExceptionOfType(IndexOutOfBoundsException.class).isThrownBy(() -> producer.offer(source, 8, 16));
            assertThatExceptionOfType(IndexOutOfBoundsException.class).isThrownBy(() -> producer.offer(source, 0, -1));
            assertThat(producer.pendingBytes()).as("nothing was claimed").isZero();

            producer.send(IpcMessage.of(bytes("after")), Duration.ofSeconds(1));
            IpcDelivery delivery = consumer.receive(Duration.ofSeconds(1));
            assertThat(new String(delivery.message().payload(), StandardCharsets.UTF_8)).isEqualTo("after");
            delivery.acknowledge();
        }
    }

    @Test
    void aStampedDrainThatReturnsAfterItsAttachmentClosedLeavesTheMessagesCloseReturnedToTheirNewConsumer()
            throws Exception {
        try (IpcQueue producer = IpcQueue.open(this.dir, "q", SMALL); IpcQueue other = IpcQueue.open(this.dir, "q", SMALL)) {
            IpcQueue closing = IpcQueue.open(this.dir, "q", SMALL);
            ByteBuffer one = ByteBuffer.allocate(1);
            assertThat(producer.offer(one.put(0, (byte) 0), 0, 1)).isTrue();
            assertThat(producer.offer(one.put(0, (byte) 1), 0, 1)).isTrue();
            CountDownLatch heldIn = new CountDownLatch(1);
            CountDownLatch heldGo = new CountDownLatch(1);
            CountDownLatch stampedIn = new CountDownLatch(1);
            CountDownLatch stampedGo = new CountDownLatch(1);
            Thread held = new Thread(() -> closing.drain((buffer, offset, length) -> {
                heldIn.countDown();
                await(heldGo);
            }, 1));
            held.start();
            assertThat(heldIn.await(5, TimeUnit.SECONDS)).isTrue();
            AtomicInteger stampedGot = new AtomicInteger(-1);
            Thread stamped = new Thread(() -> closing.drain((buffer, offset, length) -> { // the held span is taken
                stampedGot.set(buffer.get(offset));
                stampedIn.countDown();
                await(stampedGo);
            }, 1));
            stamped.start();
            assertThat(stampedIn.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(stampedGot.get()).isEqualTo(1);

            Thread closer = new Thread(closing::close); // waits for the held drain only
            closer.start();
            heldGo.countDown();
            closer.join(5_000);
            assertThat(closer.isAlive()).isFalse();
            IpcDelivery redelivered = other.receive(Duration.ofSeconds(1));
            assertThat(redelivered.deliveryAttempt()).as("close returned the stamped drain's message").isEqualTo(2);

            stampedGo.countDown(); // its handler returns: its settling must not touch the message now
            stamped.join(5_000);
            assertThat(stamped.isAlive()).isFalse();
            redelivered.release();
            IpcDelivery again = other.receive(Duration.ofSeconds(1));
            assertThat(again).as("the new consumer's release took effect").isNotNull();
            assertThat(again.deliveryAttempt()).isEqualTo(3);
            assertThat(again.message().payload()).containsExactly(1);
            again.acknowledge();
            held.join(5_000);
        }
    }

    @Test
    void aDrainWhoseOwnHandlerClosesTheAttachmentLeavesTheSlotToItsNextOwner() throws Exception {
        try (IpcQueue producer = IpcQueue.open(this.dir, "q", SMALL)) {
            IpcQueue closing = IpcQueue.open(this.dir, "q", SMALL);
            assertThat(producer.offer(ByteBuffer.wrap(new byte[] { 7 }), 0, 1)).isTrue();
            assertThat(producer.offer(ByteBuffer.wrap(new byte[] { 8 }), 0, 1)).isTrue();
            IpcQueue[] next = new IpcQueue[1];
            long nextHeldFrom = 1L << 40; // stands for a held drain of the slot's next owner
            AtomicInteger calls = new AtomicInteger();
            assertThat(closing.drain((buffer, offset, length) -> {
                assertThat(calls.incrementAndGet()).as("no message after the handler closed the queue").isEqualTo(1);
                closing.close(); // returns the batch and frees the slot
                next[0] = IpcQueue.open(this.dir, "q", SMALL);
                assertThat(next[0].slot()).as("the freed slot is taken again").isEqualTo(closing.slot());
                next[0].ring().setSlotLong(next[0].slot(), QueueLayout.SLOT_HELD_FROM, nextHeldFrom);
            }, 16)).as("handled").isEqualTo(1);
            try (IpcQueue owner = next[0]) {
                assertThat(owner.ring().slotLong(owner.slot(), QueueLayout.SLOT_HELD_FROM))
                        .as("the closed drain did not settle a span in a slot that is no longer its own")
                        .isEqualTo(nextHeldFrom);
                owner.ring().setSlotLong(owner.slot(), QueueLayout.SLOT_HELD_FROM, -1L);
                for (int expected = 7; expected <= 8; expected++) {
                    IpcDelivery again = owner.receive(Duration.ofSeconds(1));
                    assertThat(again.deliveryAttempt()).as("close returned it").isEqualTo(2);
                    assertThat(again.message().payload()).containsExactly(expected);
                    again.acknowledge();
                }
            }
        }
    }

    @Test
    void aHeldDrainReleasesARecordThatALappedReclaimMarkCoversAtOnce() throws Exception {
        try (IpcQueue producer = IpcQueue.open(this.dir, "q", SMALL); IpcQueue consumer = IpcQueue.open(this.dir, "q", SMALL)) {
            assertThat(producer.offer(ByteBuffer.wrap(new byte[] { 1 }), 0, 1)).isTrue();
            long second = producer.ring().tail();
            assertThat(producer.offer(ByteBuffer.wrap(new byte[] { 2 }), 0, 1)).isTrue();
            QueueRing ring = consumer.ring();
            // a reclaimer of another process, descheduled for a lap, marked the second record
            long mark = QueueLayout.reclaiming(producer.slot(), 9, QueueLayout.available(1));
            assertThatThrownBy(() -> consumer.drain((buffer, offset, length) -> {
                assertThat(ring.casState(second, QueueLayout.available(1), mark)).isTrue();
                throw new IllegalStateException("handler failed");
            }, 16)).hasMessage("handler failed");
            assertThat(ring.state(second)).as("taken from the mark").isEqualTo(QueueLayout.available(2));
            assertThat(ring.casState(second, mark, QueueLayout.available(1))).as("the reclaimer's undo misses").isFalse();
            for (int expected = 1; expected <= 2; expected++) {
                IpcDelivery again = consumer.receive(Duration.ofSeconds(1));
                assertThat(again).as("redelivered " + expected).isNotNull();
                assertThat(again.deliveryAttempt()).isEqualTo(2);
                assertThat(again.message().payload()).containsExactly(expected);
                again.acknowledge();
            }
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(5, TimeUnit.SECONDS)) {
                throw new IllegalStateException("not released in time");
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void aBusySpinningProducerRingsTheDoorbellOfASleepingBlockingConsumer() throws Exception {
        QueueOptions spinning = SMALL.toBuilder().waitStrategy(WaitStrategy.BUSY_SPIN).build();
        try (IpcQueue producer = IpcQueue.open(this.dir, "q", spinning); IpcQueue consumer = IpcQueue.open(this.dir, "q", SMALL)) {
            java.util.concurrent.CompletableFuture<Long> received = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    IpcDelivery delivery = consumer.receive(Duration.ofSeconds(30));
                    delivery.acknowledge();
                    return System.nanoTime();
                }
                catch (InterruptedException ex) {
                    throw new IllegalStateException(ex);
                }
            });
            // asleep on its doorbell: its timer runs 1 s from now
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(1))
                    .until(() -> consumer.ring().waitersAfterClaim());
            long sent = System.nanoTime();
            producer.send(IpcMessage.of(bytes("ding")), Duration.ofSeconds(1));
            long woken = received.get(10, TimeUnit.SECONDS);
            // rung: microseconds (a loaded machine: milliseconds); not rung: the 1 s timer
            assertThat(Duration.ofNanos(woken - sent)).as("woken by the producer's ring, not its timer")
                    .isLessThan(Duration.ofMillis(500));
        }
    }

    @Test
    void anAttachmentBeyondTheSlotsFailsNamingTheSettingThatGivesMore() {
        QueueOptions oneSlot = SMALL.toBuilder().slots(1).build();
        try (IpcQueue first = IpcQueue.open(this.dir, "q", oneSlot)) {
            assertThatExceptionOfType(IpcException.class).isThrownBy(() -> IpcQueue.open(this.dir, "q", oneSlot))
                    .withMessageContaining("All 1 process slots of queue 'q'")
                    .withMessageContaining("ipc.queues.q.max-processes")
                    .withMessageContaining("QueueOptions.slots");
        }
    }

    @Test
    void aDrainThatCaughtUpWithARecordBeingWrittenMakesTheNextLookWaitButAPingPongNever() {
        try (IpcQueue producer = IpcQueue.open(this.dir, "q", SMALL); IpcQueue consumer = IpcQueue.open(this.dir, "q", SMALL)) {
            ByteBuffer message = ByteBuffer.allocateDirect(8);
            assertThat(producer.offer(message, 0, 8)).isTrue();
            assertThat(consumer.drain((buffer, offset, length) -> { }, 64)).isEqualTo(1);
            assertThat(consumer.pacer().pausesNextLook()).as("after a lone message").isFalse();

            for (int i = 0; i < 3; i++) {
                assertThat(producer.offer(message, 0, 8)).isTrue();
            }
            beginWritingARecord(producer);
            assertThat(consumer.drain((buffer, offset, length) -> { }, 64)).isEqualTo(3);
            assertThat(consumer.pacer().pausesNextLook()).as("caught up with a producer mid-record").isTrue();
        }
    }

    @Test
    void aDrainOfARedeliveredMessageDoesNotPauseTheNextLook() {
        try (IpcQueue producer = IpcQueue.open(this.dir, "q", SMALL); IpcQueue consumer = IpcQueue.open(this.dir, "q", SMALL)) {
            ByteBuffer message = ByteBuffer.allocateDirect(8);
            assertThat(producer.offer(message, 0, 8)).isTrue();
            assertThat(producer.offer(message, 0, 8)).isTrue();
            beginWritingARecord(producer);
            assertThatThrownBy(() -> consumer.drain((buffer, offset, length) -> {
                throw new IllegalStateException("handler failed");
            }, 64)).isInstanceOf(IllegalStateException.class);
            assertThat(consumer.pacer().pausesNextLook()).isTrue();

            assertThat(consumer.drain((buffer, offset, length) -> { }, 64)).isEqualTo(1); // the redelivery

            assertThat(consumer.pacer().pausesNextLook()).isFalse();
        }
    }

    @Test
    void sendsThatRaceACloseEitherArriveOnceOrThrowAndLeaveNothingHalfWritten() throws Exception {
        QueueOptions roomy = QueueOptions.builder().capacity(4 << 20).build();
        try (IpcQueue consumer = IpcQueue.open(this.dir, "q", roomy)) {
            for (int round = 0; round < 10; round++) {
                IpcQueue producer = IpcQueue.open(this.dir, "q", roomy);
                AtomicLong sent = new AtomicLong();
                CountDownLatch running = new CountDownLatch(2);
                List<Thread> senders = new ArrayList<>();
                for (int t = 0; t < 2; t++) { // the first to send owns the lock-free lane, the other takes the lock
                    senders.add(new Thread(() -> {
                        IpcMessage message = IpcMessage.of(new byte[24]);
                        try {
                            for (int i = 0;; i++) {
                                if (producer.trySend(message)) {
                                    sent.incrementAndGet();
                                }
                                if (i == 100) {
                                    running.countDown();
                                }
                            }
                        }
                        catch (IpcClosedException expected) {
                            running.countDown(); // closed before its 100th try
                        }
                    }));
                }
                senders.forEach(Thread::start);
                assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
                producer.close();
                for (Thread sender : senders) {
                    sender.join(10_000);
                    assertThat(sender.isAlive()).as("sender ended with the close").isFalse();
                }
                assertThat(sent.get()).as("sends that returned in round " + round).isPositive();
                long[] received = new long[1];
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (received[0] < sent.get() && System.nanoTime() - deadline < 0) {
                    consumer.drain((buffer, offset, length) -> received[0]++, 256);
                }
                // nothing else is left, and nothing half-written stops consumers before the next message
                consumer.send(IpcMessage.of("last".getBytes(StandardCharsets.UTF_8)), Duration.ofSeconds(1));
                IpcDelivery last = consumer.receive(Duration.ofSeconds(1));
                assertThat(received[0]).as("messages received in round " + round).isEqualTo(sent.get());
                assertThat(last).isNotNull();
                assertThat(new String(last.message().payload(), StandardCharsets.UTF_8)).isEqualTo("last");
                last.acknowledge();
            }
            assertThat(consumer.corruptRecords()).isZero();
        }
    }

    /** Claims a record through an unused slot and starts it without publishing it: a producer mid-write. */
    private static void beginWritingARecord(IpcQueue producer) {
        QueueRing ring = producer.ring();
        long position = ring.claim(new ProducerLane(SMALL.slots() - 1, 0), QueueLayout.recordSize(8));
        assertThat(position).isNotNegative();
        ring.beginWrite(position, 8, QueueLayout.TYPE_RAW);
    }

    @Test
    void smallAndLargeEnvelopesArriveIntact() throws Exception {
        // small envelopes are copied out and decoded on the heap, large ones decoded in place
        QueueOptions roomy = QueueOptions.builder().capacity(1 << 16).maxMessageSize(16 << 10).build();
        Map<String, String> headers = new java.util.LinkedHashMap<>();
        headers.put("contentType", "application/json");
        headers.put("tenant", "t-ü");
        try (IpcQueue producer = IpcQueue.open(this.dir, "q", roomy); IpcQueue consumer = IpcQueue.open(this.dir, "q", roomy)) {
            for (int size : new int[] { 0, 100, 4000, 4096, 5000, 12_000 }) {
                byte[] payload = new byte[size];
                new java.util.Random(size).nextBytes(payload);
                IpcMessage sent = IpcMessage.of(headers, payload);
                producer.send(sent, Duration.ofSeconds(1));
                IpcDelivery delivery = consumer.receive(Duration.ofSeconds(1));
                assertThat(delivery.message()).as("payload of %d bytes", size).isEqualTo(sent);
                delivery.acknowledge();
            }
        }
    }

    @Test
    void releasedMessageComesBackAtOnceWithTheNextAttempt() throws Exception {
        try (IpcQueue queue = IpcQueue.open(this.dir, "q", SMALL)) {
            queue.send(IpcMessage.of(bytes("again")), Duration.ofSeconds(1));
            queue.receive(Duration.ofSeconds(1)).release();
            IpcDelivery second = queue.receive(Duration.ofMillis(100));
            assertThat(second.deliveryAttempt()).isEqualTo(2);
            second.acknowledge();
            assertThat(queue.redeliveries()).isEqualTo(1);
        }
    }

    @Test
    void unacknowledgedMessagesOfAClosedAttachmentGoToAnother() throws Exception {
        try (IpcQueue survivor = IpcQueue.open(this.dir, "q", SMALL)) {
            IpcQueue leaving = IpcQueue.open(this.dir, "q", SMALL);
            leaving.send(IpcMessage.of(bytes("held")), Duration.ofSeconds(1));
            assertThat(leaving.receive(Duration.ofSeconds(1))).isNotNull();
            leaving.close();
            IpcDelivery delivery = survivor.receive(Duration.ofSeconds(1));
            assertThat(new String(delivery.message().payload(), StandardCharsets.UTF_8)).isEqualTo("held");
            assertThat(delivery.deliveryAttempt()).isEqualTo(2);
            delivery.acknowledge();
        }
    }

    @Test
    void wrapsAroundTheRingManyTimesInOrder() throws Exception {
        try (IpcQueue queue = IpcQueue.open(this.dir, "q", SMALL)) {
            for (int i = 0; i < 2_000; i++) {
                queue.send(IpcMessage.of(bytes("m" + i + "-" + "x".repeat(i % 300))), Duration.ofSeconds(1));
                IpcDelivery delivery = queue.receive(Duration.ofSeconds(1));
                assertThat(new String(delivery.message().payload(), StandardCharsets.UTF_8)).startsWith("m" + i + "-");
                delivery.acknowledge();
            }
            queue.housekeeping(); // acknowledged space is reclaimed in spans: when due, when idle, or here
            assertThat(queue.pendingBytes()).isZero();
        }
    }

    @Test
    void fullQueueRefusesTrySendAndTimesOutSend() {
        try (IpcQueue queue = IpcQueue.open(this.dir, "q", SMALL)) {
            int sent = 0;
            while (queue.trySend(IpcMessage.of(new byte[100]))) {
                sent++;
            }
            assertThat(sent).isBetween(20, 4096 / 112);
            long start = System.nanoTime();
            assertThatThrownBy(() -> queue.send(IpcMessage.of(new byte[100]), Duration.ofMillis(200)))
                    .isInstanceOf(IpcTimeoutException.class).hasMessageContaining("ipc.queues.q.capacity");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(190), Duration.ofSeconds(3));
            assertThat(queue.tryWrite(ByteBuffer.allocate(8))).isFalse();
        }
    }

    @Test
    void aFullQueueTakesNewMessagesOnceAnEighthOfItIsSettledNotRecordByRecord() {
        try (IpcQueue queue = IpcQueue.open(this.dir, "q", SMALL)) { // 4096 bytes: spans of 512
            ByteBuffer message = ByteBuffer.allocateDirect(48); // 64-byte records
            int written = 0;
            while (queue.tryWrite(message.clear())) {
                written++;
            }
            assertThat(written).isEqualTo(4096 / 64);
            RawMessageHandler ignore = (buffer, offset, length) -> {
            };
            assertThat(queue.drain(ignore, 2)).isEqualTo(2);
            long head = queue.ring().head();

            assertThat(queue.tryWrite(message.clear())).as("room freed record by record").isFalse();
            assertThat(queue.ring().head()).isEqualTo(head);
            assertThat(queue.drain(ignore, 6)).isEqualTo(6); // 8 x 64 = 512 bytes settled
            assertThat(queue.tryWrite(message.clear())).isTrue();
            assertThat(queue.ring().head()).isEqualTo(head + 512);
        }
    }

    @Test
    void oversizeMessageIsRefusedAtSend() {
        try (IpcQueue queue = IpcQueue.open(this.dir, "q", SMALL)) {
            assertThatThrownBy(() -> queue.send(IpcMessage.of(new byte[2000]), Duration.ofSeconds(1)))
                    .isInstanceOf(IpcMessageTooLargeException.class).hasMessageContaining("max-message-size=1024");
            assertThatThrownBy(() -> queue.tryWrite(ByteBuffer.allocate(1025)))
                    .isInstanceOf(IpcMessageTooLargeException.class);
            assertThat(queue.pendingBytes()).isZero();
        }
    }

    @Test
    void fileThatIsNotAQueueIsRefusedWithItsName() throws Exception {
        Path file = this.dir.resolve("bad.queue");
        Files.write(file, new byte[8192]);
        assertThatThrownBy(() -> IpcQueue.open(this.dir, "bad", SMALL)).isInstanceOf(IpcCorruptDataException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("not an IPC queue");
    }

    @Test
    void queueWithAnotherCapacityIsRefusedNamingTheSetting() {
        IpcQueue.open(this.dir, "q", SMALL).close();
        assertThatThrownBy(() -> IpcQueue.open(this.dir, "q", QueueOptions.builder().capacity(8192).build()))
                .isInstanceOf(IpcCorruptDataException.class).hasMessageContaining("ipc.queues.q.capacity is 8192");
    }

    @Test
    void corruptRecordIsAClearCountedErrorEveryTimeNotAHang() throws Exception {
        try (IpcQueue queue = IpcQueue.open(this.dir, "q", SMALL)) {
            queue.send(IpcMessage.of(bytes("fine")), Duration.ofSeconds(1));
        }
        try (FileChannel file = FileChannel.open(this.dir.resolve("q.queue"), StandardOpenOption.WRITE)) {
            ByteBuffer garbage = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0x7777_0000_0010L).flip();
            file.write(garbage, QueueLayout.ringOffset(SMALL.slots()));
        }
        try (IpcQueue queue = IpcQueue.open(this.dir, "q", SMALL)) {
            for (int i = 0; i < 3; i++) {
                assertThatThrownBy(() -> queue.receive(Duration.ofMillis(100))).isInstanceOf(IpcCorruptDataException.class)
                        .hasMessageContaining("corrupt record at position 0");
            }
            assertThat(queue.corruptRecords()).isEqualTo(3);
        }
    }

    @Test
    void rawRecordsRoundTripInPlaceAndInBatches() {
        try (IpcQueue queue = IpcQueue.open(this.dir, "q", SMALL)) {
            ByteBuffer message = ByteBuffer.allocateDirect(64).order(ByteOrder.LITTLE_ENDIAN);
            for (long i = 0; i < 10; i++) {
                message.clear();
                message.putLong(0, i);
                assertThat(queue.tryWrite(message)).isTrue();
                assertThat(message.remaining()).isZero();
            }
            List<Long> seen = new ArrayList<>();
            int handled = queue.drain((buffer, offset, length) -> {
                assertThat(length).isEqualTo(64);
                seen.add(buffer.getLong(offset));
            }, 100);
            assertThat(handled).isEqualTo(10);
            assertThat(seen).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
            assertThat(queue.pendingBytes()).isZero();
        }
    }

    @Test
    void handlerFailureAcknowledgesTheHandledAndReleasesTheRest() {
        try (IpcQueue queue = IpcQueue.open(this.dir, "q", SMALL)) {
            for (int i = 0; i < 3; i++) {
                queue.offer(ByteBuffer.wrap(new byte[] { (byte) i }), 0, 1);
            }
            assertThatThrownBy(() -> queue.drain((buffer, offset, length) -> {
                if (buffer.get(offset) == 1) {
                    throw new IllegalStateException("boom");
                }
            }, 10)).hasMessage("boom");
            List<Byte> again = new ArrayList<>();
            while (queue.drain((buffer, offset, length) -> again.add(buffer.get(offset)), 10) > 0) {
                // drains the two released records, one redelivery per call
            }
            assertThat(again).containsExactlyInAnyOrder((byte) 1, (byte) 2);
        }
    }

    @Test
    void rawPathsAllocateNothingPerMessage() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (IpcQueue queue = IpcQueue.open(this.dir, "q", QueueOptions.builder().capacity(1 << 16).build())) {
            ByteBuffer message = ByteBuffer.allocateDirect(64);
            long[] sum = new long[1];
            RawMessageHandler handler = (buffer, offset, length) -> sum[0] += buffer.get(offset);
            Runnable round = () -> {
                for (int i = 0; i < 100; i++) {
                    queue.offer(message, 0, 64);
                }
                while (queue.drain(handler, 256) > 0) {
                    // drains
                }
            };
            for (int i = 0; i < 2_000; i++) {
                round.run(); // warm up: JIT, thread-local batch array
            }
            long before = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
            for (int i = 0; i < 1_000; i++) {
                round.run();
            }
            long allocated = threads.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
            assertThat(allocated).as("bytes allocated for 100 000 raw messages").isLessThan(20_000);
        }
    }

    @Test
    void busySpinConsumerReceivesWhatAnotherThreadSends() throws Exception {
        QueueOptions spin = QueueOptions.builder().capacity(4096).waitStrategy(WaitStrategy.BUSY_SPIN).build();
        try (IpcQueue producer = IpcQueue.open(this.dir, "q", spin); IpcQueue consumer = IpcQueue.open(this.dir, "q", spin)) {
            Thread sender = new Thread(() -> {
                for (int i = 0; i < 100; i++) {
                    producer.send(IpcMessage.of(new byte[] { (byte) i }), Duration.ofSeconds(1));
                }
            });
            sender.start();
            for (int i = 0; i < 100; i++) {
                IpcDelivery delivery = consumer.receive(Duration.ofSeconds(2));
                assertThat(delivery.message().payload()).containsExactly((byte) i);
                delivery.acknowledge();
            }
            sender.join(2_000);
            assertThat(this.dir.resolve("q.queue.bell-1.sock")).as("busy-spin binds no doorbell").doesNotExist();
        }
    }

    @Test
    void blockingConsumerSleepsOnItsDoorbellAndWakesForAnotherThreadsSend() throws Exception {
        // a long liveness interval: without the doorbell the consumer would sleep the whole 5 s
        QueueOptions slowChecks = SMALL.toBuilder().livenessInterval(Duration.ofSeconds(10)).build();
        try (IpcQueue producer = IpcQueue.open(this.dir, "q", slowChecks);
                IpcQueue consumer = IpcQueue.open(this.dir, "q", slowChecks)) {
            assertThat(consumer.receive(Duration.ofMillis(20))).isNull(); // binds the doorbell
            assertThat(this.dir.resolve("q.queue.bell-" + consumer.slot() + ".sock")).exists();
            Thread sender = new Thread(() -> {
                try {
                    Thread.sleep(200);
                }
                catch (InterruptedException ex) {
                    return;
                }
                producer.send(IpcMessage.of(bytes("late")), Duration.ofSeconds(1));
            });
            long start = System.nanoTime();
            sender.start();
            IpcDelivery delivery = consumer.receive(Duration.ofSeconds(5));
            assertThat(new String(delivery.message().payload(), StandardCharsets.UTF_8)).isEqualTo("late");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
            delivery.acknowledge();
            sender.join(2_000);
        }
        assertThat(this.dir.resolve("q.queue.bell-1.sock")).as("doorbell removed on close").doesNotExist();
    }

    @Test
    void consumerWithNothingInFlightSleepsThroughLivenessIntervals() throws Exception {
        // a short liveness interval: a consumer that woke for every check would wake ~120 times
        QueueOptions quickChecks = SMALL.toBuilder().livenessInterval(Duration.ofMillis(10)).build();
        try (IpcQueue consumer = IpcQueue.open(this.dir, "q", quickChecks)) {
            assertThat(consumer.receive(Duration.ofMillis(20))).isNull(); // binds the doorbell
            long wakeupsBefore = consumer.doorbellWakeups();
            long start = System.nanoTime();
            assertThat(consumer.receive(Duration.ofMillis(1200))).isNull();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(1200));
            assertThat(consumer.doorbellWakeups() - wakeupsBefore).as("doorbell wake-ups while idle").isBetween(1L, 4L);
        }
    }

    @Test
    void consumerWaitingWhileAnotherHoldsAMessageWakesEveryLivenessInterval() throws Exception {
        // the holder could die: its message must come back within a liveness interval
        QueueOptions quickChecks = SMALL.toBuilder().livenessInterval(Duration.ofMillis(10)).build();
        try (IpcQueue holder = IpcQueue.open(this.dir, "q", quickChecks);
                IpcQueue waiter = IpcQueue.open(this.dir, "q", quickChecks)) {
            holder.send(IpcMessage.of(bytes("held")), Duration.ofSeconds(1));
            IpcDelivery held = holder.receive(Duration.ofSeconds(1));
            assertThat(waiter.receive(Duration.ofMillis(20))).isNull(); // binds the doorbell
            long wakeupsBefore = waiter.doorbellWakeups();
            assertThat(waiter.receive(Duration.ofMillis(500))).isNull();
            assertThat(waiter.doorbellWakeups() - wakeupsBefore).as("doorbell wake-ups").isGreaterThanOrEqualTo(10L);
            held.acknowledge();
        }
    }

    @Test
    void threadsSharingOneAttachmentEachGetDistinctMessages() throws Exception {
        QueueOptions options = QueueOptions.builder().capacity(1 << 14).build();
        int perSender = 5_000;
        try (IpcQueue queue = IpcQueue.open(this.dir, "q", options)) {
            Set<Integer> seen = ConcurrentHashMap.newKeySet();
            AtomicInteger duplicates = new AtomicInteger();
            List<Thread> threads = new ArrayList<>();
            for (int s = 0; s < 2; s++) {
                int sender = s;
                threads.add(new Thread(() -> {
                    for (int i = 0; i < perSender; i++) {
                        queue.send(IpcMessage.of(ByteBuffer.allocate(4).putInt(sender * perSender + i).array()),
                                Duration.ofSeconds(5));
                    }
                }));
            }
            for (int r = 0; r < 3; r++) {
                threads.add(new Thread(() -> {
                    try {
                        IpcDelivery delivery;
                        while ((delivery = queue.receive(Duration.ofMillis(500))) != null) {
                            if (!seen.add(ByteBuffer.wrap(delivery.message().payload()).getInt())) {
                                duplicates.incrementAndGet();
                            }
                            delivery.acknowledge();
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
            assertThat(seen).hasSize(2 * perSender);
        }
    }

    @Test
    void batchOfRawMessagesIsAppendedWithOneClaimAndArrivesInOrder() {
        try (IpcQueue queue = IpcQueue.open(this.dir, "q", SMALL)) {
            ByteBuffer[] batch = new ByteBuffer[5];
            for (int i = 0; i < batch.length; i++) {
                batch[i] = ByteBuffer.wrap(bytes("m" + i + "x".repeat(i * 7)));
            }
            assertThat(queue.tryWrite(batch, 0, 5)).isEqualTo(5);
            assertThat(batch).allSatisfy(message -> assertThat(message.hasRemaining()).isFalse());
            List<String> seen = new ArrayList<>();
            queue.drain((buffer, offset, length) -> {
                byte[] copy = new byte[length];
                buffer.get(offset, copy);
                seen.add(new String(copy, StandardCharsets.UTF_8));
            }, 100);
            assertThat(seen).containsExactly("m0", "m1xxxxxxx", "m2" + "x".repeat(14), "m3" + "x".repeat(21),
                    "m4" + "x".repeat(28));
            queue.housekeeping(); // reclaims what is settled
            assertThat(queue.pendingBytes()).isZero();
        }
    }

    @Test
    void batchAppendsTheLongestPrefixThatFitsAndAdvancesOnlyThosePositions() {
        try (IpcQueue queue = IpcQueue.open(this.dir, "q", SMALL)) {
            ByteBuffer[] batch = new ByteBuffer[100];
            for (int i = 0; i < batch.length; i++) {
                batch[i] = ByteBuffer.allocate(48); // 64-byte records: 64 fit in 4 KiB
            }
            int total = 0;
            int appended;
            while ((appended = queue.tryWrite(batch, total, batch.length - total)) > 0) {
                total += appended;
            }
            assertThat(total).isEqualTo(64);
            assertThat(batch[total - 1].hasRemaining()).isFalse();
            assertThat(batch[total].remaining()).as("not appended: position unchanged").isEqualTo(48);
            int drained = 0;
            int n;
            while ((n = queue.drain((buffer, offset, length) -> { }, 1000)) > 0) {
                drained += n;
            }
            assertThat(drained).isEqualTo(64);
            assertThat(queue.tryWrite(batch, total, batch.length - total)).as("room again after the drain").isPositive();
        }
    }

    @Test
    void oversizeMessageInABatchIsRefusedAndNothingIsAppended() {
        try (IpcQueue queue = IpcQueue.open(this.dir, "q", SMALL)) {
            ByteBuffer[] batch = { ByteBuffer.allocate(10), ByteBuffer.allocate(2000) };
            assertThatThrownBy(() -> queue.tryWrite(batch, 0, 2)).isInstanceOf(IpcMessageTooLargeException.class)
                    .hasMessageContaining("max-message-size");
            assertThat(queue.pendingBytes()).isZero();
            assertThat(batch[0].remaining()).isEqualTo(10);
        }
    }

    @Test
    void threadsDrainingOneAttachmentEachGetDistinctMessages() throws Exception {
        int messages = 20_000;
        try (IpcQueue queue = IpcQueue.open(this.dir, "q", QueueOptions.builder().capacity(1 << 14).build())) {
            Set<Integer> seen = ConcurrentHashMap.newKeySet();
            AtomicInteger duplicates = new AtomicInteger();
            Thread producer = new Thread(() -> {
                ByteBuffer message = ByteBuffer.allocate(4);
                for (int i = 0; i < messages; i++) {
                    message.clear();
                    message.putInt(0, i);
                    queue.write(message, Duration.ofSeconds(10));
                }
            });
            List<Thread> drainers = new ArrayList<>();
            for (int d = 0; d < 3; d++) {
                drainers.add(new Thread(() -> {
                    long idleSince = System.nanoTime();
                    while (System.nanoTime() - idleSince < 500_000_000L) {
                        if (queue.drain((buffer, offset, length) -> {
                            if (!seen.add(buffer.getInt(offset))) {
                                duplicates.incrementAndGet();
                            }
                        }, 16) > 0) {
                            idleSince = System.nanoTime();
                        }
                        else {
                            Thread.yield();
                        }
                    }
                }));
            }
            producer.start();
            drainers.forEach(Thread::start);
            producer.join(30_000);
            for (Thread drainer : drainers) {
                drainer.join(30_000);
            }
            assertThat(duplicates).hasValue(0);
            assertThat(seen).hasSize(messages);
            assertThat(queue.pendingBytes()).isZero();
        }
    }

    @Test
    void ringFullOfUnsettledDeliveriesHasNothingToClaimAndIsNotCorrupt() {
        try (IpcQueue queue = IpcQueue.open(this.dir, "q", SMALL)) {
            ByteBuffer message = ByteBuffer.allocate(48); // 64-byte records: 64 fill the 4 KiB ring
            while (queue.offer(message, 0, 48)) {
                // fills the ring
            }
            List<IpcDelivery> held = new ArrayList<>();
            IpcDelivery delivery;
            while ((delivery = queue.poll()) != null) {
                held.add(delivery);
            }
            assertThat(held).hasSize(64);
            assertThat(queue.poll()).isNull();
            assertThat(queue.drain((buffer, offset, length) -> { }, 10)).isZero();
            held.forEach(IpcDelivery::acknowledge);
            assertThat(queue.offer(message, 0, 48)).as("room again once settled").isTrue();
            assertThat(queue.corruptRecords()).isZero();
        }
    }

    @Test
    void closeWaitsForADrainHandlerOfAnotherThreadWhichSettlesItsBatch() throws Exception {
        CountDownLatch inHandler = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        IpcQueue queue = IpcQueue.open(this.dir, "q", SMALL);
        queue.offer(ByteBuffer.wrap(bytes("once")), 0, 4);
        Thread drainer = new Thread(() -> queue.drain((buffer, offset, length) -> {
            inHandler.countDown();
            try {
                finish.await();
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        }, 10));
        drainer.start();
        assertThat(inHandler.await(5, TimeUnit.SECONDS)).isTrue();
        Thread closer = new Thread(queue::close);
        closer.start();
        closer.join(200);
        assertThat(closer.isAlive()).as("close waits for the handler").isTrue();
        finish.countDown();
        closer.join(5_000);
        drainer.join(5_000);
        assertThat(closer.isAlive()).isFalse();
        try (IpcQueue again = IpcQueue.open(this.dir, "q", SMALL)) {
            assertThat(again.receive(Duration.ofMillis(100))).as("handled before the close: not delivered again").isNull();
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}

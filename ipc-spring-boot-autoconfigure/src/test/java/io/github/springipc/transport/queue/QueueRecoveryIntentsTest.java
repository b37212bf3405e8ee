package io.github.springipc.transport.queue;

import static io.github.springipc.transport.queue.QueueLayout.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.springipc.transport.IpcDelivery;

/**
 * How recovery pads a dead producer's claim when the intents of both lanes of its slot name
 * the same position with different sizes: one lane won the tail CAS there, the other lost it
 * and died before retrying. The dead slot is written into the file by hand (the exact moment
 * is a few instructions wide; {@code QueueCrashRecoveryTest} kills real producers), and padding
 * with the loser's size would either hide the next message or stop consumers at a hole.
 */
class QueueRecoveryIntentsTest {

    private static final QueueOptions OPTIONS = QueueOptions.builder().capacity(8192).build();

    private static final int DEAD_SLOT = 1;

    @TempDir
    Path dir;

    @Test
    void theWinnersWrittenHeaderGivesTheSize() throws Exception {
        try (IpcQueue queue = IpcQueue.open(this.dir, "q", OPTIONS)) {
            QueueRing ring = queue.ring();
            deadSlotWithIntents(ring, 0, 32, 64);
            claimTail(ring, 0, 64);
            ring.beginWrite(0, 64 - RECORD_HEADER_LENGTH, TYPE_RAW); // lane 1 won and wrote its header

            queue.write(raw("after"), Duration.ofSeconds(1)); // a 32-byte record
            queue.housekeeping();

            assertReceived(queue, "after");
        }
    }

    @Test
    void theSizeThatEndsAtTheTailWinsWhenNoHeaderIsWritten() throws Exception {
        try (IpcQueue queue = IpcQueue.open(this.dir, "q", OPTIONS)) {
            QueueRing ring = queue.ring();
            deadSlotWithIntents(ring, 0, 96, 48);
            claimTail(ring, 0, 48); // lane 1 won; lane 0's larger claim would swallow the next message

            queue.housekeeping();
            queue.write(raw("after"), Duration.ofSeconds(1)); // a 32-byte record

            assertReceived(queue, "after");
        }
    }

    @Test
    void theSizeAfterWhichARecordFollowsWinsWhenNeitherHeaderNorTailTells() throws Exception {
        try (IpcQueue queue = IpcQueue.open(this.dir, "q", OPTIONS)) {
            QueueRing ring = queue.ring();
            deadSlotWithIntents(ring, 0, 80, 32);
            claimTail(ring, 0, 32); // lane 1 won; lane 0's claim would end inside the next record

            queue.write(raw("after"), Duration.ofSeconds(1)); // a 32-byte record
            queue.housekeeping();

            assertReceived(queue, "after");
        }
    }

    @Test
    void aLiveProducersIntentMarksTheWinnersEndBeforeItsHeaderIsWritten() throws Exception {
        try (IpcQueue queue = IpcQueue.open(this.dir, "q", OPTIONS)) {
            QueueRing ring = queue.ring();
            deadSlotWithIntents(ring, 0, 80, 32);
            claimTail(ring, 0, 32); // lane 1 won
            // a live producer (this attachment's lane 0) claimed the next 32 bytes and is not yet
            // writing them; a message follows it, so lane 0's 80 bytes would end at a record too
            ProducerLane live = new ProducerLane(0, 0);
            long middle = ring.claim(live, 32);
            assertThat(middle).isEqualTo(32);
            queue.write(raw("after"), Duration.ofSeconds(1));

            queue.housekeeping();
            assertThat(ring.slotLong(DEAD_SLOT, SLOT_PID)).as("recovered without waiting for the live producer").isZero();
            ring.beginWrite(middle, 6, TYPE_RAW);
            ring.writePayload(middle, raw("middle"), 0, 6);
            ring.publish(middle);

            assertReceived(queue, "middle", "after");
        }
    }

    /** Slot {@link #DEAD_SLOT} as a process that died with both lanes' intents at {@code position}. */
    private static void deadSlotWithIntents(QueueRing ring, long position, long lane0Size, long lane1Size)
            throws Exception {
        ring.setSlotLong(DEAD_SLOT, SLOT_EPOCH, 1);
        ring.setSlotLong(DEAD_SLOT, SLOT_START, 1);
        ring.setSlotLong(DEAD_SLOT, intentLengthField(0), lane0Size);
        ring.setSlotLong(DEAD_SLOT, intentPositionField(0), position);
        ring.setSlotLong(DEAD_SLOT, intentLengthField(1), lane1Size);
        ring.setSlotLong(DEAD_SLOT, intentPositionField(1), position);
        ring.setSlotLong(DEAD_SLOT, SLOT_PID, deadPid());
    }

    /** The tail CAS of the lane that won. */
    private static void claimTail(QueueRing ring, long position, int size) {
        assertThat(QueueRing.LONG.compareAndSet(ring.buffer, TAIL_OFFSET, position, position + size)).isTrue();
    }

    private static long deadPid() throws Exception {
        Process process = new ProcessBuilder("true").start();
        assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
        return process.pid();
    }

    private static void assertReceived(IpcQueue queue, String... texts) throws Exception {
        for (String text : texts) {
            IpcDelivery delivery = queue.receive(Duration.ofSeconds(1));
            assertThat(delivery).as("message '" + text + "' after the dead claim").isNotNull();
            assertThat(new String(delivery.message().payload(), StandardCharsets.UTF_8)).isEqualTo(text);
            delivery.acknowledge();
        }
        assertThat(queue.receive(Duration.ofMillis(50))).isNull();
        assertThat(queue.corruptRecords()).isZero();
        assertThat(queue.ring().slotLong(DEAD_SLOT, SLOT_PID)).as("dead slot freed").isZero();
    }

    private static ByteBuffer raw(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    }
}

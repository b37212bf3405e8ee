package io.github.springipc.transport.queue;

import static io.github.springipc.transport.queue.QueueLayout.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
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

    private IpcQueue queue;

    private QueueRing ring;

    @BeforeEach
    void openQueue() {
        this.queue = IpcQueue.open(this.dir, "q", OPTIONS);
        this.ring = this.queue.ring();
    }

    @AfterEach
    void closeQueue() {
        this.queue.close();
    }

    @Test
    void theWinnersWrittenHeaderGivesTheSize() throws Exception {
        deadSlotWithIntentsAt0(32, 64, 64);
        this.ring.beginWrite(0, 64 - RECORD_HEADER_LENGTH, TYPE_RAW); // lane 1 won and wrote its header

        this.queue.write(raw("after"), Duration.ofSeconds(1)); // a 32-byte record
        this.queue.housekeeping();

        assertReceived("after");
    }

    @Test
    void theSizeThatEndsAtTheTailWinsWhenNoHeaderIsWritten() throws Exception {
        deadSlotWithIntentsAt0(96, 48, 48); // lane 1 won; lane 0's larger claim would swallow the next message

        this.queue.housekeeping();
        this.queue.write(raw("after"), Duration.ofSeconds(1)); // a 32-byte record

        assertReceived("after");
    }

    @Test
    void theSizeAfterWhichARecordFollowsWinsWhenNeitherHeaderNorTailTells() throws Exception {
        deadSlotWithIntentsAt0(80, 32, 32); // lane 1 won; lane 0's claim would end inside the next record

        this.queue.write(raw("after"), Duration.ofSeconds(1)); // a 32-byte record
        this.queue.housekeeping();

        assertReceived("after");
    }

    @Test
    void aLiveProducersIntentMarksTheWinnersEndBeforeItsHeaderIsWritten() throws Exception {
        deadSlotWithIntentsAt0(80, 32, 32); // lane 1 won
        // a live producer (this attachment's lane 0) claimed the next 32 bytes and is not yet
        // writing them; a message follows it, so lane 0's 80 bytes would end at a record too
        ProducerLane live = new ProducerLane(0, 0);
        long middle = this.ring.claim(live, 32);
        assertThat(middle).isEqualTo(32);
        this.queue.write(raw("after"), Duration.ofSeconds(1));

        this.queue.housekeeping();
        assertThat(this.ring.slotLong(DEAD_SLOT, SLOT_PID)).as("recovered without waiting for the live producer").isZero();
        this.ring.beginWrite(middle, 6, TYPE_RAW);
        this.ring.writePayload(middle, raw("middle"), 0, 6);
        this.ring.publish(middle);

        assertReceived("middle", "after");
    }

    /**
     * Slot {@link #DEAD_SLOT} as a process that died with both lanes' intents at position 0, one
     * lane's tail CAS having won {@code won} bytes there.
     */
    private void deadSlotWithIntentsAt0(long lane0Size, long lane1Size, int won) throws Exception {
        this.ring.setSlotLong(DEAD_SLOT, SLOT_EPOCH, 1);
        this.ring.setSlotLong(DEAD_SLOT, SLOT_START, 1);
        this.ring.setSlotLong(DEAD_SLOT, intentLengthField(0), lane0Size);
        this.ring.setSlotLong(DEAD_SLOT, intentPositionField(0), 0);
        this.ring.setSlotLong(DEAD_SLOT, intentLengthField(1), lane1Size);
        this.ring.setSlotLong(DEAD_SLOT, intentPositionField(1), 0);
        this.ring.setSlotLong(DEAD_SLOT, SLOT_PID, deadPid());
        assertThat(QueueRing.LONG.compareAndSet(this.ring.buffer, TAIL_OFFSET, 0L, (long) won)).isTrue();
    }

    private static long deadPid() throws Exception {
        Process process = new ProcessBuilder("true").start();
        assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
        return process.pid();
    }

    private void assertReceived(String... texts) throws Exception {
        for (String text : texts) {
            IpcDelivery delivery = this.queue.receive(Duration.ofSeconds(1));
            assertThat(delivery).as("message '" + text + "' after the dead claim").isNotNull();
            assertThat(new String(delivery.message().payload(), StandardCharsets.UTF_8)).isEqualTo(text);
            delivery.acknowledge();
        }
        assertThat(this.queue.receive(Duration.ofMillis(50))).isNull();
        assertThat(this.queue.corruptRecords()).isZero();
        assertThat(this.ring.slotLong(DEAD_SLOT, SLOT_PID)).as("dead slot freed").isZero();
    }

    private static ByteBuffer raw(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    }
}

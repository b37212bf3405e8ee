package io.github.springipc.transport.queue;

import static io.github.springipc.transport.queue.QueueLayout.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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
 * How recovery undoes the mark of a reclaimer that was descheduled for a whole lap of the ring
 * between reading the head record's state and its CAS, so that the CAS landed on a record of a
 * later lap at the same offset (or on 8 payload bytes that held the same value), and that died
 * before it could put the state back. The dead reclaimer is written into the file by hand: the
 * moment is a few instructions wide ({@code QueueCrashRecoveryTest} kills real reclaimers at
 * the head record).
 */
class QueueRecoveryReclaimMarksTest {

    private static final QueueOptions OPTIONS = QueueOptions.builder().capacity(8192).build();

    private static final int DEAD_SLOT = 1;

    private static final int DEAD_EPOCH = 7;

    @TempDir
    Path dir;

    private IpcQueue queue;

    private QueueRing ring;

    @BeforeEach
    void openQueueAndGoOnceAroundTheRing() throws Exception {
        this.queue = IpcQueue.open(this.dir, "q", OPTIONS);
        this.ring = this.queue.ring();
        for (int i = 0; i < 400; i++) { // 400 records of 32 bytes: past the first lap
            this.queue.write(raw("lap-" + i), Duration.ofSeconds(1));
            this.queue.receive(Duration.ofSeconds(1)).acknowledge();
        }
        this.queue.housekeeping();
        assertThat(this.ring.head()).isGreaterThan(OPTIONS.capacity());
    }

    @AfterEach
    void closeQueue() {
        this.queue.close();
    }

    @Test
    void aLappedMarkOnAMessageNotYetDeliveredIsPutBackAndTheMessageArrives() throws Exception {
        this.queue.write(raw("first"), Duration.ofSeconds(1)); // the marked record is not at the head
        long position = this.ring.tail();
        this.queue.write(raw("victim"), Duration.ofSeconds(1));
        long state = this.ring.state(position);
        assertThat(state).isEqualTo(available(1));
        // the dead reclaimer announced the head of a lap before and marked this record
        deadReclaimerAnnouncing(position - OPTIONS.capacity());
        assertThat(this.ring.casState(position, state, reclaiming(DEAD_SLOT, DEAD_EPOCH, state))).isTrue();

        this.queue.housekeeping();

        IpcDelivery first = this.queue.receive(Duration.ofSeconds(1));
        assertThat(text(first)).isEqualTo("first");
        first.acknowledge();
        IpcDelivery delivery = this.queue.receive(Duration.ofSeconds(1));
        assertThat(delivery).as("the marked message").isNotNull();
        assertThat(text(delivery)).isEqualTo("victim");
        assertThat(delivery.deliveryAttempt()).isEqualTo(1);
        delivery.acknowledge();
        assertThat(this.ring.slotLong(DEAD_SLOT, SLOT_PID)).as("dead slot freed").isZero();
        assertThat(this.queue.corruptRecords()).isZero();
    }

    @Test
    void aLappedMarkOnPayloadBytesThatLookedLikeASettledStateIsPutBack() throws Exception {
        long position = this.ring.tail();
        ByteBuffer payload = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
        payload.putLong(0, 11).putLong(8, available(1)).putLong(16, 13).putLong(24, 14);
        this.queue.write(payload.duplicate(), Duration.ofSeconds(1));
        // the reclaimer's stale head had its state word where this record's payload word 1 is
        long announced = position + RECORD_HEADER_LENGTH - OPTIONS.capacity();
        deadReclaimerAnnouncing(announced);
        assertThat(this.ring.casState(announced, available(1), reclaiming(DEAD_SLOT, DEAD_EPOCH, available(1)))).isTrue();

        this.queue.housekeeping();

        IpcDelivery delivery = this.queue.receive(Duration.ofSeconds(1));
        assertThat(delivery.message().payload()).as("the payload as it was sent").isEqualTo(payload.array());
        delivery.acknowledge();
        assertThat(this.ring.slotLong(DEAD_SLOT, SLOT_PID)).as("dead slot freed").isZero();
    }

    @Test
    void aMarkOfAnotherProcessIsLeftAlone() throws Exception {
        long position = this.ring.tail();
        this.queue.write(raw("theirs"), Duration.ofSeconds(1));
        deadReclaimerAnnouncing(position - OPTIONS.capacity());
        long othersMark = reclaiming(DEAD_SLOT + 1, DEAD_EPOCH, available(1));
        assertThat(this.ring.casState(position, available(1), othersMark)).isTrue();

        this.queue.housekeeping();

        assertThat(this.ring.state(position)).as("not the dead slot's mark: not touched").isEqualTo(othersMark);
        assertThat(this.ring.slotLong(DEAD_SLOT, SLOT_PID)).as("dead slot freed").isZero();
        this.ring.casState(position, othersMark, available(1)); // what its own reclaimer does
    }

    /** Slot {@link #DEAD_SLOT} as a process that died after announcing a reclaim at {@code from}. */
    private void deadReclaimerAnnouncing(long from) throws Exception {
        this.ring.setSlotLong(DEAD_SLOT, SLOT_EPOCH, DEAD_EPOCH);
        this.ring.setSlotLong(DEAD_SLOT, SLOT_START, 1);
        this.ring.setSlotLong(DEAD_SLOT, intentPositionField(0), -1);
        this.ring.setSlotLong(DEAD_SLOT, intentPositionField(1), -1);
        this.ring.setSlotLong(DEAD_SLOT, SLOT_CLAIM_FROM, -1);
        this.ring.setSlotLong(DEAD_SLOT, SLOT_HELD_FROM, -1);
        this.ring.setSlotLong(DEAD_SLOT, SLOT_RECLAIM_TO, -1);
        this.ring.setSlotLong(DEAD_SLOT, SLOT_RECLAIM_FROM, from);
        this.ring.setSlotLong(DEAD_SLOT, SLOT_PID, deadPid());
    }

    private static long deadPid() throws Exception {
        Process process = new ProcessBuilder("true").start();
        assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
        return process.pid();
    }

    private static ByteBuffer raw(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String text(IpcDelivery delivery) {
        return new String(delivery.message().payload(), StandardCharsets.UTF_8);
    }
}

package io.github.springipc.transport.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;

import org.junit.jupiter.api.Test;

/**
 * How a consumer's claim walk says where it stopped, which decides whether the next drain first
 * lets a producer that is writing get ahead (see {@code IpcQueue.drain}).
 */
class QueueRingWalkStopTests {

    private static final int SLOTS = 2;

    private static final int CAPACITY = 4096;

    private final QueueRing ring = new QueueRing(ByteBuffer.allocateDirect((int) QueueLayout.fileSize(SLOTS, CAPACITY)),
            CAPACITY, SLOTS, "test ring");

    private final ProducerLane lane = new ProducerLane(0, 0);

    private final long[] batch = new long[64];

    @Test
    void aWalkThatEndsAtMemoryNoProducerClaimedSaysSo() {
        publishRecords(3);

        assertThat(this.ring.claimBatch(1, 1, this.batch, 64, true)).isEqualTo(3);
        assertThat(this.ring.walkStop).isEqualTo(QueueRing.STOP_AT_UNWRITTEN);
    }

    @Test
    void aWalkThatEndsAtARecordBeingWrittenSaysAProducerIsThere() {
        publishRecords(3);
        long writing = this.ring.claim(this.lane, QueueLayout.recordSize(8));
        this.ring.beginWrite(writing, 8, QueueLayout.TYPE_RAW); // claimed and started, not yet published

        assertThat(this.ring.claimBatch(1, 1, this.batch, 64, true)).isEqualTo(3);
        assertThat(this.ring.walkStop).isEqualTo(QueueRing.STOP_AT_WRITER);

        this.ring.publish(writing);
        this.ring.settleHeld(1);
        assertThat(this.ring.claimBatch(1, 1, this.batch, 64, true)).isEqualTo(1);
        assertThat(this.ring.walkStop).isEqualTo(QueueRing.STOP_AT_UNWRITTEN);
    }

    @Test
    void aWalkThatTookItsLimitStoppedNowhere() {
        this.ring.claimBatch(1, 1, this.batch, 64, true); // an empty ring: stops at unwritten memory
        assertThat(this.ring.walkStop).isEqualTo(QueueRing.STOP_AT_UNWRITTEN);
        publishRecords(5);

        assertThat(this.ring.claimBatch(1, 1, this.batch, 2, true)).isEqualTo(2);
        assertThat(this.ring.walkStop).isEqualTo(QueueRing.STOP_NONE);
    }

    @Test
    void onlyHeldClaimsWriteTheHint() {
        publishRecords(2);
        long writing = this.ring.claim(this.lane, QueueLayout.recordSize(8));
        this.ring.beginWrite(writing, 8, QueueLayout.TYPE_RAW);

        assertThat(this.ring.claimBatch(1, 1, this.batch, 64, false)).isEqualTo(2);
        assertThat(this.ring.walkStop).as("left alone by a stamped claim").isEqualTo(QueueRing.STOP_NONE);
    }

    private void publishRecords(int count) {
        for (int i = 0; i < count; i++) {
            long position = this.ring.claim(this.lane, QueueLayout.recordSize(8));
            this.ring.beginWrite(position, 8, QueueLayout.TYPE_RAW);
            this.ring.publish(position);
        }
    }
}

package io.github.springipc.transport.queue;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StreamPacerTests {

    private final StreamPacer pacer = new StreamPacer();

    @Test
    void aSmallBatchThatStoppedAtAWriterMakesTheNextLookWaitAndTheNextPauseLonger() {
        long start = System.nanoTime();
        this.pacer.afterClaim(QueueRing.STOP_AT_WRITER, 3);
        boolean pauses = this.pacer.pausesNextLook();
        this.pacer.beforeLook();
        long waited = System.nanoTime() - start;

        assertThat(pauses).isTrue();
        assertThat(waited).isGreaterThanOrEqualTo(StreamPacer.FIRST_PAUSE_NANOS);
        assertThat(this.pacer.pausesNextLook()).isFalse();
        assertThat(this.pacer.nextPauseNanos()).isEqualTo(2 * StreamPacer.FIRST_PAUSE_NANOS);
    }

    @Test
    void thePauseDoublesUpToItsBoundWhileBatchesStaySmall() {
        for (int i = 0; i < 20; i++) {
            this.pacer.afterClaim(QueueRing.STOP_AT_WRITER, 1);
            this.pacer.beforeLook();
        }

        assertThat(this.pacer.nextPauseNanos()).isEqualTo(StreamPacer.MAX_PAUSE_NANOS);
    }

    @Test
    void anIdleQueueOrAPingPongResetsThePauseAndItsOwnLookNeverWaits() {
        this.pacer.afterClaim(QueueRing.STOP_AT_WRITER, 1);
        this.pacer.beforeLook();
        this.pacer.afterClaim(QueueRing.STOP_AT_WRITER, 1);
        assertThat(this.pacer.nextPauseNanos()).isEqualTo(4 * StreamPacer.FIRST_PAUSE_NANOS);
        this.pacer.beforeLook();

        this.pacer.afterClaim(QueueRing.STOP_AT_UNWRITTEN, 1);

        assertThat(this.pacer.pausesNextLook()).isFalse();
        assertThat(this.pacer.nextPauseNanos()).isEqualTo(StreamPacer.FIRST_PAUSE_NANOS);
    }

    @Test
    void nothingBeforeAWriterALargeBatchOrAFullLimitNeverWait() {
        this.pacer.afterClaim(QueueRing.STOP_AT_WRITER, 0); // a reply about to arrive
        assertThat(this.pacer.pausesNextLook()).isFalse();
        this.pacer.afterClaim(QueueRing.STOP_AT_WRITER, StreamPacer.SMALL_BATCH);
        assertThat(this.pacer.pausesNextLook()).isFalse();
        this.pacer.afterClaim(QueueRing.STOP_NONE, 1);
        assertThat(this.pacer.pausesNextLook()).isFalse();
        assertThat(this.pacer.nextPauseNanos()).isEqualTo(StreamPacer.FIRST_PAUSE_NANOS);
    }
}

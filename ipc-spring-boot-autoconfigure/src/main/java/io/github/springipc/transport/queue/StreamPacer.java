package io.github.springipc.transport.queue;

/**
 * Paces one draining thread that has caught up with a producer in the middle of a stream, so
 * that it takes the stream in batches instead of reading, once per tiny batch, the cache line
 * the producer is writing.
 *
 * <p>Why: such a read costs the producer a cross-core transfer of that line. A consumer that
 * looks again at once after each drain keeps catching up, takes batches of ~4 records, and both
 * sides then spend ~40 ns per message; one that lags takes batches of ~250 at ~25 ns (raw
 * one-way, 64-byte messages, two processes). So when a claim walk stopped at a record a
 * producer is writing and took only a few records, the next look waits: first
 * {@link #FIRST_PAUSE_NANOS}, doubling up to {@link #MAX_PAUSE_NANOS} while batches stay small.
 * The wait spins without touching the ring, and time the caller spends elsewhere counts.
 *
 * <p>What it costs: in a dense stream a message may wait up to {@link #MAX_PAUSE_NANOS} longer
 * to be taken; so may a request when several clients write to one queue at the same moment. A
 * batch of {@link #SMALL_BATCH} or more neither pauses nor shortens the pause. What it never
 * touches: a walk that stopped at memory no producer has started writing (an idle queue, the
 * next request of a lone client) resets the pause, and one that found nothing before a record
 * being written (a reply about to arrive) does not delay the next look.
 *
 * <p>Not thread-safe: one per attachment, used only by the thread that holds its held drain.
 */
final class StreamPacer {

    /** A claim that took fewer records than this, stopping at a writer, caught up with a stream. */
    static final int SMALL_BATCH = 16;

    /** The first pause after catching up. */
    static final long FIRST_PAUSE_NANOS = 500;

    /** The longest pause: what pacing may add to the latency of a message in a dense stream. */
    static final long MAX_PAUSE_NANOS = 16_000;

    private long pauseNanos = FIRST_PAUSE_NANOS;

    /** The next look waits until then; {@code 0}: it does not wait. */
    private long lookNotBefore;

    /**
     * After a claim walk.
     *
     * @param walkStop how it ended, one of {@code QueueRing.STOP_*}
     * @param claimed how many records it took
     */
    void afterClaim(int walkStop, int claimed) {
        if (walkStop == QueueRing.STOP_AT_UNWRITTEN) {
            this.pauseNanos = FIRST_PAUSE_NANOS;
        }
        else if (walkStop == QueueRing.STOP_AT_WRITER && claimed > 0 && claimed < SMALL_BATCH) {
            this.lookNotBefore = System.nanoTime() + this.pauseNanos;
            this.pauseNanos = Math.min(this.pauseNanos * 2, MAX_PAUSE_NANOS);
        }
    }

    /** Before the next look at the ring: waits out a pause that {@link #afterClaim} asked for. */
    void beforeLook() {
        long notBefore = this.lookNotBefore;
        if (notBefore == 0) {
            return;
        }
        this.lookNotBefore = 0;
        while (System.nanoTime() - notBefore < 0) {
            Thread.onSpinWait();
        }
    }

    /** Whether the next look waits (for tests). */
    boolean pausesNextLook() {
        return this.lookNotBefore != 0;
    }

    /** The pause the next catching-up will ask for (for tests). */
    long nextPauseNanos() {
        return this.pauseNanos;
    }
}

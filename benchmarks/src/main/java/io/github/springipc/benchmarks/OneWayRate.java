package io.github.springipc.benchmarks;

/**
 * The steady-state rate of a one-way stream, taken at the receiver: the clock starts once the
 * first fifth of the messages (at least 1000) has arrived, so that JIT compilation and the first
 * page faults, which compete for the same two cores, are not counted. The round-trip cases leave
 * out a warm-up the same way.
 */
final class OneWayRate {

    private final long count;

    private final long warmup;

    private long start;

    private long startedAt;

    OneWayRate(long count) {
        this.count = count;
        this.warmup = Math.min(count - 1, Math.max(1000, count / 5));
    }

    /** Call after each receive with the total received so far. */
    void received(long total) {
        if (this.start == 0 && total >= this.warmup) {
            this.start = System.nanoTime();
            this.startedAt = total;
        }
    }

    /** Prints the result line for {@code metric} once all {@code count} messages arrived. */
    void report(String metric) {
        double seconds = (System.nanoTime() - this.start) / 1e9;
        Peer.result(metric, (this.count - this.startedAt) / seconds);
    }
}

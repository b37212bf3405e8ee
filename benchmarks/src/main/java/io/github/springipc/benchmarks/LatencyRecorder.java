package io.github.springipc.benchmarks;

import java.util.Arrays;

/**
 * Round-trip times in nanoseconds, recorded into a pre-sized array (no allocation while
 * measuring) and reported as percentiles.
 */
final class LatencyRecorder {

    private final long[] samples;

    private int count;

    LatencyRecorder(int capacity) {
        this.samples = new long[capacity];
    }

    /** One exchange of a round-trip case: send, then wait for the answer. */
    @FunctionalInterface
    interface RoundTrip {

        void run() throws InterruptedException;
    }

    /**
     * Runs {@code roundTrip} for {@code warmupNanos} (and at least 1000 times) without measuring,
     * then {@code count} times measured, and prints the rate and the percentiles ({@code rtt.*}).
     * The warm-up leaves out the seconds in which both JVMs still compile the hot paths.
     */
    static void measureRoundTrips(int count, long warmupNanos, RoundTrip roundTrip) throws InterruptedException {
        long warmupEnd = System.nanoTime() + warmupNanos;
        for (int i = 0; i < 1000 || System.nanoTime() - warmupEnd < 0; i++) {
            roundTrip.run();
        }
        LatencyRecorder recorder = new LatencyRecorder(count);
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            long sent = System.nanoTime();
            roundTrip.run();
            recorder.record(System.nanoTime() - sent);
        }
        Peer.result("rtt.round_trips_per_s", count / ((System.nanoTime() - start) / 1e9));
        recorder.printPercentiles("rtt");
    }

    void record(long nanos) {
        if (this.count < this.samples.length) {
            this.samples[this.count++] = nanos;
        }
    }

    /**
     * Sorts the samples and prints {@code RESULT} lines for p50, p90, p99, p99.9 and p99.99,
     * and the whole distribution as {@code DIST} lines for the percentile chart.
     */
    void printPercentiles(String prefix) {
        long[] sorted = Arrays.copyOf(this.samples, this.count);
        Arrays.sort(sorted);
        for (double p : new double[] { 50, 90, 99, 99.9, 99.99 }) {
            System.out.println("RESULT " + prefix + ".p" + format(p) + "_ns=" + percentile(sorted, p));
        }
        StringBuilder dist = new StringBuilder("DIST " + prefix);
        for (double p : ChartPercentiles.POINTS) {
            dist.append(' ').append(percentile(sorted, p));
        }
        System.out.println(dist);
    }

    static long percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    private static String format(double p) {
        return p == Math.rint(p) ? Long.toString((long) p) : Double.toString(p);
    }

    /** Percentiles at which the distribution chart is drawn. */
    static final class ChartPercentiles {

        static final double[] POINTS = { 0, 10, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99 };

        private ChartPercentiles() {
        }
    }
}

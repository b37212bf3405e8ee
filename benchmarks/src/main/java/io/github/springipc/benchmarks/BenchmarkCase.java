package io.github.springipc.benchmarks;

import java.nio.file.Path;

/** One measured scenario, run several times, each time in fresh processes. */
interface BenchmarkCase {

    /** Stable id used in the report and by {@code --only}, e.g. {@code baseline.uds.pingpong}. */
    String id();

    /** What it measures, for the report. */
    String description();

    /** Whether it is a baseline (not the starter) that the starter's figures are compared with. */
    boolean baseline();

    /**
     * Runs once.
     *
     * @param workDir an empty directory for sockets and files of this run
     * @return the metrics, or {@code null} when the case can not run here (the reason printed)
     */
    CaseResult run(Settings settings, Path workDir) throws Exception;

    /** Run-wide settings. */
    record Settings(boolean quick) {

        /** A message count, scaled down in quick mode. */
        int count(int full) {
            return this.quick ? Math.max(1000, full / 200) : full;
        }
    }
}

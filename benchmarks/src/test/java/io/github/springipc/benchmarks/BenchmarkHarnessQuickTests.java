package io.github.springipc.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The harness's quick mode, so that it never rots: every case runs once with small counts and
 * reports its metrics. No figure is asserted; speed is judged by the full run's report.
 */
class BenchmarkHarnessQuickTests {

    @TempDir
    Path dir;

    @Test
    void everyCaseRunsInQuickModeAndReportsItsMetrics() throws Exception {
        Map<String, List<CaseResult>> results = BenchmarkHarness.run(BenchmarkCases.all(),
                new BenchmarkCase.Settings(true), 1, "");
        for (BenchmarkCase benchmark : BenchmarkCases.all()) {
            if (benchmark instanceof PythonCase && !PythonCase.python3Available()) {
                System.out.println("python3 absent: " + benchmark.id() + " skipped");
                continue;
            }
            assertThat(results).containsKey(benchmark.id());
            assertThat(results.get(benchmark.id()).get(0).metrics()).isNotEmpty()
                    .allSatisfy((metric, value) -> assertThat(value).as(benchmark.id() + " " + metric).isFinite());
        }
        Path report = this.dir.resolve("benchmarks.md");
        new BenchmarkReport(results, BenchmarkCases.all(), BenchmarkCases.targets(), 1, "--quick").write(report, MicroBenchmarks.run(true, "EnvelopeCodec.*"));
        assertThat(Files.readString(report)).contains("## Goals").contains("baseline.uds.pingpong")
                .contains("EnvelopeCodecBenchmark.decode");
        assertThat(this.dir.resolve("benchmarks/throughput.svg")).exists();
        assertThat(this.dir.resolve("benchmarks/rtt-percentiles.svg")).exists();
    }
}

package io.github.springipc.benchmarks;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/** Runs the JMH benchmarks of {@code io.github.springipc.benchmarks.jmh} with the GC profiler. */
final class MicroBenchmarks {

    /** One row of the report: benchmark, time per operation, bytes allocated per operation. */
    record Row(String benchmark, double score, String unit, double allocatedBytesPerOp) {
    }

    private MicroBenchmarks() {
    }

    static List<Row> run(boolean quick, String include) throws Exception {
        Options options = new OptionsBuilder()
                .include("io\\.github\\.springipc\\.benchmarks\\.jmh\\." + include)
                .addProfiler(GCProfiler.class)
                .forks(1)
                .warmupIterations(quick ? 1 : 3)
                .warmupTime(TimeValue.milliseconds(quick ? 100 : 1000))
                .measurementIterations(quick ? 1 : 5)
                .measurementTime(TimeValue.milliseconds(quick ? 100 : 1000))
                .shouldFailOnError(true)
                .jvmArgsAppend(Runtime.version().feature() >= 24
                        ? new String[] { "--sun-misc-unsafe-memory-access=allow" } : new String[0])
                .build();
        Collection<RunResult> results = new Runner(options).run();
        List<Row> rows = new ArrayList<>();
        for (RunResult result : results) {
            Result<?> primary = result.getPrimaryResult();
            Result<?> alloc = result.getSecondaryResults().get("gc.alloc.rate.norm");
            String name = result.getParams().getBenchmark();
            rows.add(new Row(name.substring(name.lastIndexOf('.', name.lastIndexOf('.') - 1) + 1), primary.getScore(),
                    primary.getScoreUnit(), alloc == null ? Double.NaN : alloc.getScore()));
        }
        return rows;
    }

    static String table(List<Row> rows) {
        StringBuilder md = new StringBuilder("| benchmark | time | allocated per op |\n|---|---|---|\n");
        for (Row row : rows) {
            md.append(String.format(Locale.ROOT, "| %s | %.1f %s | %.0f B |%n", row.benchmark(), row.score(), row.unit(),
                    row.allocatedBytesPerOp()));
        }
        return md.toString();
    }
}

package io.github.springipc.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs every two-process case several times, each time in fresh JVMs, and writes the report.
 *
 * <pre>
 * mvn -pl benchmarks -am -DskipTests -Dbench verify          # full run, writes docs/benchmarks.md
 * java ... BenchmarkHarness --quick                           # seconds; what CI runs
 * options: --quick  --runs=N  --only=idPrefix  --report=path
 * </pre>
 */
public final class BenchmarkHarness {

    private BenchmarkHarness() {
    }

    public static void main(String[] args) throws Exception {
        boolean quick = false;
        int runs = 3;
        String only = "";
        Path report = null;
        for (String arg : args) {
            if (arg.equals("--quick")) {
                quick = true;
            }
            else if (arg.startsWith("--runs=")) {
                runs = Integer.parseInt(arg.substring(7));
            }
            else if (arg.startsWith("--only=")) {
                only = arg.substring(7);
            }
            else if (arg.startsWith("--report=")) {
                report = Path.of(arg.substring(9));
            }
        }
        if (quick) {
            runs = 1;
        }
        Map<String, List<CaseResult>> results = run(BenchmarkCases.all(), new BenchmarkCase.Settings(quick), runs, only);
        List<MicroBenchmarks.Row> micro = only.isEmpty() || only.startsWith("jmh") ? MicroBenchmarks.run(quick, ".*")
                : List.of();
        if (report != null && !quick) {
            new BenchmarkReport(results, BenchmarkCases.all(), BenchmarkCases.targets(), runs, String.join(" ", args))
                    .write(report, micro);
            System.out.println("Report written to " + report.toAbsolutePath());
        }
    }

    static Map<String, List<CaseResult>> run(List<BenchmarkCase> cases, BenchmarkCase.Settings settings, int runs,
            String only) throws Exception {
        Map<String, List<CaseResult>> results = new LinkedHashMap<>();
        List<BenchmarkCase> selected = cases.stream().filter(c -> c.id().startsWith(only)).toList();
        int done = 0;
        long started = System.nanoTime();
        for (BenchmarkCase benchmark : selected) {
            List<CaseResult> caseResults = new ArrayList<>();
            for (int run = 1; run <= runs; run++) {
                System.out.printf("[%d/%d, %ds] %s run %d/%d%n", ++done, selected.size() * runs,
                        (System.nanoTime() - started) / 1_000_000_000L, benchmark.id(), run, runs);
                Path workDir = Files.createTempDirectory("ipc-bench");
                try {
                    CaseResult result = benchmark.run(settings, workDir);
                    if (result == null) {
                        done += runs - run;
                        break;
                    }
                    result.metrics().forEach((k, v) -> System.out.printf("    %-28s %s%n", k, SvgChart.human(v)));
                    caseResults.add(result);
                }
                finally {
                    deleteRecursively(workDir);
                }
            }
            if (!caseResults.isEmpty()) {
                results.put(benchmark.id(), caseResults);
            }
        }
        return results;
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static void deleteRecursively(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        catch (Exception ignored) {
            // a temp directory; the OS cleans it eventually
        }
    }
}

package io.github.springipc.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Writes {@code docs/benchmarks.md} and its SVG pictures from the results of one run. */
final class BenchmarkReport {

    private final Map<String, List<CaseResult>> results;

    private final Map<String, BenchmarkCase> cases = new LinkedHashMap<>();

    private final List<Target> targets;

    private final int runs;

    private final String arguments;

    BenchmarkReport(Map<String, List<CaseResult>> results, List<BenchmarkCase> cases, List<Target> targets, int runs,
            String arguments) {
        this.results = results;
        cases.forEach(c -> this.cases.put(c.id(), c));
        this.targets = targets;
        this.runs = runs;
        this.arguments = arguments;
    }

    void write(Path report, List<MicroBenchmarks.Row> micro) throws IOException {
        Path pictures = report.resolveSibling("benchmarks");
        Files.createDirectories(pictures);
        Map<String, Map<String, Double>> medians = medians();
        StringBuilder md = new StringBuilder();
        md.append("# Benchmarks\n\n");
        md.append("Written by the benchmark harness; do not edit by hand. Reproduce with\n\n");
        md.append("```sh\nmvn -pl benchmarks -am -DskipTests -Dbench verify\n```\n\n");
        md.append("Every case runs ").append(this.runs).append(" times, each time in fresh processes; the tables give ")
                .append("the median and the min–max of the runs. Baselines are measured in the same run, so compare ")
                .append("ratios: these machines are shared and noisy.\n\n");
        md.append("## Machine\n\n");
        md.append("| | |\n|---|---|\n");
        md.append("| date | ").append(LocalDate.now()).append(" |\n");
        md.append("| CPU | ").append(cpuModel()).append(", ").append(Runtime.getRuntime().availableProcessors())
                .append(" cores |\n");
        md.append("| OS | ").append(System.getProperty("os.name")).append(' ').append(System.getProperty("os.version"))
                .append(" |\n");
        md.append("| JDK | ").append(System.getProperty("java.vm.name")).append(' ')
                .append(System.getProperty("java.runtime.version")).append(" |\n");
        md.append("| harness arguments | `").append(this.arguments).append("` |\n\n");
        md.append("## Goals\n\n| goal | measured (median) | |\n|---|---|---|\n");
        for (Target target : this.targets) {
            md.append(target.evaluate(medians)).append('\n');
        }
        md.append("\n## Results\n\n| case | what | metric | median | min – max |\n|---|---|---|---|---|\n");
        this.results.forEach((id, runResults) -> {
            BenchmarkCase benchmark = this.cases.get(id);
            for (String metric : runResults.get(0).metrics().keySet()) {
                double[] values = runResults.stream().mapToDouble(r -> r.metrics().getOrDefault(metric, Double.NaN))
                        .toArray();
                md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s – %s |%n", id,
                        benchmark == null ? "" : benchmark.description(), metric,
                        SvgChart.human(BenchmarkHarness.median(values)), SvgChart.human(min(values)),
                        SvgChart.human(max(values))));
            }
        });
        List<SvgChart.Bar> bars = new ArrayList<>();
        List<SvgChart.Series> series = new ArrayList<>();
        medians.forEach((id, metrics) -> {
            boolean baseline = this.cases.containsKey(id) && this.cases.get(id).baseline();
            metrics.forEach((metric, value) -> {
                if (metric.endsWith("_per_s") && !metric.startsWith("rtt.")) {
                    bars.add(new SvgChart.Bar(id + " " + metric.replace("_per_s", "/s"), value, baseline));
                }
            });
            this.results.get(id).get(0).distributions().forEach((name, nanos) -> series.add(new SvgChart.Series(id, nanos)));
        });
        if (!micro.isEmpty()) {
            md.append("\n## Microbenchmarks (JMH, `-prof gc`)\n\n").append(MicroBenchmarks.table(micro));
        }
        md.append("\n## Pictures\n\n");
        if (!bars.isEmpty()) {
            Files.writeString(pictures.resolve("throughput.svg"), SvgChart.bars("Throughput (median)", "", bars));
            md.append("![throughput](benchmarks/throughput.svg)\n\n");
        }
        if (!series.isEmpty()) {
            Files.writeString(pictures.resolve("rtt-percentiles.svg"),
                    SvgChart.percentiles("Round-trip time by percentile (first run of each case)", series));
            md.append("![round-trip percentiles](benchmarks/rtt-percentiles.svg)\n\n");
        }
        Path notes = report.resolveSibling("benchmarks-notes.md");
        if (Files.exists(notes)) {
            md.append("## Notes\n\n").append(Files.readString(notes));
        }
        Files.writeString(report, md.toString());
    }

    private Map<String, Map<String, Double>> medians() {
        Map<String, Map<String, Double>> medians = new LinkedHashMap<>();
        this.results.forEach((id, runResults) -> {
            Map<String, Double> byMetric = new LinkedHashMap<>();
            for (String metric : runResults.get(0).metrics().keySet()) {
                byMetric.put(metric, BenchmarkHarness.median(runResults.stream()
                        .mapToDouble(r -> r.metrics().getOrDefault(metric, Double.NaN)).toArray()));
            }
            medians.put(id, byMetric);
        });
        return medians;
    }

    private static double min(double[] values) {
        return java.util.Arrays.stream(values).min().orElse(Double.NaN);
    }

    private static double max(double[] values) {
        return java.util.Arrays.stream(values).max().orElse(Double.NaN);
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("unknown");
        }
        catch (IOException ex) {
            return "unknown";
        }
    }
}

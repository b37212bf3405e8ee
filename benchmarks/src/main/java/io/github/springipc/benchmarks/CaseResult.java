package io.github.springipc.benchmarks;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What one run of a case printed: {@code RESULT name=value} metrics and {@code DIST} distributions. */
record CaseResult(Map<String, Double> metrics, Map<String, long[]> distributions) {

    static CaseResult parse(List<String> lines) {
        Map<String, Double> metrics = new LinkedHashMap<>();
        Map<String, long[]> distributions = new LinkedHashMap<>();
        for (String line : lines) {
            if (line.startsWith("RESULT ")) {
                String[] pair = line.substring(7).trim().split("=", 2);
                metrics.put(pair[0], Double.parseDouble(pair[1]));
            }
            else if (line.startsWith("DIST ")) {
                String[] parts = line.substring(5).trim().split("\\s+");
                long[] values = new long[parts.length - 1];
                for (int i = 1; i < parts.length; i++) {
                    values[i - 1] = Long.parseLong(parts[i]);
                }
                distributions.put(parts[0], values);
            }
        }
        return new CaseResult(metrics, distributions);
    }

    CaseResult merge(CaseResult other) {
        Map<String, Double> m = new LinkedHashMap<>(this.metrics);
        m.putAll(other.metrics);
        Map<String, long[]> d = new LinkedHashMap<>(this.distributions);
        d.putAll(other.distributions);
        return new CaseResult(m, d);
    }
}

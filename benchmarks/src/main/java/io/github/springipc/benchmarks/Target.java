package io.github.springipc.benchmarks;

import java.util.Locale;
import java.util.Map;

/**
 * A goal stated in the report: a metric of a case compared with a fixed figure, or with a
 * baseline measured in the same run times a factor.
 */
record Target(String goal, String caseId, String metric, boolean atLeast, double absolute, String baselineCase,
        String baselineMetric, double factor) {

    static Target atLeast(String goal, String caseId, String metric, double value) {
        return new Target(goal, caseId, metric, true, value, null, null, 0);
    }

    static Target atMost(String goal, String caseId, String metric, double value) {
        return new Target(goal, caseId, metric, false, value, null, null, 0);
    }

    static Target atLeastTimes(String goal, String caseId, String metric, double factor, String baselineCase,
            String baselineMetric) {
        return new Target(goal, caseId, metric, true, 0, baselineCase, baselineMetric, factor);
    }

    static Target atMostTimes(String goal, String caseId, String metric, double factor, String baselineCase,
            String baselineMetric) {
        return new Target(goal, caseId, metric, false, 0, baselineCase, baselineMetric, factor);
    }

    /** Median values by case id and metric. */
    String evaluate(Map<String, Map<String, Double>> medians) {
        Double measured = medians.getOrDefault(this.caseId, Map.of()).get(this.metric);
        if (measured == null) {
            return "| " + this.goal + " | not measured in this run | – |";
        }
        double threshold = this.absolute;
        String against = "";
        if (this.baselineCase != null) {
            Double base = medians.getOrDefault(this.baselineCase, Map.of()).get(this.baselineMetric);
            if (base == null) {
                return "| " + this.goal + " | " + SvgChart.human(measured) + " (baseline " + this.baselineCase
                        + " not measured) | – |";
            }
            threshold = base * this.factor;
            against = String.format(Locale.ROOT, " vs %s × %.2f = %s (ratio %.2f)", this.baselineCase, this.factor,
                    SvgChart.human(threshold), measured / base);
        }
        boolean met = this.atLeast ? measured >= threshold : measured <= threshold;
        return "| " + this.goal + " | " + SvgChart.human(measured) + against + " | " + (met ? "**met**" : "missed")
                + " |";
    }
}

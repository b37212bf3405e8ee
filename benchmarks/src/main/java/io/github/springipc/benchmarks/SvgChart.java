package io.github.springipc.benchmarks;

import java.util.List;
import java.util.Locale;

/** A minimal SVG writer for the two kinds of picture in the report. */
final class SvgChart {

    private static final String[] COLORS = { "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
            "#e377c2", "#7f7f7f", "#bcbd22", "#17becf" };

    /** One bar: label, value, whether it is a baseline (drawn grey). */
    record Bar(String label, double value, boolean baseline) {
    }

    /** One line of a percentile chart: label and latency (ns) at {@link LatencyRecorder.ChartPercentiles#POINTS}. */
    record Series(String label, long[] nanos) {
    }

    private SvgChart() {
    }

    /** Horizontal bars on a logarithmic axis, so that 100 k and 50 M both stay readable. */
    static String bars(String title, String unit, List<Bar> bars) {
        int rowHeight = 26;
        int left = 330;
        int width = 900;
        int plotWidth = width - left - 120;
        int height = 60 + rowHeight * bars.size() + 30;
        double max = bars.stream().mapToDouble(Bar::value).max().orElse(1);
        double min = bars.stream().mapToDouble(Bar::value).filter(v -> v > 0).min().orElse(1);
        double logMin = Math.floor(Math.log10(Math.max(1, min))) - 0.2;
        double logMax = Math.log10(Math.max(max, 10));
        StringBuilder svg = header(width, height, title);
        for (int i = 0; i < bars.size(); i++) {
            Bar bar = bars.get(i);
            int y = 50 + i * rowHeight;
            double fraction = bar.value() <= 0 ? 0 : (Math.log10(bar.value()) - logMin) / (logMax - logMin);
            int barWidth = (int) Math.max(1, fraction * plotWidth);
            svg.append(String.format(Locale.ROOT,
                    "<text x='%d' y='%d' text-anchor='end' font-size='12'>%s</text>%n", left - 8, y + 15,
                    escape(bar.label())));
            svg.append(String.format(Locale.ROOT,
                    "<rect x='%d' y='%d' width='%d' height='%d' fill='%s'/>%n", left, y + 2, barWidth, rowHeight - 8,
                    bar.baseline() ? "#9e9e9e" : "#1f77b4"));
            svg.append(String.format(Locale.ROOT, "<text x='%d' y='%d' font-size='12'>%s %s</text>%n",
                    left + barWidth + 6, y + 15, human(bar.value()), escape(unit)));
        }
        svg.append(String.format(Locale.ROOT,
                "<text x='%d' y='%d' font-size='11' fill='#555'>grey: baselines measured in the same run; log scale</text>%n",
                left, height - 10));
        return svg.append("</svg>\n").toString();
    }

    /** Latency by percentile, x on a "number of nines" scale and y logarithmic, like HdrHistogram plots. */
    static String percentiles(String title, List<Series> series) {
        int width = 900;
        int height = 480;
        int left = 80;
        int right = 220;
        int top = 50;
        int bottom = 60;
        double[] points = LatencyRecorder.ChartPercentiles.POINTS;
        double xMax = nines(points[points.length - 1]);
        long maxNanos = series.stream().flatMapToLong(s -> java.util.Arrays.stream(s.nanos())).max().orElse(1000);
        long minNanos = series.stream().flatMapToLong(s -> java.util.Arrays.stream(s.nanos())).filter(v -> v > 0)
                .min().orElse(10);
        double yMin = Math.floor(Math.log10(Math.max(1, minNanos)));
        double yMax = Math.ceil(Math.log10(Math.max(10, maxNanos)));
        if (yMax <= yMin) {
            yMax = yMin + 1;
        }
        int plotW = width - left - right;
        int plotH = height - top - bottom;
        StringBuilder svg = header(width, height, title);
        svg.append(String.format(Locale.ROOT, "<rect x='%d' y='%d' width='%d' height='%d' fill='none' stroke='#ccc'/>%n",
                left, top, plotW, plotH));
        for (double decade = yMin; decade <= yMax; decade++) {
            int y = top + plotH - (int) ((decade - yMin) / (yMax - yMin) * plotH);
            svg.append(String.format(Locale.ROOT,
                    "<line x1='%d' y1='%d' x2='%d' y2='%d' stroke='#eee'/><text x='%d' y='%d' text-anchor='end' font-size='11'>%s</text>%n",
                    left, y, left + plotW, y, left - 6, y + 4, humanNanos(Math.pow(10, decade))));
        }
        for (double p : points) {
            int x = left + (int) (nines(p) / xMax * plotW);
            svg.append(String.format(Locale.ROOT,
                    "<line x1='%d' y1='%d' x2='%d' y2='%d' stroke='#f3f3f3'/><text x='%d' y='%d' text-anchor='middle' font-size='10'>%s</text>%n",
                    x, top, x, top + plotH, x, top + plotH + 16, p == Math.rint(p) ? (long) p + "%" : p + "%"));
        }
        for (int s = 0; s < series.size(); s++) {
            Series line = series.get(s);
            String color = COLORS[s % COLORS.length];
            StringBuilder path = new StringBuilder();
            for (int i = 0; i < points.length && i < line.nanos().length; i++) {
                double value = Math.max(1, line.nanos()[i]);
                int x = left + (int) (nines(points[i]) / xMax * plotW);
                int y = top + plotH - (int) ((Math.log10(value) - yMin) / (yMax - yMin) * plotH);
                path.append(i == 0 ? "M" : "L").append(x).append(',').append(y).append(' ');
            }
            svg.append(String.format(Locale.ROOT,
                    "<path d='%s' fill='none' stroke='%s' stroke-width='2'/>%n", path.toString().trim(), color));
            svg.append(String.format(Locale.ROOT,
                    "<rect x='%d' y='%d' width='12' height='12' fill='%s'/><text x='%d' y='%d' font-size='12'>%s</text>%n",
                    width - right + 15, top + s * 20, color, width - right + 32, top + s * 20 + 11, escape(line.label())));
        }
        svg.append(String.format(Locale.ROOT,
                "<text x='%d' y='%d' text-anchor='middle' font-size='12'>percentile</text>%n", left + plotW / 2,
                height - 15));
        return svg.append("</svg>\n").toString();
    }

    private static double nines(double percentile) {
        return -Math.log10(1 - Math.min(percentile, 99.999) / 100.0);
    }

    private static StringBuilder header(int width, int height, String title) {
        return new StringBuilder(String.format(Locale.ROOT,
                "<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' font-family='sans-serif'>%n"
                        + "<rect width='100%%' height='100%%' fill='white'/>%n"
                        + "<text x='%d' y='28' text-anchor='middle' font-size='16' font-weight='bold'>%s</text>%n",
                width, height, width / 2, escape(title)));
    }

    static String human(double value) {
        if (value >= 1e9) {
            return String.format(Locale.ROOT, "%.2f G", value / 1e9);
        }
        if (value >= 1e6) {
            return String.format(Locale.ROOT, "%.2f M", value / 1e6);
        }
        if (value >= 1e3) {
            return String.format(Locale.ROOT, "%.1f k", value / 1e3);
        }
        return String.format(Locale.ROOT, "%.1f", value);
    }

    static String humanNanos(double nanos) {
        if (nanos >= 1e6) {
            return String.format(Locale.ROOT, "%.3g ms", nanos / 1e6);
        }
        if (nanos >= 1e3) {
            return String.format(Locale.ROOT, "%.3g µs", nanos / 1e3);
        }
        return String.format(Locale.ROOT, "%.0f ns", nanos);
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&apos;");
    }
}

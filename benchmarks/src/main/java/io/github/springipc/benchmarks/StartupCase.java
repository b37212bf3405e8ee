package io.github.springipc.benchmarks;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import io.github.springipc.process.SiblingJvm;

/**
 * Start-up cost of the starter: a context with a pipe, a region and a queue against a bare
 * context without the IPC auto-configuration, each in a fresh JVM, alternately.
 */
final class StartupCase extends NamedCase {

    StartupCase() {
        super("startup", "Spring context with 3 channels vs a bare context, fresh JVMs", false);
    }

    @Override
    public CaseResult run(Settings settings, Path workDir) {
        double bare = startupMillis(workDir, "bare");
        double ipc = startupMillis(workDir, "ipc");
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("bare_ms", bare);
        metrics.put("with_channels_ms", ipc);
        metrics.put("overhead_ms", ipc - bare);
        return new CaseResult(metrics, Map.of());
    }

    private static double startupMillis(Path dir, String kind) {
        try (SiblingJvm jvm = SiblingJvm.builder(SpringPeers.class).name("startup-" + kind)
                .arguments("startup", dir.toString(), kind).output(line -> { }).start()) {
            String line = jvm.awaitLineContaining("RESULT startup_ms=", Duration.ofMinutes(2));
            jvm.awaitExit(Duration.ofMinutes(1));
            return Double.parseDouble(line.substring(line.indexOf('=') + 1));
        }
    }
}

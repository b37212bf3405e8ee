package io.github.springipc.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A baseline from Python's multiprocessing, run by {@code mp_baselines.py}. */
final class PythonCase extends NamedCase {

    private static final String SCRIPT = "mp_baselines.py";

    private final String pythonCase;

    private final int count;

    PythonCase(String id, String description, String pythonCase, int count) {
        super(id, description, true);
        this.pythonCase = pythonCase;
        this.count = count;
    }

    @Override
    public CaseResult run(Settings settings, Path workDir) throws Exception {
        if (!python3Available()) {
            System.out.println("  skipped: python3 is not installed");
            return null;
        }
        Path script = workDir.resolve(SCRIPT);
        try (InputStream in = PythonCase.class.getResourceAsStream("/" + SCRIPT)) {
            Files.copy(in, script);
        }
        Process process = new ProcessBuilder("python3", script.toString(), this.pythonCase,
                Integer.toString(settings.count(this.count))).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(5, TimeUnit.MINUTES) || process.exitValue() != 0) {
            throw new IllegalStateException(id() + " failed: " + output);
        }
        return CaseResult.parse(List.of(output.split("\n")));
    }

    static boolean python3Available() {
        try {
            Process probe = new ProcessBuilder("python3", "--version").redirectErrorStream(true).start();
            probe.getInputStream().readAllBytes();
            return probe.waitFor(30, TimeUnit.SECONDS) && probe.exitValue() == 0;
        }
        catch (IOException | InterruptedException ex) {
            return false;
        }
    }
}

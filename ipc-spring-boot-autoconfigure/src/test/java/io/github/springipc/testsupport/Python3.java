package io.github.springipc.testsupport;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;

/** Whether a {@code python3} is on the PATH, for the interop tests; probed once per test JVM. */
public final class Python3 {

    private static volatile Boolean available;

    private Python3() {
    }

    /** Whether {@code python3 --version} runs and succeeds. */
    public static boolean available() {
        Boolean known = available;
        if (known == null) {
            known = probe();
            available = known;
        }
        return known;
    }

    /** Skips the calling test, printing why, when python3 is absent. */
    public static void assumeAvailable(String testName) {
        if (!available()) {
            System.out.println(testName + " skipped: python3 is not installed on this machine");
        }
        Assumptions.assumeTrue(available(), "python3 is not installed on this machine");
    }

    private static boolean probe() {
        try {
            Process probe = new ProcessBuilder("python3", "--version").redirectErrorStream(true).start();
            probe.getInputStream().readAllBytes();
            return probe.waitFor(30, TimeUnit.SECONDS) && probe.exitValue() == 0;
        }
        catch (IOException ex) {
            return false;
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}

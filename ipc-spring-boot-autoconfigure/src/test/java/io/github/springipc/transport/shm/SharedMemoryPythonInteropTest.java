package io.github.springipc.transport.shm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Python process with only its standard library ({@code mmap} + {@code struct}) reads and
 * writes named values, following docs/shared-memory-layout.md.
 */
class SharedMemoryPythonInteropTest {

    @TempDir
    Path dir;

    private static boolean pythonPresent;

    @BeforeAll
    static void findPython() {
        try {
            Process probe = new ProcessBuilder("python3", "--version").redirectErrorStream(true).start();
            pythonPresent = probe.waitFor(30, TimeUnit.SECONDS) && probe.exitValue() == 0;
        }
        catch (IOException | InterruptedException ex) {
            pythonPresent = false;
        }
        if (!pythonPresent) {
            System.out.println("SharedMemoryPythonInteropTest skipped: no python3 on the PATH");
        }
    }

    @Test
    void pythonReadsValueJavaWroteAndJavaReadsValuePythonWrote() throws Exception {
        assumeTrue(pythonPresent, "python3 is not installed");
        try (IpcSharedMemory region = IpcSharedMemory.open(this.dir, "interop")) {
            region.longValue("fromJava").set(-81985529216486895L);
            region.longArray("series", 3).set(2, 77);
            SharedDouble fromPython = region.doubleValue("fromPython", true);

            assertThat(python(region.path(), "read", "fromJava")).isEqualTo("-81985529216486895");
            assertThat(python(region.path(), "write", "fromPython", "6.25")).isEqualTo("written");
            assertThat(fromPython.get()).isEqualTo(6.25);
            assertThat(python(region.path(), "read", "series")).isEqualTo("0");
        }
    }

    @Test
    void pythonSeesNamedLockHeldByJavaThroughLockFile() throws Exception {
        assumeTrue(pythonPresent, "python3 is not installed");
        try (IpcSharedMemory region = IpcSharedMemory.open(this.dir, "locks")) {
            SharedLock lock = region.lock("counters");
            assertThat(python(region.path(), "trylock", "counters")).isEqualTo("locked");
            lock.lock();
            try {
                assertThat(python(region.path(), "trylock", "counters")).isEqualTo("busy");
            }
            finally {
                lock.unlock();
            }
        }
    }

    private String python(Path region, String... arguments) throws Exception {
        Path script = this.dir.resolve("shared_memory.py");
        if (!Files.exists(script)) {
            try (InputStream source = getClass().getResourceAsStream("shared_memory.py")) {
                Files.copy(source, script);
            }
        }
        List<String> command = new ArrayList<>(List.of("python3", script.toString(), region.toString()));
        command.addAll(List.of(arguments));
        Process python = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertThat(python.waitFor(30, TimeUnit.SECONDS)).as("python3 finished").isTrue();
        String output = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(python.exitValue()).as("python3 exit status; output: %s", output).isZero();
        return output;
    }
}

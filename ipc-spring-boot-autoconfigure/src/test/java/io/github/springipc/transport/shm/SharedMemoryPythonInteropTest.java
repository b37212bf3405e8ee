package io.github.springipc.transport.shm;

import io.github.springipc.testsupport.Python3;

import static org.assertj.core.api.Assertions.assertThat;

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

    @BeforeAll
    static void findPython() {
        Python3.assumeAvailable("SharedMemoryPythonInteropTest");
    }

    @Test
    void pythonReadsValueJavaWroteAndJavaReadsValuePythonWrote() throws Exception {
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

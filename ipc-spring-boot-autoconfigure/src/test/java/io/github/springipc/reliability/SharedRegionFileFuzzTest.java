package io.github.springipc.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

import io.github.springipc.transport.IpcException;
import io.github.springipc.transport.shm.IpcSharedMemory;
import io.github.springipc.transport.shm.SharedMemoryOptions;

/**
 * Coverage-guided fuzzing of shared-memory region validation: a region written by this library
 * (values, arrays, bytes, a snapshot and a lock in its directory) has bytes overwritten by the
 * fuzz input and is then attached and used. Only {@link IpcException}s with a message may come
 * out. Snapshots are not read: a sequence left odd by a live process is waited for up to
 * {@code SharedSnapshot.STUCK_WRITER_SECONDS} on purpose.
 */
class SharedRegionFileFuzzTest {

    private static final SharedMemoryOptions OPTIONS = SharedMemoryOptions.builder().size(8192).maxSlots(8).build();

    private static final Path DIR = CorruptedFileImage.directory("ipc-fuzz-shm");

    private static final byte[] TEMPLATE = template();

    @FuzzTest(maxDuration = "60s")
    void aCorruptedRegionFailsClearlyOrStillWorks(FuzzedDataProvider data) throws Exception {
        byte[] image = CorruptedFileImage.patch(TEMPLATE, data);
        Path file = IpcSharedMemory.regionPath(DIR, "r");
        CorruptedFileImage.write(file, image);
        IpcSharedMemory region;
        try {
            region = IpcSharedMemory.open(DIR, "r", OPTIONS);
        }
        catch (IpcException refused) {
            assertThat(refused.getMessage()).contains(file.toString());
            return;
        }
        try {
            region.slotNames();
            region.slotDescriptions();
            region.longValue("counter").incrementAndGet();
            region.intArray("ints", 4).set(3, 7);
            region.bytes("raw", 16).get(15);
            region.doubleValue("fresh").set(1.5);
        }
        catch (IpcException clear) {
            assertThat(clear.getMessage()).isNotBlank();
        }
        finally {
            region.close();
        }
    }

    private static byte[] template() {
        try (IpcSharedMemory region = IpcSharedMemory.open(DIR, "template", OPTIONS)) {
            region.longValue("counter").set(41);
            region.intArray("ints", 4).set(0, 1);
            region.bytes("raw", 16);
            region.snapshot("snap", 64).publish("state".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            region.lock("guard");
            return Files.readAllBytes(region.path());
        }
        catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
    }
}

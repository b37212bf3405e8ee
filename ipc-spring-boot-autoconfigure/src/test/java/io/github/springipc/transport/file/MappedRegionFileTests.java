package io.github.springipc.transport.file;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.springipc.transport.IpcCorruptDataException;
import io.github.springipc.transport.IpcException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class MappedRegionFileTests {

    private static final int MAGIC = 0x51504354;

    @TempDir
    Path dir;

    private final AtomicInteger initializations = new AtomicInteger();

    private MappedRegionFile open(Path file, long size, boolean recreate) {
        return MappedRegionFile.openOrCreate(file, size, MappedRegionFile.OWNER_ONLY, region -> {
            this.initializations.incrementAndGet();
            region.putInt(0, MAGIC);
        }, (region, fileSize) -> {
            if (region.getInt(0) != MAGIC) {
                throw new IpcCorruptDataException("bad magic in " + file);
            }
        }, recreate);
    }

    @Test
    void createsAFullyAllocatedOwnerOnlyFile() throws IOException {
        Path file = this.dir.resolve("a.shm");
        try (MappedRegionFile region = open(file, 1 << 20, false)) {
            assertThat(region.created()).isTrue();
            assertThat(region.size()).isEqualTo(1 << 20);
            assertThat(Files.size(file)).isEqualTo(1 << 20);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
            // not sparse: every block is allocated
            assertThat(allocatedBytes(file)).isGreaterThanOrEqualTo(1 << 20);
        }
        try (var files = Files.list(this.dir)) {
            assertThat(files).containsExactly(file); // no temporary file left behind
        }
    }

    @Test
    void attachingNeverReinitialises() {
        Path file = this.dir.resolve("b.shm");
        try (MappedRegionFile first = open(file, 4096, false)) {
            first.buffer().putLong(8, 42);
            try (MappedRegionFile second = open(file, 4096, false)) {
                assertThat(second.created()).isFalse();
                assertThat(second.buffer().getLong(8)).isEqualTo(42);
            }
        }
        assertThat(this.initializations).hasValue(1);
    }

    @Test
    void invalidHeaderFailsUnlessRecreateIsAsked() throws IOException {
        Path file = this.dir.resolve("c.shm");
        Files.write(file, new byte[4096]);
        assertThatExceptionOfType(IpcCorruptDataException.class).isThrownBy(() -> open(file, 4096, false))
                .withMessageContaining("bad magic");
        try (MappedRegionFile region = open(file, 4096, true)) {
            assertThat(region.created()).isTrue();
            assertThat(region.buffer().getInt(0)).isEqualTo(MAGIC);
        }
    }

    @Test
    void emptyFileIsReportedAsNotARegion() throws IOException {
        Path file = this.dir.resolve("d.shm");
        Files.createFile(file);
        assertThatExceptionOfType(IpcCorruptDataException.class).isThrownBy(() -> open(file, 4096, false))
                .withMessageContaining("0 bytes");
    }

    @Test
    void symbolicLinkIsRefused() throws IOException {
        Path target = this.dir.resolve("target");
        Files.write(target, new byte[4096]);
        Path link = Files.createSymbolicLink(this.dir.resolve("e.shm"), target);
        assertThatExceptionOfType(IpcException.class).isThrownBy(() -> open(link, 4096, false))
                .withMessageContaining("symbolic link");
        assertThat(Files.readAllBytes(target)).containsOnly(0); // nothing written through the link
    }

    private static long allocatedBytes(Path file) throws IOException {
        Process stat = new ProcessBuilder("stat", "-c", "%b %B", file.toString()).start();
        String[] out = new String(stat.getInputStream().readAllBytes()).trim().split(" ");
        return Long.parseLong(out[0]) * Long.parseLong(out[1]);
    }

    @Test
    void sizeBeyondOneMappingIsRefusedBeforeAnythingIsWritten() {
        Path file = this.dir.resolve("f.shm");
        assertThatExceptionOfType(IpcException.class)
                .isThrownBy(() -> open(file, MappedRegionFile.MAX_SIZE + 1, false))
                .withMessageContaining("must be between");
        assertThat(file).doesNotExist();
    }

    @Test
    void fullFileSystemFailsAtCreationClearlyAndLeavesNoFile() throws Exception {
        // a file-size limit makes writes fail like a full tmpfs (EFBIG instead of ENOSPC)
        Path file = this.dir.resolve("full.shm");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder("bash", "-c", "ulimit -f 256 && exec \"$0\" -cp \"$1\" "
                + RegionCreatorMain.class.getName() + " \"$2\" 4194304", java, System.getProperty("java.class.path"),
                file.toString()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor()).isZero();
        assertThat(output).contains("failed: Could not create region " + file + " of 4194304 bytes")
                .contains("lower the channel's size setting").contains("still alive");
        try (var files = Files.list(this.dir)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void racingCreatorsEndWithOneRegion() throws Exception {
        Path file = this.dir.resolve("g.shm");
        int threads = 8;
        Thread[] racers = new Thread[threads];
        MappedRegionFile[] regions = new MappedRegionFile[threads];
        for (int i = 0; i < threads; i++) {
            int index = i;
            racers[i] = new Thread(() -> regions[index] = open(file, 64 * 1024, false));
        }
        for (Thread racer : racers) {
            racer.start();
        }
        for (Thread racer : racers) {
            racer.join(30_000);
        }
        long creators = java.util.Arrays.stream(regions).filter(MappedRegionFile::created).count();
        assertThat(creators).isEqualTo(1);
        regions[0].buffer().putLong(16, 7);
        for (MappedRegionFile region : regions) {
            assertThat(region.buffer().getLong(16)).isEqualTo(7);
            region.close();
        }
    }
}

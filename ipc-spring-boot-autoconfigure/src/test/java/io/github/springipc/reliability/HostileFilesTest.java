package io.github.springipc.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.springipc.transport.IpcCorruptDataException;
import io.github.springipc.transport.IpcException;
import io.github.springipc.transport.pipe.IpcPipe;
import io.github.springipc.transport.pipe.PipeOptions;
import io.github.springipc.transport.queue.IpcQueue;
import io.github.springipc.transport.queue.QueueOptions;
import io.github.springipc.transport.shm.IpcSharedMemory;
import io.github.springipc.transport.shm.SharedMemoryOptions;

/**
 * Corrupt and hostile files where a region, a queue or a pipe socket should be: each is refused
 * with an error naming the file and is left as it was, and nothing a symbolic link points to is
 * touched.
 */
class HostileFilesTest {

    private static final SharedMemoryOptions SHM = SharedMemoryOptions.builder().size(8192).maxSlots(8).build();

    private static final QueueOptions QUEUE = QueueOptions.builder().capacity(4096).slots(2).build();

    @TempDir
    Path dir;

    // ------------------------------------------------------------------ shared-memory regions

    @Test
    void truncatedRegionIsRefusedAsCorrupt() throws Exception {
        Path file = validRegion();
        assertRefusedAsCorrupt(file, bytes -> { }, Arrays.copyOf(Files.readAllBytes(file), 4096), this::openRegion);
    }

    @Test
    void regionWithWrongMagicIsRefusedAsCorrupt() throws Exception {
        Path file = validRegion();
        assertRefusedAsCorrupt(file, bytes -> bytes.putLong(0, 0x1234), null, this::openRegion);
    }

    @Test
    void regionWithWrongVersionIsRefusedAsCorrupt() throws Exception {
        Path file = validRegion();
        assertRefusedAsCorrupt(file, bytes -> bytes.putInt(8, 99), null, this::openRegion);
    }

    @Test
    void regionOfRandomBytesIsRefusedAsCorrupt() throws Exception {
        Path file = validRegion();
        assertRefusedAsCorrupt(file, HostileFilesTest::randomize, null, this::openRegion);
    }

    @Test
    void regionOfAnotherUserIsRefused() throws Exception {
        assertOtherUsersFileRefused(validRegion(), this::openRegion);
    }

    @Test
    void symlinkInPlaceOfARegionIsRefusedAndItsTargetUntouched() throws Exception {
        assertSymlinkRefused(IpcSharedMemory.regionPath(this.dir, "r"), this::openRegion);
    }

    // ------------------------------------------------------------------ queue files

    @Test
    void truncatedQueueIsRefusedAsCorrupt() throws Exception {
        Path file = validQueue();
        assertRefusedAsCorrupt(file, bytes -> { }, Arrays.copyOf(Files.readAllBytes(file), 1000), this::openQueue);
    }

    @Test
    void queueWithWrongMagicIsRefusedAsCorrupt() throws Exception {
        Path file = validQueue();
        assertRefusedAsCorrupt(file, bytes -> bytes.putLong(0, 0x1234), null, this::openQueue);
    }

    @Test
    void queueWithWrongVersionIsRefusedAsCorrupt() throws Exception {
        Path file = validQueue();
        assertRefusedAsCorrupt(file, bytes -> bytes.putInt(8, 99), null, this::openQueue);
    }

    @Test
    void queueOfRandomBytesIsRefusedAsCorrupt() throws Exception {
        Path file = validQueue();
        assertRefusedAsCorrupt(file, HostileFilesTest::randomize, null, this::openQueue);
    }

    /** Found by QueueFileFuzzTest: a tail that is no record boundary made the first send fail with IllegalStateException. */
    @Test
    void queueWithAMisalignedTailIsRefusedAsCorrupt() throws Exception {
        Path file = validQueue();
        assertRefusedAsCorrupt(file, bytes -> bytes.putLong(128, bytes.getLong(128) + 1), null, this::openQueue);
    }

    @Test
    void queueOfAnotherUserIsRefused() throws Exception {
        assertOtherUsersFileRefused(validQueue(), this::openQueue);
    }

    @Test
    void symlinkInPlaceOfAQueueIsRefusedAndItsTargetUntouched() throws Exception {
        assertSymlinkRefused(this.dir.resolve("q.queue"), this::openQueue);
    }

    // ------------------------------------------------------------------ pipe socket paths

    @Test
    void regularFileOfRandomBytesAtASocketPathIsReplacedNotRead() throws Exception {
        // nobody can listen on a regular file: it is a leftover, and replacing it is the documented recovery
        Path socket = this.dir.resolve("p.sock");
        Files.write(socket, new byte[] { 1, 2, 3 });
        try (IpcPipe pipe = openPipe()) {
            assertThat(Files.readAttributes(socket, java.nio.file.attribute.BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS).isOther()).as("a socket was bound in its place").isTrue();
        }
    }

    @Test
    void socketPathOfAnotherUserIsRefused() throws Exception {
        Path socket = this.dir.resolve("p.sock");
        Files.write(socket, new byte[] { 1, 2, 3 });
        assertOtherUsersFileRefused(socket, this::openPipe);
    }

    @Test
    void symlinkAtASocketPathIsRefusedAndItsTargetUntouched() throws Exception {
        assertSymlinkRefused(this.dir.resolve("p.sock"), this::openPipe);
    }

    // ------------------------------------------------------------------ helpers

    private AutoCloseable openRegion() {
        return IpcSharedMemory.open(this.dir, "r", SHM);
    }

    private AutoCloseable openQueue() {
        return IpcQueue.open(this.dir, "q", QUEUE);
    }

    private IpcPipe openPipe() {
        return IpcPipe.open(this.dir, "p", PipeOptions.builder().sendTimeout(Duration.ofMillis(100)).build());
    }

    private Path validRegion() {
        try (IpcSharedMemory region = IpcSharedMemory.open(this.dir, "r", SHM)) {
            region.longValue("a").set(1);
            return region.path();
        }
    }

    private Path validQueue() {
        try (IpcQueue queue = IpcQueue.open(this.dir, "q", QUEUE)) {
            queue.send(io.github.springipc.transport.IpcMessage.of("x".getBytes(StandardCharsets.US_ASCII)));
            return queue.path();
        }
    }

    private static void randomize(ByteBuffer bytes) {
        byte[] noise = new byte[bytes.capacity()];
        new Random(42).nextBytes(noise);
        bytes.put(0, noise);
    }

    /** Damages the file (or replaces it with {@code replacement}), then expects a refusal naming it and no change. */
    private static void assertRefusedAsCorrupt(Path file, Consumer<ByteBuffer> damage, byte[] replacement,
            ThrowingOpener opener) throws IOException {
        byte[] bytes = replacement != null ? replacement : Files.readAllBytes(file);
        damage.accept(ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN));
        Files.write(file, bytes);
        assertThatThrownBy(opener::open).isInstanceOf(IpcCorruptDataException.class)
                .hasMessageContaining(file.toString());
        assertThat(Files.readAllBytes(file)).as("the refused file is left as it was").isEqualTo(bytes);
    }

    private static void assertOtherUsersFileRefused(Path file, ThrowingOpener opener) throws IOException {
        assumeTrue(isRoot(), "skipped: chown to 'nobody' needs root, and this test runs as "
                + System.getProperty("user.name"));
        UserPrincipal nobody = file.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
        Files.setOwner(file, nobody);
        byte[] before = Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) ? Files.readAllBytes(file) : null;
        assertThatThrownBy(opener::open).isInstanceOf(IpcException.class).hasMessageContaining(file.toString())
                .hasMessageContaining("nobody");
        assertThat(Files.getOwner(file, LinkOption.NOFOLLOW_LINKS)).isEqualTo(nobody);
        if (before != null) {
            assertThat(Files.readAllBytes(file)).isEqualTo(before);
        }
    }

    private void assertSymlinkRefused(Path link, ThrowingOpener opener) throws IOException {
        Path target = Files.createTempFile(this.dir, "victim", ".txt");
        byte[] content = "precious".getBytes(StandardCharsets.US_ASCII);
        Files.write(target, content);
        Files.createSymbolicLink(link, target);
        assertThatThrownBy(opener::open).isInstanceOf(IpcException.class).hasMessageContaining(link.toString())
                .hasMessageContaining("symbolic link");
        assertThat(Files.readAllBytes(target)).as("the link's target").isEqualTo(content);
        assertThat(Files.isSymbolicLink(link)).as("the link is left for its owner to inspect").isTrue();
    }

    static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    @FunctionalInterface
    interface ThrowingOpener {

        AutoCloseable open() throws Exception;
    }
}

package io.github.springipc.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.github.springipc.process.SiblingJvm;
import io.github.springipc.transport.IpcDelivery;
import io.github.springipc.transport.IpcMessage;
import io.github.springipc.transport.IpcTimeoutException;
import io.github.springipc.transport.pipe.IpcPipe;
import io.github.springipc.transport.pipe.PipeOptions;
import io.github.springipc.transport.queue.IpcQueue;
import io.github.springipc.transport.queue.QueueOptions;

/**
 * Running out of something: space for a region or queue file, room in a queue, the pipe's
 * patience with connection floods, memory for a frame a peer announces. Each ends in a clear error
 * within bounded time and memory, and the channel goes on working.
 */
class ExhaustionTest {

    @TempDir
    Path dir;

    private final List<SiblingJvm> siblings = new ArrayList<>();

    @AfterEach
    void stop() {
        this.siblings.forEach(SiblingJvm::kill);
    }

    @ParameterizedTest
    @ValueSource(strings = { "queue", "shm" })
    void fullFileSystemFailsCreationClearlyAndLeavesNoFile(String kind) throws Exception {
        // a file-size limit makes writes fail as on a full /dev/shm (EFBIG instead of ENOSPC)
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder("bash", "-c", "ulimit -f 256 && exec \"$0\" -Xmx64m -cp \"$1\" "
                + ChannelCreatorMain.class.getName() + " \"$2\" \"$3\" 4194304", java,
                System.getProperty("java.class.path"), kind, this.dir.toString()).redirectErrorStream(true).start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        System.out.println("ExhaustionTest full file system, " + kind + ": " + output.strip().replace('\n', ' '));
        assertThat(output).contains("failed: IpcException: Could not create region " + this.dir.resolve("big."
                + (kind.equals("queue") ? "queue" : "shm"))).contains("still alive");
        assertThat(regularFiles()).as("files left behind").noneMatch(f -> f.contains("big.queue") || f.endsWith(".shm")
                || f.contains(".init-"));
    }

    @Test
    void tinyTmpfsFailsCreationClearly() throws Exception {
        assumeTrue(HostileFilesTest.isRoot(), "skipped: mounting a tmpfs needs root");
        Path mount = Files.createDirectory(this.dir.resolve("tiny"));
        Process mounting = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=256k,mode=0700", "tmpfs",
                mount.toString()).redirectErrorStream(true).start();
        String why = new String(mounting.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assumeTrue(mounting.waitFor(10, TimeUnit.SECONDS) && mounting.exitValue() == 0,
                "skipped: mount -t tmpfs is not permitted here (" + why + ")");
        try {
            Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx64m", "-cp", System.getProperty("java.class.path"), ChannelCreatorMain.class.getName(), "queue",
                    mount.resolve("ipc").toString(), "1048576").redirectErrorStream(true).start();
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            System.out.println("ExhaustionTest tiny tmpfs: " + output.strip().replace('\n', ' '));
            assertThat(output).contains("failed: IpcException: Could not create region").contains("still alive");
        }
        finally {
            new ProcessBuilder("umount", mount.toString()).start().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void fullQueueTimesOutClearlyAndRecoversOnceDrained() throws Exception {
        QueueOptions options = QueueOptions.builder().capacity(4096).build();
        try (IpcQueue queue = IpcQueue.open(this.dir, "small", options)) {
            byte[] payload = new byte[200];
            int accepted = 0;
            while (queue.trySend(IpcMessage.of(payload))) {
                accepted++;
            }
            long start = System.nanoTime();
            assertThatThrownBy(() -> queue.send(IpcMessage.of(payload), Duration.ofMillis(200)))
                    .isInstanceOf(IpcTimeoutException.class).hasMessageContaining("small")
                    .hasMessageContaining("full").hasMessageContaining("capacity");
            long waitedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            System.out.println("ExhaustionTest full queue: " + accepted + " messages fit, the next send gave up after "
                    + waitedMillis + " ms");
            assertThat(waitedMillis).isBetween(150L, 2000L);
            IpcDelivery first = queue.receive(Duration.ofSeconds(1));
            first.acknowledge();
            queue.send(IpcMessage.of(payload), Duration.ofSeconds(2));
        }
    }

    @Test
    void connectionFloodLeavesThePipeUsableWithBoundedThreadsAndDescriptors() throws Exception {
        PipeOptions options = PipeOptions.builder().handshakeTimeout(Duration.ofSeconds(1)).build();
        try (IpcPipe pipe = IpcPipe.open(this.dir, "flooded", options)) {
            int threadsBefore = Thread.activeCount();
            long fdsBefore = openDescriptors();
            List<SocketChannel> silent = new ArrayList<>();
            int refusedOrClosed = 0;
            int peakThreads = 0;
            for (int i = 0; i < 400; i++) {
                SocketChannel attacker = SocketChannel.open(StandardProtocolFamily.UNIX);
                try {
                    attacker.connect(UnixDomainSocketAddress.of(pipe.socketPath()));
                }
                catch (IOException backlogFull) {
                    refusedOrClosed++;
                    attacker.close();
                    continue;
                }
                if (i % 4 == 0) {
                    silent.add(attacker); // connects, then says nothing
                }
                else {
                    try {
                        attacker.write(ByteBuffer.wrap(new byte[] { 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff, 1, 2 }));
                    }
                    catch (IOException closedByThePipe) {
                        // a flooded pipe may close a pending connection before its garbage arrives
                        refusedOrClosed++;
                    }
                    attacker.close();
                }
                peakThreads = Math.max(peakThreads, Thread.activeCount());
            }
            SiblingJvm peer = SiblingJvm.builder(EchoPipePeer.class).jvmArguments("-Xmx64m", "-XX:TieredStopAtLevel=1")
                    .arguments(this.dir.toString(), "flooded").start();
            this.siblings.add(peer);
            peer.awaitLineContaining("READY", Duration.ofSeconds(30));
            assertThat(pipe.awaitConnected(Duration.ofSeconds(15))).as("the real peer got through").isTrue();
            pipe.send(IpcMessage.of("ping".getBytes(StandardCharsets.UTF_8)), Duration.ofSeconds(5));
            IpcDelivery echo = pipe.receive(Duration.ofSeconds(5));
            assertThat(new String(echo.message().payload(), StandardCharsets.UTF_8)).isEqualTo("echo:ping");
            echo.acknowledge();
            for (SocketChannel channel : silent) {
                channel.close();
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (openDescriptors() > fdsBefore + 20 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            System.out.printf("ExhaustionTest connection flood: 400 attempts (%d silent, %d refused by the backlog);"
                    + " threads %d before, %d at peak; descriptors %d before, %d after%n", silent.size(),
                    refusedOrClosed, threadsBefore, peakThreads, fdsBefore, openDescriptors());
            assertThat(peakThreads).as("threads during the flood").isLessThanOrEqualTo(threadsBefore + 20);
            assertThat(openDescriptors()).as("descriptors once the attackers left").isLessThanOrEqualTo(fdsBefore + 20);
        }
    }

    @ParameterizedTest
    @ValueSource(longs = { 0x7fff_ffffL, 1L << 31, Long.MAX_VALUE })
    void hugeAnnouncedFrameIsRefusedByASmallHeapPeerThatStaysUsable(long announced) throws Exception {
        SiblingJvm receiver = SiblingJvm.builder(EchoPipePeer.class).jvmArguments("-Xmx64m", "-XX:TieredStopAtLevel=1")
                .arguments(this.dir.toString(), "huge").start();
        this.siblings.add(receiver);
        receiver.awaitLineContaining("READY", Duration.ofSeconds(30));
        Path socket = this.dir.resolve("huge.sock");
        long start = System.nanoTime();
        try (SocketChannel attacker = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            attacker.write(RawPipePeer.hello());
            ByteBuffer hello = ByteBuffer.allocate(12);
            while (hello.hasRemaining()) {
                assertThat(attacker.read(hello)).as("the receiver's hello").isNotNegative();
            }
            ByteBuffer frame = ByteBuffer.allocate(16);
            if (announced <= Integer.MAX_VALUE) {
                frame.putInt((int) announced);
            }
            else {
                frame.putInt(-1).putLong(announced);
            }
            frame.put(new byte[] { 0, 1, 2, 3 }).flip();
            attacker.write(frame);
            ByteBuffer rest = ByteBuffer.allocate(64);
            int read;
            while ((read = attacker.read(rest)) >= 0) {
                rest.clear();
                assertThat(System.nanoTime() - start).as("the receiver closes the connection")
                        .isLessThan(TimeUnit.SECONDS.toNanos(10));
                assertThat(read).isNotNegative();
            }
        }
        long closedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(receiver.isAlive()).as("the receiver survived").isTrue();
        String reason = receiver.awaitLineContaining("announced a frame", Duration.ofSeconds(5));
        try (IpcPipe pipe = IpcPipe.open(this.dir, "huge", PipeOptions.builder()
                .reconnectBackoff(Duration.ofMillis(5), Duration.ofMillis(50)).build())) {
            pipe.send(IpcMessage.of("still there?".getBytes(StandardCharsets.UTF_8)), Duration.ofSeconds(10));
            IpcDelivery echo = pipe.receive(Duration.ofSeconds(10));
            assertThat(new String(echo.message().payload(), StandardCharsets.UTF_8)).isEqualTo("echo:still there?");
            echo.acknowledge();
        }
        System.out.println("ExhaustionTest huge frame of " + Long.toUnsignedString(announced) + " bytes to a -Xmx64m"
                + " receiver: connection closed after " + closedMillis + " ms; it logged: " + reason.strip());
    }

    private List<String> regularFiles() throws IOException {
        try (Stream<Path> files = Files.walk(this.dir)) {
            return files.filter(Files::isRegularFile).map(Path::toString).toList();
        }
    }

    private static long openDescriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }
}

package io.github.springipc.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.springipc.process.SiblingJvm;
import io.github.springipc.transport.IpcDelivery;
import io.github.springipc.transport.IpcMessage;
import io.github.springipc.transport.IpcTimeoutException;
import io.github.springipc.transport.pipe.IpcPipe;
import io.github.springipc.transport.pipe.PipeOptions;

/** Peers that must not get in: another user, a wrong authkey. */
class HostilePeersTest {

    @TempDir
    Path temp;

    private final List<SiblingJvm> siblings = new ArrayList<>();

    @AfterEach
    void stop() {
        this.siblings.forEach(SiblingJvm::kill);
    }

    @Test
    void peerOfAnotherUserIsRefusedEvenWhenTheSocketModeLetsItConnect() throws Exception {
        assumeTrue(HostileFilesTest.isRoot(), "skipped: running a peer as 'nobody' needs root, and this test runs as "
                + System.getProperty("user.name"));
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "skipped: /usr/bin/setpriv is absent");
        // 'nobody' may reach the socket through the group (root): only the peer-user check stands in its way
        Files.setPosixFilePermissions(this.temp, PosixFilePermissions.fromString("rwx--x--x"));
        Path dir = this.temp.resolve("ipc");
        PipeOptions options = PipeOptions.builder().socketFilePermissions(PosixFilePermissions.fromString("rw-rw----"))
                .handshakeTimeout(Duration.ofSeconds(2)).build();
        try (IpcPipe pipe = IpcPipe.open(dir, "guarded", options)) {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-x---"));
            Path peerClasses = copyOfRawPeerClass();
            String asNobody = runRawPeer(peerClasses, pipe.socketPath(), "setpriv", "--reuid=nobody", "--regid=0",
                    "--clear-groups");
            assertThat(pipe.isConnected()).isFalse();
            String asRoot = runRawPeer(peerClasses, pipe.socketPath());
            System.out.println("HostilePeersTest: peer as nobody -> " + asNobody + "; as root -> " + asRoot);
            assertThat(asNobody).startsWith("REFUSED").doesNotContain("at connect");
            assertThat(asRoot).as("the same peer as this user (proves the refusal is the user check)")
                    .isEqualTo("ACCEPTED");
        }
    }

    @Test
    void peerWithAWrongAuthkeyNeverConnectsAndSendsTimeOut() throws Exception {
        PipeOptions options = PipeOptions.builder().authkey("right".getBytes(StandardCharsets.UTF_8))
                .handshakeTimeout(Duration.ofSeconds(1)).sendTimeout(Duration.ofMillis(500)).build();
        Path dir = this.temp.resolve("ipc");
        try (IpcPipe pipe = IpcPipe.open(dir, "keyed", options)) {
            SiblingJvm wrong = SiblingJvm.builder(EchoPipePeer.class).jvmArguments("-Xmx64m", "-XX:TieredStopAtLevel=1")
                    .arguments(dir.toString(), "keyed", "wrong").start();
            this.siblings.add(wrong);
            assertThat(wrong.awaitExit(Duration.ofSeconds(30))).as("exit status of the peer with the wrong key")
                    .isNotZero();
            assertThat(String.join("\n", wrong.output())).contains("IpcAuthenticationException")
                    .contains("rejected this process's authkey");
            assertThat(pipe.isConnected()).as("connected with a wrong authkey").isFalse();
            assertThatThrownBy(() -> pipe.send(IpcMessage.of(new byte[] { 1 }))).isInstanceOf(IpcTimeoutException.class);
            start(dir, "keyed", "right");
            assertThat(pipe.awaitConnected(Duration.ofSeconds(10))).as("connected with the right authkey").isTrue();
            pipe.send(IpcMessage.of("hi".getBytes(StandardCharsets.UTF_8)), Duration.ofSeconds(5));
            IpcDelivery echo = pipe.receive(Duration.ofSeconds(5));
            assertThat(new String(echo.message().payload(), StandardCharsets.UTF_8)).isEqualTo("echo:hi");
            echo.acknowledge();
        }
    }

    private SiblingJvm start(Path dir, String pipe, String authkey) {
        SiblingJvm jvm = SiblingJvm.builder(EchoPipePeer.class).jvmArguments("-Xmx64m", "-XX:TieredStopAtLevel=1")
                .arguments(dir.toString(), pipe, authkey).start();
        this.siblings.add(jvm);
        jvm.awaitLineContaining("READY", Duration.ofSeconds(30));
        return jvm;
    }

    /** The peer class alone, in a directory any user can read (the test classpath may not be). */
    private Path copyOfRawPeerClass() throws Exception {
        Path root = Files.createDirectories(this.temp.resolve("peer"));
        String resource = RawPipePeer.class.getName().replace('.', '/') + ".class";
        Path target = root.resolve(resource);
        Files.createDirectories(target.getParent());
        try (var in = RawPipePeer.class.getClassLoader().getResourceAsStream(resource)) {
            Files.copy(in, target);
        }
        try (var paths = Files.walk(root)) {
            for (Path path : (Iterable<Path>) paths::iterator) {
                Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(
                        Files.isDirectory(path) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
        return root;
    }

    private static String runRawPeer(Path classes, Path socket, String... prefix) throws Exception {
        List<String> command = new ArrayList<>(List.of(prefix));
        command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx32m", "-cp",
                classes.toString(), RawPipePeer.class.getName(), socket.toString()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("the raw peer finished").isTrue();
        return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    }
}

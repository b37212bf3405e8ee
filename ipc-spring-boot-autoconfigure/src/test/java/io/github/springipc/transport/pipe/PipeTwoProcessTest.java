package io.github.springipc.transport.pipe;

import static io.github.springipc.transport.pipe.PipeTestSupport.STARTUP;
import static io.github.springipc.transport.pipe.PipeTestSupport.SHORT;
import static io.github.springipc.transport.pipe.PipeTestSupport.startPeer;
import static io.github.springipc.transport.pipe.PipeTestSupport.text;
import static io.github.springipc.transport.pipe.PipeTestSupport.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.springipc.process.SiblingJvm;
import io.github.springipc.transport.IpcDelivery;
import io.github.springipc.transport.IpcMessage;

/** Two JVMs on one pipe, with no role configured. */
class PipeTwoProcessTest {

    @TempDir
    Path dir;

    @Test
    void whenThisProcessStartsFirstItBindsAndTheLaterOneConnects() throws Exception {
        try (IpcPipe pipe = IpcPipe.open(this.dir, "p", PipeOptions.defaults())) {
            assertThat(pipe.activeRole()).isEqualTo(PipeRole.BIND);
            assertThat(pipe.state()).isEqualTo(PipeState.WAITING_FOR_PEER);
            try (SiblingJvm peer = startPeer("peer", this.dir, "p", "echo")) {
                assertThat(peer.awaitLineContaining("READY", STARTUP)).isEqualTo("READY CONNECT");
                assertThat(pipe.awaitConnected(SHORT)).isTrue();
                IpcMessage reply = pipe.request(IpcMessage.of(utf8("hi")), SHORT);
                assertThat(text(reply.payload())).isEqualTo("echo:hi");
                assertThat(pipe.state()).isEqualTo(PipeState.CONNECTED);
            }
        }
    }

    @Test
    void whenThePeerStartsFirstThisProcessConnects() throws Exception {
        try (SiblingJvm peer = startPeer("peer", this.dir, "p", "echo")) {
            assertThat(peer.awaitLineContaining("READY", STARTUP)).isEqualTo("READY BIND");
            try (IpcPipe pipe = IpcPipe.open(this.dir, "p", PipeOptions.defaults())) {
                assertThat(pipe.activeRole()).isEqualTo(PipeRole.CONNECT);
                assertThat(pipe.isConnected()).isTrue();
                assertThat(text(pipe.request(IpcMessage.of(utf8("there")), SHORT).payload())).isEqualTo("echo:there");
            }
        }
    }

    @Test
    void theSocketFileIsPrivateToItsOwner() throws Exception {
        try (IpcPipe pipe = IpcPipe.open(this.dir, "p", PipeOptions.defaults())) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(pipe.socketPath())))
                    .isEqualTo("rw-------");
        }
        assertThat(this.dir.resolve("p.sock")).doesNotExist();
    }

    @Test
    void aGroupSocketFileModeIsAppliedToTheSocketFileAndThePeerStillConnects() throws Exception {
        PipeOptions group = PipeOptions.builder()
                .socketFilePermissions(PosixFilePermissions.fromString("rw-rw----")).build();
        try (IpcPipe pipe = IpcPipe.open(this.dir, "p", group)) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(pipe.socketPath())))
                    .isEqualTo("rw-rw----");
            try (SiblingJvm peer = startPeer("peer", this.dir, "p", "echo")) {
                peer.awaitLineContaining("READY", STARTUP);
                assertThat(text(pipe.request(IpcMessage.of(utf8("group")), SHORT).payload())).isEqualTo("echo:group");
            }
        }
    }

    @Test
    void aHundredThousandMessagesArriveInOrderWithNoneLost() throws Exception {
        int count = 100_000;
        try (IpcPipe pipe = IpcPipe.open(this.dir, "p", PipeOptions.defaults());
                SiblingJvm sink = startPeer("sink", this.dir, "p", "sink", Integer.toString(count))) {
            sink.awaitLineContaining("READY", STARTUP);
            byte[] payload = new byte[8];
            ByteBuffer view = ByteBuffer.wrap(payload);
            for (long i = 0; i < count; i++) {
                view.putLong(0, i);
                pipe.send(payload);
            }
            assertThat(sink.awaitLine(line -> line.startsWith("SINK"), Duration.ofSeconds(60)))
                    .isEqualTo("SINK OK " + count);
            IpcDelivery done = pipe.receive(SHORT);
            assertThat(text(done)).isEqualTo("done");
            done.acknowledge();
        }
    }

    @Test
    void requestsAndRepliesFlowBothWays() throws Exception {
        try (IpcPipe pipe = IpcPipe.open(this.dir, "p", PipeOptions.defaults());
                SiblingJvm peer = startPeer("peer", this.dir, "p", "echo")) {
            peer.awaitLineContaining("READY", STARTUP);
            assertThat(text(pipe.request(IpcMessage.of(utf8("from-parent")), SHORT).payload()))
                    .isEqualTo("echo:from-parent");

            peer.writeLine("request from-child");
            IpcDelivery request = pipe.receive(SHORT);
            assertThat(text(request)).isEqualTo("from-child");
            assertThat(request.expectsReply()).isTrue();
            request.reply(IpcMessage.of(utf8("answer")));
            request.acknowledge();
            assertThat(peer.awaitLineContaining("REPLY", SHORT)).isEqualTo("REPLY answer");
        }
    }

    @Test
    void aThirdProcessIsRefusedWithAClearError() throws Exception {
        try (IpcPipe pipe = IpcPipe.open(this.dir, "p", PipeOptions.defaults());
                SiblingJvm peer = startPeer("peer", this.dir, "p", "echo")) {
            peer.awaitLineContaining("READY", STARTUP);
            assertThat(pipe.awaitConnected(SHORT)).isTrue();
            try (SiblingJvm third = startPeer("third", this.dir, "p", "third")) {
                String line = third.awaitLine(l -> l.startsWith("REFUSED") || l.startsWith("OPENED")
                        || l.startsWith("ERROR"), STARTUP);
                assertThat(line).startsWith("REFUSED").contains("already has two ends");
            }
            assertThat(text(pipe.request(IpcMessage.of(utf8("still")), SHORT).payload())).isEqualTo("echo:still");
        }
    }
}

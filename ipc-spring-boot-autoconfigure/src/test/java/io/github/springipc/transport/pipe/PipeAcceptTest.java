package io.github.springipc.transport.pipe;

import static io.github.springipc.transport.pipe.PipeTestSupport.STARTUP;
import static io.github.springipc.transport.pipe.PipeTestSupport.SHORT;
import static io.github.springipc.transport.pipe.PipeTestSupport.startPeer;
import static io.github.springipc.transport.pipe.PipeTestSupport.text;
import static io.github.springipc.transport.pipe.PipeTestSupport.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.springipc.process.SiblingJvm;
import io.github.springipc.transport.IpcMessage;

/** The binder's handshakes run beside each other: connection attempts that stall delay nobody. */
class PipeAcceptTest {

    @TempDir
    Path dir;

    @Test
    void connectorsThatSendNothingDoNotDelayAProperPeer() throws Exception {
        Duration handshakeTimeout = Duration.ofSeconds(60);
        List<SocketChannel> stalling = new ArrayList<>();
        try (IpcPipe pipe = IpcPipe.open(this.dir, "p", PipeOptions.builder().handshakeTimeout(handshakeTimeout)
                .build())) {
            for (int i = 0; i < 5; i++) {
                SocketChannel silent = SocketChannel.open(StandardProtocolFamily.UNIX);
                silent.connect(UnixDomainSocketAddress.of(pipe.socketPath()));
                stalling.add(silent); // connected, and never says a word
            }
            try (SiblingJvm peer = startPeer("peer", this.dir, "p", "echo")) {
                assertThat(peer.awaitLineContaining("READY", STARTUP)).isEqualTo("READY CONNECT");
                long start = System.nanoTime();
                assertThat(pipe.awaitConnected(SHORT)).isTrue();
                assertThat(text(pipe.request(IpcMessage.of(utf8("through")), SHORT).payload()))
                        .isEqualTo("echo:through");
                assertThat(Duration.ofNanos(System.nanoTime() - start))
                        .as("served well within the 60 s handshake-timeout the silent connections may use")
                        .isLessThan(Duration.ofSeconds(10));
            }
        }
        finally {
            for (SocketChannel silent : stalling) {
                silent.close();
            }
        }
    }
}

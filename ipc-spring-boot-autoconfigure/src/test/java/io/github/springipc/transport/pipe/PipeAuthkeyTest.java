package io.github.springipc.transport.pipe;

import static io.github.springipc.transport.pipe.PipeTestSupport.SHORT;
import static io.github.springipc.transport.pipe.PipeTestSupport.STARTUP;
import static io.github.springipc.transport.pipe.PipeTestSupport.startPeer;
import static io.github.springipc.transport.pipe.PipeTestSupport.text;
import static io.github.springipc.transport.pipe.PipeTestSupport.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.springipc.process.SiblingJvm;
import io.github.springipc.transport.IpcMessage;

/** The shared-secret challenge-response between two JVMs. */
class PipeAuthkeyTest {

    @TempDir
    Path dir;

    @Test
    void aWrongAuthkeyIsRefusedAndTheRightOneIsAcceptedAfter() {
        try (SiblingJvm binder = startPeer("binder", this.dir, "p", "echo", "authkey=right")) {
            binder.awaitLineContaining("READY BIND", STARTUP);
            assertThatThrownBy(() -> IpcPipe.open(this.dir, "p", withKey("wrong")))
                    .isInstanceOf(IpcAuthenticationException.class).hasMessageContaining("Pipe 'p'")
                    .hasMessageContaining("authkey");
            assertThatThrownBy(() -> IpcPipe.open(this.dir, "p", PipeOptions.defaults()))
                    .as("no authkey at all").isInstanceOf(RuntimeException.class);
            try (IpcPipe pipe = IpcPipe.open(this.dir, "p", withKey("right"))) {
                assertThat(text(pipe.request(IpcMessage.of(utf8("in")), SHORT).payload())).isEqualTo("echo:in");
            }
        }
    }

    private static PipeOptions withKey(String key) {
        return PipeOptions.builder().authkey(utf8(key)).handshakeTimeout(java.time.Duration.ofSeconds(2)).build();
    }
}

package io.github.springipc.transport.pipe;

import static io.github.springipc.transport.pipe.PipeTestSupport.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.springipc.transport.IpcMessage;

/**
 * On a RAW pipe a reply is just the next frame, so an end is either a client (request) or a
 * server (receive and reply), never both: a frame its peer sent on its own would pass for a reply.
 */
class PipeRawRequestTest {

    private static final PipeOptions RAW = PipeOptions.builder().wireFormat(PipeWireFormat.RAW).build();

    @TempDir
    Path dir;

    @Test
    void aRawEndThatReceivesRefusesToSendRequests() throws Exception {
        try (IpcPipe server = IpcPipe.open(this.dir, "p", RAW.toBuilder().role(PipeRole.BIND).build());
                IpcPipe client = IpcPipe.open(this.dir, "p", RAW.toBuilder().role(PipeRole.CONNECT).build())) {
            assertThat(server.receive(Duration.ofMillis(1))).isNull();
            assertThatThrownBy(() -> server.request(IpcMessage.of(utf8("q")), Duration.ofSeconds(1)))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("Pipe 'p'")
                    .hasMessageContaining("wire-format RAW").hasMessageContaining("receive");
        }
    }

    @Test
    void aRawClientGetsTheNextFrameAsItsReply() throws Exception {
        try (IpcPipe server = IpcPipe.open(this.dir, "p", RAW.toBuilder().role(PipeRole.BIND).build());
                IpcPipe client = IpcPipe.open(this.dir, "p", RAW.toBuilder().role(PipeRole.CONNECT).build())) {
            Thread answering = new Thread(() -> {
                try {
                    var request = server.receive(Duration.ofSeconds(10));
                    request.reply(IpcMessage.of(utf8("answer")));
                    request.acknowledge();
                }
                catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
            });
            answering.start();
            assertThat(client.request(IpcMessage.of(utf8("q")), Duration.ofSeconds(10)).payload())
                    .isEqualTo(utf8("answer"));
            answering.join(10_000);
        }
    }
}

package io.github.springipc.transport.pipe;

import static io.github.springipc.transport.pipe.PipeTestSupport.SHORT;
import static io.github.springipc.transport.pipe.PipeTestSupport.STARTUP;
import static io.github.springipc.transport.pipe.PipeTestSupport.startPeer;
import static io.github.springipc.transport.pipe.PipeTestSupport.text;
import static io.github.springipc.transport.pipe.PipeTestSupport.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.springipc.process.SiblingJvm;
import io.github.springipc.transport.IpcDelivery;
import io.github.springipc.transport.IpcException;
import io.github.springipc.transport.IpcMessage;
import io.github.springipc.transport.IpcMessageCodec;

/**
 * Sends that fail on this side are told the truth and leave the connection as it was: an
 * interrupted sender learns that its message is queued (and it arrives); a message the codec
 * refuses leaves nothing in the outgoing buffer.
 */
class PipeFailedSendTest {

    @TempDir
    Path dir;

    @Test
    void aSendInterruptedBeforeItsWriteSaysTheMessageIsQueuedAndTheMessageArrives() throws Exception {
        try (IpcPipe pipe = IpcPipe.open(this.dir, "p", PipeOptions.defaults());
                SiblingJvm mirror = startPeer("mirror", this.dir, "p", "mirror")) {
            mirror.awaitLineContaining("READY", STARTUP);
            assertThat(pipe.awaitConnected(SHORT)).isTrue();
            // an idle pipe: the sender writes its message itself, and checks for the interrupt first
            Thread.currentThread().interrupt();
            assertThatThrownBy(() -> pipe.send(utf8("first"))).isInstanceOf(IpcException.class)
                    .hasMessageContaining("interrupted while sending; the message is queued");
            assertThat(Thread.interrupted()).as("the interrupt is kept").isTrue();
            pipe.send(utf8("second"));
            for (String expected : new String[] { "first", "second" }) {
                IpcDelivery back = pipe.receive(Duration.ofSeconds(10));
                assertThat(back).as("the echo of '%s'", expected).isNotNull();
                assertThat(text(back)).isEqualTo(expected);
                back.acknowledge();
            }
        }
    }

    @Test
    void aMessageTheCodecRefusesLeavesNothingBehindInTheSharedBuffer() throws Exception {
        // confirm-delivery: every frame takes the shared buffer (no owner lane)
        PipeOptions options = PipeOptions.builder().confirmDelivery(true).build();
        try (IpcPipe pipe = IpcPipe.open(this.dir, "p", options);
                SiblingJvm mirror = startPeer("mirror", this.dir, "p", "mirror")) {
            mirror.awaitLineContaining("READY", STARTUP);
            assertThat(pipe.awaitConnected(SHORT)).isTrue();
            Map<String, String> tooMany = new LinkedHashMap<>();
            for (int i = 0; i <= IpcMessageCodec.MAX_HEADERS; i++) {
                tooMany.put("h" + i, "v");
            }
            assertThatThrownBy(() -> pipe.send(IpcMessage.of(tooMany, utf8("refused"))))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("headers");
            pipe.send(utf8("after"));
            IpcDelivery back = pipe.receive(Duration.ofSeconds(10));
            assertThat(back).as("the echo of the next message").isNotNull();
            assertThat(text(back)).isEqualTo("after");
            back.acknowledge();
        }
    }
}

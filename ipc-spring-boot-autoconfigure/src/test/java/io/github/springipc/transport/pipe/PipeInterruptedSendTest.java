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

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.springipc.process.SiblingJvm;
import io.github.springipc.transport.IpcDelivery;
import io.github.springipc.transport.IpcException;

/** A sender interrupted as it writes is told the truth: its message is queued, and it arrives. */
class PipeInterruptedSendTest {

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
}

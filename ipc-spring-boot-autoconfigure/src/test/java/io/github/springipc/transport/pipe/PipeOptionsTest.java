package io.github.springipc.transport.pipe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class PipeOptionsTest {

    @Test
    void defaultsAreDocumentedValues() {
        PipeOptions defaults = PipeOptions.defaults();
        assertThat(defaults.role()).isEqualTo(PipeRole.AUTO);
        assertThat(defaults.wireFormat()).isEqualTo(PipeWireFormat.ENVELOPE);
        assertThat(defaults.maxMessageSize()).isEqualTo(16 * 1024 * 1024);
        assertThat(defaults.confirmDelivery()).isFalse();
        assertThat(defaults.authkey()).isNull();
        assertThat(defaults.allowedUsers()).isEmpty();
    }

    @Test
    void confirmationsNeedTheEnvelopeFormat() {
        assertThatThrownBy(() -> PipeOptions.builder().wireFormat(PipeWireFormat.RAW).confirmDelivery(true).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ENVELOPE");
    }

    @Test
    void nonsenseValuesAreRejected() {
        assertThatThrownBy(() -> PipeOptions.builder().sendTimeout(Duration.ZERO))
                .hasMessageContaining("sendTimeout");
        assertThatThrownBy(() -> PipeOptions.builder().authkey(new byte[0])).hasMessageContaining("authkey");
    }
}

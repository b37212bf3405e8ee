package io.github.springipc.test;

import java.time.Duration;

import io.github.springipc.transport.IpcClosedException;
import io.github.springipc.transport.IpcDelivery;
import io.github.springipc.transport.IpcMessage;
import io.github.springipc.transport.IpcTimeoutException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InMemoryIpcChannelTests {

    private final InMemoryIpcChannel channel = new InMemoryIpcChannel("c");

    @Test
    void releasedMessageComesBackFirstWithTheNextDeliveryAttempt() throws Exception {
        this.channel.send(IpcMessage.of(new byte[] { 1 }), Duration.ZERO);
        this.channel.send(IpcMessage.of(new byte[] { 2 }), Duration.ZERO);
        IpcDelivery first = this.channel.receive(Duration.ZERO);
        first.release();
        IpcDelivery again = this.channel.receive(Duration.ZERO);
        assertThat(again.message().payload()).containsExactly(1);
        assertThat(again.deliveryAttempt()).isEqualTo(2);
        assertThat(this.channel.releasedCount()).isEqualTo(1);
    }

    @Test
    void deliveryCanBeSettledOnlyOnce() throws Exception {
        this.channel.send(IpcMessage.of(new byte[] { 1 }), Duration.ZERO);
        IpcDelivery delivery = this.channel.receive(Duration.ZERO);
        delivery.acknowledge();
        assertThatIllegalStateException().isThrownBy(delivery::release);
    }

    @Test
    void requestWithoutConsumerTimesOut() {
        assertThatThrownBy(() -> this.channel.request(IpcMessage.of(new byte[0]), Duration.ofMillis(20)))
                .isInstanceOf(IpcTimeoutException.class).hasMessageContaining("'c'");
    }

    @Test
    void closedChannelRefusesReceive() {
        this.channel.close();
        assertThatThrownBy(() -> this.channel.receive(Duration.ZERO)).isInstanceOf(IpcClosedException.class);
    }
}

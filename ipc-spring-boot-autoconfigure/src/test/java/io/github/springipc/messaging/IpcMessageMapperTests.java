package io.github.springipc.messaging;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import io.github.springipc.transport.IpcMessage;
import org.junit.jupiter.api.Test;

import org.springframework.messaging.Message;
import org.springframework.messaging.support.MessageBuilder;
import org.springframework.util.MimeTypeUtils;

import static org.assertj.core.api.Assertions.assertThat;

class IpcMessageMapperTests {

    private final IpcMessageMapper mapper = new IpcMessageMapper();

    @Test
    void receivedHeadersAreStringsPlusTypedChannelAndAttempt() {
        IpcMessage wire = IpcMessage.of(Map.of("k", "v"), new byte[] { 1 });
        Message<byte[]> message = this.mapper.toMessage(wire, "jobs", 3, "worker");
        assertThat(message.getHeaders()).containsEntry("k", "v").containsEntry(IpcHeaders.CHANNEL, "jobs")
                .containsEntry(IpcHeaders.DELIVERY_ATTEMPT, 3).containsEntry(IpcHeaders.LISTENER_ID, "worker");
    }

    @Test
    void receiptOnlyHeadersAreNotSentOnAgain() {
        Message<byte[]> received = this.mapper.toMessage(IpcMessage.of(Map.of("k", "v"), new byte[0]), "jobs", 2, "w");
        IpcMessage forwarded = this.mapper.toIpcMessage(received);
        assertThat(forwarded.headers()).containsOnlyKeys("k");
    }

    @Test
    void mimeTypeAndNumbersAreSentAsText() {
        Message<byte[]> message = MessageBuilder.withPayload("x".getBytes(StandardCharsets.UTF_8))
                .setHeader("contentType", MimeTypeUtils.APPLICATION_JSON).setHeader("n", 42L)
                .setHeader("object", new Object()).build();
        IpcMessage wire = this.mapper.toIpcMessage(message);
        assertThat(wire.headers()).containsEntry("contentType", "application/json").containsEntry("n", "42")
                .doesNotContainKey("object");
    }

    @Test
    void receivedIdAndTimestampHeadersDoNotReplaceSpringsOwn() {
        IpcMessage wire = IpcMessage.of(Map.of("id", "from-python", "timestamp", "yesterday", "k", "v"), new byte[0]);

        Message<byte[]> message = this.mapper.toMessage(wire, "jobs", 1, "worker");

        assertThat(message.getHeaders().getId()).isNotNull();
        assertThat(message.getHeaders().getTimestamp()).isNotNull();
        assertThat(message.getHeaders()).containsEntry("k", "v");
    }

    @Test
    void everyReceivedMessageHasItsOwnId() {
        IpcMessage wire = IpcMessage.of(Map.of("k", "v"), new byte[0]);

        assertThat(this.mapper.toMessage(wire, "jobs", 1).getHeaders().getId())
                .isNotEqualTo(this.mapper.toMessage(wire, "jobs", 1).getHeaders().getId());
    }
}

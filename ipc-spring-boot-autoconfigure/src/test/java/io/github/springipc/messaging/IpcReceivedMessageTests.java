package io.github.springipc.messaging;

import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import io.github.springipc.transport.IpcMessage;
import org.junit.jupiter.api.Test;

import org.springframework.messaging.Message;
import org.springframework.messaging.MessageHeaders;

import static org.assertj.core.api.Assertions.assertThat;

/** A received message builds its Spring headers once, on demand, and they never change. */
class IpcReceivedMessageTests {

    private final IpcMessageMapper mapper = new IpcMessageMapper();

    private final IpcMessage wire = IpcMessage.of(Map.of("contentType", "application/json", "k", "v"), new byte[] { 1, 2 });

    @Test
    void wireHeadersAndPayloadAreThereWithoutBuildingSpringHeaders() {
        Message<byte[]> message = this.mapper.toMessage(this.wire, "jobs", 2, "worker");

        assertThat(message).isInstanceOf(IpcReceivedMessage.class);
        IpcReceivedMessage received = (IpcReceivedMessage) message;
        assertThat(received.wireHeader("contentType")).isEqualTo("application/json");
        assertThat(received.wireHeader("missing")).isNull();
        assertThat(received.getPayload()).isSameAs(this.wire.payload());
        assertThat(received.ipcMessage()).isSameAs(this.wire);
    }

    @Test
    void headersAreBuiltOnceWithTheReceiptHeaders() {
        Message<byte[]> message = this.mapper.toMessage(this.wire, "jobs", 2, "worker");

        MessageHeaders headers = message.getHeaders();

        assertThat(message.getHeaders()).isSameAs(headers);
        assertThat(headers).containsEntry("k", "v").containsEntry(IpcHeaders.CHANNEL, "jobs")
                .containsEntry(IpcHeaders.DELIVERY_ATTEMPT, 2).containsEntry(IpcHeaders.LISTENER_ID, "worker")
                .containsEntry(MessageHeaders.CONTENT_TYPE, "application/json");
        assertThat(headers.getId()).isNotNull();
        assertThat(headers.getTimestamp()).isNotNull();
    }

    @Test
    void threadsAskingAtOnceSeeTheSameId() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            for (int round = 0; round < 200; round++) {
                Message<byte[]> message = this.mapper.toMessage(this.wire, "jobs", 1);
                Set<UUID> ids = ConcurrentHashMap.newKeySet();
                CountDownLatch start = new CountDownLatch(1);
                CountDownLatch done = new CountDownLatch(4);
                for (int t = 0; t < 4; t++) {
                    pool.execute(() -> {
                        try {
                            start.await();
                            ids.add(message.getHeaders().getId());
                        }
                        catch (InterruptedException ex) {
                            Thread.currentThread().interrupt();
                        }
                        finally {
                            done.countDown();
                        }
                    });
                }
                start.countDown();
                assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
                assertThat(ids).hasSize(1);
            }
        }
        finally {
            pool.shutdownNow();
        }
    }

    @Test
    void isEqualOnlyToItselfAndPrintsLikeAMessage() {
        Message<byte[]> message = this.mapper.toMessage(this.wire, "jobs", 1);

        assertThat(message).isEqualTo(message).isNotEqualTo(this.mapper.toMessage(this.wire, "jobs", 1));
        assertThat(message.toString()).contains("payload=byte[2]").contains("ipc_channel=jobs");
    }
}

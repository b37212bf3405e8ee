package io.github.springipc.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

import io.github.springipc.transport.IpcDelivery;
import io.github.springipc.transport.IpcException;
import io.github.springipc.transport.IpcMessage;
import io.github.springipc.transport.queue.IpcQueue;
import io.github.springipc.transport.queue.QueueOptions;

/**
 * Coverage-guided fuzzing of queue header and record validation: a real queue file, written by
 * this library with messages in every state, has bytes overwritten by the fuzz input, and is then
 * opened, drained, cleaned up and sent to. The only acceptable failures are {@link IpcException}s
 * with a message; no other exception, no allocation of an announced size, no endless loop.
 */
class QueueFileFuzzTest {

    private static final QueueOptions OPTIONS = QueueOptions.builder().capacity(4096).slots(2).maxMessageSize(1600)
            .sendTimeout(Duration.ZERO).livenessInterval(Duration.ofMillis(10)).build();

    private static final Path DIR = CorruptedFileImage.directory("ipc-fuzz-queue");

    private static final byte[] TEMPLATE = template();

    @FuzzTest(maxDuration = "60s")
    void aCorruptedQueueFileFailsClearlyOrStillWorks(FuzzedDataProvider data) throws Exception {
        byte[] image = CorruptedFileImage.patch(TEMPLATE, data);
        Path file = DIR.resolve("q.queue");
        CorruptedFileImage.write(file, image);
        IpcQueue queue;
        try {
            queue = IpcQueue.open(DIR, "q", OPTIONS);
        }
        catch (IpcException refused) {
            assertThat(refused.getMessage()).contains(file.toString());
            return;
        }
        try {
            for (int i = 0; i < 16; i++) {
                IpcDelivery delivery = queue.poll();
                if (delivery == null) {
                    break;
                }
                // bounded by the ring (the mapped file), not by max-message-size: a producer configured
                // with a larger limit may write larger records (docs/reliability.md)
                assertThat(delivery.message().payload().length).isLessThanOrEqualTo(OPTIONS.capacity());
                delivery.acknowledge();
            }
            queue.housekeeping();
            queue.trySend(IpcMessage.of("after".getBytes(StandardCharsets.US_ASCII)));
            queue.poll();
        }
        catch (IpcException clear) {
            assertThat(clear.getMessage()).isNotBlank();
        }
        finally {
            queue.close();
        }
    }

    /**
     * A queue holding acknowledged messages, two available ones (an envelope and raw bytes), a
     * claimed one whose consumer is gone, and a wrapped padding record.
     */
    private static byte[] template() {
        try (IpcQueue queue = IpcQueue.open(DIR, "template", OPTIONS)) {
            for (int i = 0; i < 3; i++) { // the third wraps: a padding record fills the ring's end
                queue.send(IpcMessage.of(new byte[1500]));
                queue.poll().acknowledge();
            }
            queue.send(IpcMessage.of(java.util.Map.of("k", "v"), "hello".getBytes(StandardCharsets.US_ASCII)));
            queue.tryWrite(ByteBuffer.wrap(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 }));
            queue.send(IpcMessage.of("held".getBytes(StandardCharsets.US_ASCII)));
            byte[] image = Files.readAllBytes(queue.path());
            return image;
        }
        catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
    }
}

package io.github.springipc.transport.pipe;

import java.nio.ByteBuffer;

/**
 * Receives message payloads of a pipe in place, without copies or allocation, from
 * {@link IpcPipe#drain(PipeMessageHandler, int, java.time.Duration)}.
 *
 * <pre>{@code
 * int handled = pipe.drain((buffer, offset, length) -> sum += buffer.getLong(offset), 1024, Duration.ofSeconds(1));
 * }</pre>
 */
@FunctionalInterface
public interface PipeMessageHandler {

    /**
     * Handles one message's payload: bytes {@code [offset, offset + length)} of {@code buffer}
     * (read-only, big-endian, absolute indexes: its position and limit mean nothing). The bytes
     * are valid only during the call; copy what must outlive it. Headers a peer sent with the
     * message are not visible here.
     *
     * @throws RuntimeException to stop the batch: this message counts as taken (it is not
     *         delivered again), the ones after it stay for the next {@code drain} or
     *         {@code receive}, and the exception reaches the caller of {@code drain}
     */
    void onMessage(ByteBuffer buffer, int offset, int length);
}

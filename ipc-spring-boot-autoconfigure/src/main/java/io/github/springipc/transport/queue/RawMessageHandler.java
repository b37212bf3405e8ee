package io.github.springipc.transport.queue;

import java.nio.ByteBuffer;

/**
 * Receives records of a queue in place, without copies or allocation, from
 * {@link IpcQueue#drain(RawMessageHandler, int)}.
 *
 * <pre>{@code
 * int handled = queue.drain((buffer, offset, length) -> total += buffer.getLong(offset), 256);
 * }</pre>
 */
@FunctionalInterface
public interface RawMessageHandler {

    /**
     * Handles one message: bytes {@code [offset, offset + length)} of {@code buffer} (read-only,
     * little-endian, absolute indexes; its position and limit mean nothing). The bytes are
     * valid only during the call. Records sent with the envelope API arrive here as their
     * {@link io.github.springipc.transport.IpcMessageCodec} encoding.
     *
     * @throws RuntimeException to stop the batch: the records handled before are acknowledged,
     *         this one and the rest are released for redelivery
     */
    void onMessage(ByteBuffer buffer, int offset, int length);
}

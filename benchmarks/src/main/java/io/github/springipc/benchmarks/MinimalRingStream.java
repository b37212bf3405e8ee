package io.github.springipc.benchmarks;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Baseline for the raw one-way rate: a minimal one-producer one-consumer ring in shared memory,
 * in the manner of Agrona's one-to-one ring buffer, between two processes. What a ring costs
 * per message on this machine with nothing of the queue's work (no claims to record for
 * recovery, no competing producers or consumers, no acknowledgement), so the queue's rate can be
 * read against it.
 *
 * <pre>
 * memory: | ring (CAPACITY bytes) | head position (u64, on its own 128-byte line) |
 * record: | length u32 | reserved u32 | payload (64 bytes) |   72 bytes, 8-aligned
 * </pre>
 *
 * The producer copies the payload, then publishes the length with a release store; a record that
 * would cross the ring end is preceded by a padding record (length -1) to the end. The consumer
 * spins on the length, takes up to {@link #BATCH} records, zeroes what it read (the length of a
 * record not yet written must read 0) and publishes its head position with a release store. The
 * producer reads the head only when its cached copy says the ring is full. Same capacity, batch
 * limit and handler (a counter) as {@code queue.raw.oneway}, and the same pacing as the queue's
 * drain: a consumer that took only a few records has caught up with the producer, and reading the
 * line the producer is writing, once per tiny batch, costs both sides a cache-line transfer per
 * few messages (without pacing this ring ran at either ~30 or ~60 M msgs/s, depending on whether
 * the consumer happened to catch up), so its next look waits 0.5 µs, doubling up to 16 µs while
 * batches stay small.
 *
 * <p>Arguments: {@code consumer|producer <dir> <count>}.
 */
public final class MinimalRingStream {

    private static final VarHandle LONG = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());

    private static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());

    private static final int CAPACITY = QueuePeers.CAPACITY;

    private static final int HEAD = CAPACITY + 128;

    private static final int PAYLOAD = 64;

    private static final int RECORD = 8 + PAYLOAD;

    private static final int PADDING = -1;

    /** Most records one consumer turn takes, as the queue case's drain limit. */
    private static final int BATCH = 4096;

    /** Pacing, as the queue's: a batch smaller than this caught up with the producer. */
    private static final int SMALL_BATCH = 16;

    private static final long FIRST_PAUSE_NANOS = 500;

    private static final long MAX_PAUSE_NANOS = 16_000;

    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(4 << 10);

    private MinimalRingStream() {
    }

    public static void main(String[] args) throws IOException {
        boolean consumer = args[0].equals("consumer");
        long count = Long.parseLong(args[2]);
        try (FileChannel channel = FileChannel.open(Path.of(args[1]).resolve("stream.shm"), StandardOpenOption.CREATE,
                StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            MappedByteBuffer memory = channel.map(FileChannel.MapMode.READ_WRITE, 0, HEAD + 128L); // new: all zero
            if (consumer) {
                Peer.ready();
                consume(memory, count);
            }
            else {
                produce(memory, count);
            }
        }
    }

    private static void produce(ByteBuffer memory, long count) {
        ByteBuffer payload = ByteBuffer.allocateDirect(PAYLOAD);
        long tail = 0;
        long cachedHead = 0;
        for (long sent = 0; sent < count; sent++) {
            int offset = (int) (tail & (CAPACITY - 1));
            int toEnd = CAPACITY - offset;
            int need = (toEnd < RECORD) ? toEnd + RECORD : RECORD;
            while (tail + need - cachedHead > CAPACITY) {
                cachedHead = (long) LONG.getAcquire(memory, HEAD);
                if (tail + need - cachedHead > CAPACITY) {
                    Thread.onSpinWait();
                }
            }
            if (toEnd < RECORD) {
                INT.setRelease(memory, offset, PADDING);
                tail += toEnd;
                offset = 0;
            }
            memory.put(offset + 8, payload, 0, PAYLOAD);
            INT.setRelease(memory, offset, PAYLOAD);
            tail += RECORD;
        }
    }

    private static void consume(ByteBuffer memory, long count) {
        OneWayRate rate = new OneWayRate(count);
        long head = 0;
        long received = 0;
        long pause = FIRST_PAUSE_NANOS;
        while (received < count) {
            long position = head;
            int taken = 0;
            while (taken < BATCH) {
                int offset = (int) (position & (CAPACITY - 1));
                int length = (int) INT.getAcquire(memory, offset);
                if (length == 0) {
                    break;
                }
                if (length == PADDING) {
                    position += CAPACITY - offset;
                    continue;
                }
                taken++; // the handler: count it, as the queue case does
                position += RECORD;
            }
            if (position == head) {
                Thread.onSpinWait();
                continue;
            }
            zero(memory, head, position);
            LONG.setRelease(memory, HEAD, position);
            head = position;
            received += taken;
            rate.received(received);
            if (taken < SMALL_BATCH) {
                long notBefore = System.nanoTime() + pause;
                pause = Math.min(2 * pause, MAX_PAUSE_NANOS);
                while (System.nanoTime() - notBefore < 0) {
                    Thread.onSpinWait();
                }
            }
        }
        rate.report("oneway.msgs_per_s");
    }

    private static void zero(ByteBuffer memory, long from, long to) {
        for (long position = from; position < to;) {
            int offset = (int) (position & (CAPACITY - 1));
            int length = (int) Math.min(Math.min(to - position, CAPACITY - offset), ZEROS.capacity());
            memory.put(offset, ZEROS, 0, length);
            position += length;
        }
    }
}

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
 * Baselines for the busy-spin round trip: what two processes spinning on shared memory reach on
 * this machine, with nothing of the queue's work, measured like the queue's round trip (after
 * {@link QueuePeers#RTT_WARMUP_NANOS} of warm-up).
 *
 * <ul>
 * <li>{@code line}: each side writes a counter on a cache line of its own and spins on the
 * other's: one cache-line hand-off each way, the floor of a round trip between two
 * processes that each publish on a line of their own, as two queues do.</li>
 * <li>{@code shared-line}: both counters on one cache line, 8 bytes apart: the line goes back and
 * forth with no other line involved, the least any shared-memory round trip can cost on this
 * machine (two lines need more coherence traffic than one).</li>
 * <li>{@code ring}: two single-producer single-consumer rings of 64-byte records (an 8-byte
 * header, published last with a release store, in the manner of Agrona's one-to-one ring buffer),
 * the echo copying each record's payload into its reply: about the least a ring can do. The
 * header holds the record's sequence number, so nothing is zeroed; there is one producer and one
 * consumer per ring, and nothing survives a crash.</li>
 * </ul>
 *
 * <p>Arguments: {@code echo|client <dir> <round trips> line|shared-line|ring}.
 */
public final class SharedMemoryPingPong {

    private static final VarHandle LONG = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());

    /** Bytes of a ring record: an 8-byte header and a 64-byte payload, in 8-byte words. */
    private static final int RECORD = 72;

    private static final int PAYLOAD = 64;

    /** Records of a ring. */
    private static final int RECORDS = 1 << 14;

    private static final int RING = RECORDS * RECORD;

    /** What the client sends. */
    private static final ByteBuffer PAYLOAD_BYTES = ByteBuffer.allocateDirect(PAYLOAD);

    /** Sequence number that ends the echo. */
    private static final long END = -1;

    private SharedMemoryPingPong() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        boolean client = args[0].equals("client");
        int count = Integer.parseInt(args[2]);
        boolean ring = args[3].equals("ring");
        boolean sharedLine = args[3].equals("shared-line");
        try (FileChannel channel = FileChannel.open(Path.of(args[1]).resolve("pingpong.shm"), StandardOpenOption.CREATE,
                StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            // two rings, or two counters a ring apart or on one line; the file is new and zero
            MappedByteBuffer memory = channel.map(FileChannel.MapMode.READ_WRITE, 0, 2L * RING);
            int otherSide = sharedLine ? Long.BYTES : RING;
            int mine = client ? 0 : otherSide;
            int theirs = client ? otherSide : 0;
            if (!client) {
                Peer.ready();
                echo(memory, mine, theirs, ring);
                return;
            }
            long[] sequence = new long[1];
            LatencyRecorder.measureRoundTrips(count, QueuePeers.RTT_WARMUP_NANOS,
                    () -> roundTrip(memory, mine, theirs, ring, ++sequence[0]));
            publish(memory, mine, ring, ++sequence[0], END);
        }
    }

    private static void roundTrip(ByteBuffer memory, int mine, int theirs, boolean ring, long sequence) {
        if (ring) {
            memory.put(mine + recordAt(sequence) + 8, PAYLOAD_BYTES, 0, PAYLOAD);
        }
        publish(memory, mine, ring, sequence, sequence);
        await(memory, theirs, ring, sequence);
    }

    private static void echo(ByteBuffer memory, int mine, int theirs, boolean ring) {
        for (long sequence = 1;; sequence++) {
            long value = await(memory, theirs, ring, sequence);
            if (value == END) {
                return;
            }
            if (ring) {
                int at = recordAt(sequence);
                memory.put(mine + at + 8, memory, theirs + at + 8, PAYLOAD); // the reply carries the payload back
            }
            publish(memory, mine, ring, sequence, sequence);
        }
    }

    /** Publishes {@code value} (a record's header, or the counter) for the other side. */
    private static void publish(ByteBuffer memory, int mine, boolean ring, long sequence, long value) {
        LONG.setRelease(memory, ring ? mine + recordAt(sequence) : mine, value);
    }

    /** Spins until the other side published {@code sequence} (or the end); returns what it published. */
    private static long await(ByteBuffer memory, int theirs, boolean ring, long sequence) {
        int at = ring ? theirs + recordAt(sequence) : theirs;
        for (;;) {
            long value = (long) LONG.getAcquire(memory, at);
            if (value == sequence || value == END) {
                return value;
            }
            Thread.onSpinWait();
        }
    }

    private static int recordAt(long sequence) {
        return (int) (sequence % RECORDS) * RECORD;
    }
}

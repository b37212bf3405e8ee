package io.github.springipc.benchmarks;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;

import io.github.springipc.transport.IpcDelivery;
import io.github.springipc.transport.IpcMessage;
import io.github.springipc.transport.queue.IpcQueue;
import io.github.springipc.transport.queue.QueueOptions;
import io.github.springipc.transport.queue.RawMessageHandler;
import io.github.springipc.transport.queue.WaitStrategy;

/**
 * Peers of the queue cases, one main with a role argument:
 *
 * <pre>
 * consumer|producer  dir count payload          raw one-way (busy-spin drain, offer)
 * batch-producer     dir count payload          raw one-way, 64 messages per tryWrite(ByteBuffer[]) claim
 * echo|client        dir count payload mode     raw RTT; mode busy-spin (drain) or blocking (receive)
 * </pre>
 *
 * The RTT client measures {@code count} round trips after {@link #RTT_WARMUP_NANOS} of warm-up
 * (both JVMs compile the hot paths for about 2.5 s; measured during that, the p99 showed the
 * compiler threads, not the queue), then sends a one-byte message that ends the echo.
 */
public final class QueuePeers {

    /**
     * Ring bytes of every queue the cases open (and of {@link MinimalRingStream}): the default, what
     * an application gets. (The cases used 16 MiB at first: a ring four times the size of this
     * VM's L2 cache, whose 4096 pages also overflow its TLB, ran one-way at 45-48 M msgs/s against
     * 54-56 M msgs/s for 1 MiB in interleaved runs, and had a longer round-trip tail.)
     */
    static final int CAPACITY = QueueOptions.DEFAULT_CAPACITY;

    /** How long the RTT client exchanges messages before it measures. */
    static final long RTT_WARMUP_NANOS = 3_000_000_000L;

    /** The length of the message that ends an echo (the measured ones are longer). */
    private static final int END_LENGTH = 1;

    private QueuePeers() {
    }

    static IpcQueue open(Path dir, String name, WaitStrategy strategy) {
        return IpcQueue.open(dir, name, QueueOptions.builder().capacity(CAPACITY).maxMessageSize(64 << 10)
                .waitStrategy(strategy).build());
    }

    public static void main(String[] args) throws Exception {
        String role = args[0];
        Path dir = Path.of(args[1]);
        int count = Integer.parseInt(args[2]);
        int payload = Integer.parseInt(args[3]);
        switch (role) {
            case "consumer" -> consume(dir, count);
            case "producer" -> produce(dir, count, payload);
            case "batch-producer" -> produceBatches(dir, count, payload);
            case "echo" -> echo(dir, count, WaitStrategy.valueOf(args[4]));
            case "client" -> client(dir, count, payload, WaitStrategy.valueOf(args[4]));
            default -> throw new IllegalArgumentException(role);
        }
    }

    private static void consume(Path dir, int count) {
        try (IpcQueue queue = open(dir, "oneway", WaitStrategy.BUSY_SPIN)) {
            Peer.ready();
            long[] received = new long[1];
            OneWayRate rate = new OneWayRate(count);
            while (received[0] < count) {
                int n = queue.drain((buffer, offset, length) -> received[0]++, 4096);
                rate.received(received[0]);
                if (n == 0) {
                    Thread.onSpinWait();
                }
            }
            rate.report("oneway.msgs_per_s");
        }
    }

    private static void produce(Path dir, int count, int payload) {
        try (IpcQueue queue = open(dir, "oneway", WaitStrategy.BUSY_SPIN)) {
            ByteBuffer message = ByteBuffer.allocateDirect(payload);
            for (int i = 0; i < count; i++) {
                while (!queue.offer(message, 0, payload)) {
                    Thread.onSpinWait();
                }
            }
        }
    }

    private static void produceBatches(Path dir, int count, int payload) {
        try (IpcQueue queue = open(dir, "oneway", WaitStrategy.BUSY_SPIN)) {
            ByteBuffer message = ByteBuffer.allocateDirect(payload);
            ByteBuffer[] batch = new ByteBuffer[64];
            for (int i = 0; i < batch.length; i++) {
                batch[i] = message.duplicate();
            }
            int sent = 0;
            while (sent < count) {
                int size = Math.min(batch.length, count - sent);
                int done = 0;
                while (done < size) {
                    int n = queue.tryWrite(batch, done, size - done);
                    if (n == 0) {
                        Thread.onSpinWait();
                    }
                    done += n;
                }
                for (int i = 0; i < size; i++) {
                    batch[i].clear();
                }
                sent += size;
            }
        }
    }

    private static void echo(Path dir, int count, WaitStrategy strategy) throws InterruptedException {
        try (IpcQueue ping = open(dir, "ping", strategy); IpcQueue pong = open(dir, "pong", strategy)) {
            Peer.ready();
            if (strategy == WaitStrategy.BUSY_SPIN) {
                boolean[] ended = new boolean[1];
                while (!ended[0]) {
                    if (ping.drain((buffer, offset, length) -> {
                        if (length == END_LENGTH) {
                            ended[0] = true;
                            return;
                        }
                        while (!pong.offer(buffer, offset, length)) {
                            Thread.onSpinWait();
                        }
                    }, 64) == 0) {
                        Thread.onSpinWait();
                    }
                }
            }
            else {
                while (true) {
                    IpcDelivery delivery = ping.receive(Duration.ofSeconds(30));
                    if (delivery == null) {
                        throw new IllegalStateException("no request for 30 s");
                    }
                    delivery.acknowledge();
                    if (delivery.message().payload().length == END_LENGTH) {
                        break;
                    }
                    pong.send(delivery.message(), Duration.ofSeconds(30));
                }
            }
        }
    }

    private static void client(Path dir, int count, int payload, WaitStrategy strategy) throws InterruptedException {
        if (payload == END_LENGTH) {
            throw new IllegalArgumentException("a payload of " + END_LENGTH + " byte would end the echo");
        }
        try (IpcQueue ping = open(dir, "ping", strategy); IpcQueue pong = open(dir, "pong", strategy)) {
            RoundTrip roundTrip = new RoundTrip(ping, pong, payload, strategy == WaitStrategy.BUSY_SPIN);
            LatencyRecorder.measureRoundTrips(count, RTT_WARMUP_NANOS, roundTrip::run);
            // raw in both modes: drain sees its length as is, receive as a payload of that length
            ByteBuffer end = ByteBuffer.allocateDirect(END_LENGTH);
            while (!ping.offer(end, 0, END_LENGTH)) {
                Thread.onSpinWait();
            }
        }
    }

    /** One request and its echo, busy-spinning on the raw API or waiting on the default one. */
    private static final class RoundTrip {

        private final IpcQueue ping;

        private final IpcQueue pong;

        private final boolean busySpin;

        private final ByteBuffer buffer;

        private final IpcMessage message;

        private final RawMessageHandler ignore = (buffer, offset, length) -> { };

        RoundTrip(IpcQueue ping, IpcQueue pong, int payload, boolean busySpin) {
            this.ping = ping;
            this.pong = pong;
            this.busySpin = busySpin;
            this.buffer = ByteBuffer.allocateDirect(payload);
            this.message = IpcMessage.of(new byte[payload]);
        }

        void run() throws InterruptedException {
            if (this.busySpin) {
                while (!this.ping.offer(this.buffer, 0, this.buffer.capacity())) {
                    Thread.onSpinWait();
                }
                while (this.pong.drain(this.ignore, 1) == 0) {
                    Thread.onSpinWait();
                }
            }
            else {
                this.ping.send(this.message, Duration.ofSeconds(30));
                this.pong.receive(Duration.ofSeconds(30)).acknowledge();
            }
        }
    }
}

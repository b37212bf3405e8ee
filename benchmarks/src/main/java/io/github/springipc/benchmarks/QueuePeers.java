package io.github.springipc.benchmarks;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;

import io.github.springipc.transport.IpcDelivery;
import io.github.springipc.transport.IpcMessage;
import io.github.springipc.transport.queue.IpcQueue;
import io.github.springipc.transport.queue.QueueOptions;
import io.github.springipc.transport.queue.WaitStrategy;

/**
 * Peers of the queue cases, one main with a role argument:
 *
 * <pre>
 * consumer|producer  dir count payload          raw one-way (busy-spin drain, offer)
 * batch-producer     dir count payload          raw one-way, 64 messages per tryWrite(ByteBuffer[]) claim
 * echo|client        dir count payload mode     raw RTT; mode busy-spin (drain) or blocking (receive)
 * </pre>
 */
public final class QueuePeers {

    private static final int CAPACITY = 16 << 20;

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
            int total = count + Math.max(1000, count / 5);
            if (strategy == WaitStrategy.BUSY_SPIN) {
                int[] echoed = new int[1];
                while (echoed[0] < total) {
                    if (ping.drain((buffer, offset, length) -> {
                        while (!pong.offer(buffer, offset, length)) {
                            Thread.onSpinWait();
                        }
                        echoed[0]++;
                    }, 64) == 0) {
                        Thread.onSpinWait();
                    }
                }
            }
            else {
                for (int i = 0; i < total; i++) {
                    IpcDelivery delivery = ping.receive(Duration.ofSeconds(30));
                    pong.send(delivery.message(), Duration.ofSeconds(30));
                    delivery.acknowledge();
                }
            }
        }
    }

    private static void client(Path dir, int count, int payload, WaitStrategy strategy) throws InterruptedException {
        try (IpcQueue ping = open(dir, "ping", strategy); IpcQueue pong = open(dir, "pong", strategy)) {
            int warmup = Math.max(1000, count / 5);
            LatencyRecorder recorder = new LatencyRecorder(count);
            ByteBuffer buffer = ByteBuffer.allocateDirect(payload);
            IpcMessage message = IpcMessage.of(new byte[payload]);
            int[] got = new int[1];
            long start = 0;
            for (int i = -warmup; i < count; i++) {
                if (i == 0) {
                    start = System.nanoTime();
                }
                long sent = System.nanoTime();
                if (strategy == WaitStrategy.BUSY_SPIN) {
                    while (!ping.offer(buffer, 0, payload)) {
                        Thread.onSpinWait();
                    }
                    got[0] = 0;
                    while (pong.drain((b, o, l) -> got[0]++, 1) == 0) {
                        Thread.onSpinWait();
                    }
                }
                else {
                    ping.send(message, Duration.ofSeconds(30));
                    pong.receive(Duration.ofSeconds(30)).acknowledge();
                }
                if (i >= 0) {
                    recorder.record(System.nanoTime() - sent);
                }
            }
            Peer.result("rtt.round_trips_per_s", count / ((System.nanoTime() - start) / 1e9));
            recorder.printPercentiles("rtt");
        }
    }
}

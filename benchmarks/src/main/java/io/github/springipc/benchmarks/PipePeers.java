package io.github.springipc.benchmarks;

import java.nio.file.Path;
import java.time.Duration;

import io.github.springipc.transport.IpcDelivery;
import io.github.springipc.transport.pipe.IpcPipe;
import io.github.springipc.transport.pipe.PipeOptions;
import io.github.springipc.transport.pipe.PipeRole;

/**
 * Peers of the pipe cases:
 *
 * <pre>
 * receiver|sender dir count payload   one-way with send(byte[]) and drain, steady rate at the receiver
 * echo|client     dir count payload   round trips: send, then receive the echo
 * </pre>
 */
public final class PipePeers {

    private static final Duration WAIT = Duration.ofSeconds(60);

    private PipePeers() {
    }

    public static void main(String[] args) throws Exception {
        String role = args[0];
        Path dir = Path.of(args[1]);
        int count = Integer.parseInt(args[2]);
        int payload = Integer.parseInt(args[3]);
        boolean server = role.equals("receiver") || role.equals("echo");
        PipeOptions options = PipeOptions.builder().role(server ? PipeRole.BIND : PipeRole.CONNECT)
                .sendTimeout(WAIT).build();
        try (IpcPipe pipe = IpcPipe.open(dir, "bench", options)) {
            switch (role) {
                case "receiver" -> {
                    // the raw path: payloads handed over in place, many per read
                    Peer.ready();
                    long[] received = new long[1];
                    OneWayRate rate = new OneWayRate(count);
                    while (received[0] < count) {
                        pipe.drain((buffer, offset, length) -> received[0]++, 4096, WAIT);
                        rate.received(received[0]);
                    }
                    rate.report("oneway.msgs_per_s");
                }
                case "sender" -> {
                    pipe.awaitConnected(WAIT);
                    byte[] message = new byte[payload];
                    for (int i = 0; i < count; i++) {
                        pipe.send(message);
                    }
                }
                case "echo" -> {
                    Peer.ready();
                    int total = count + Math.max(1000, count / 5);
                    for (int i = 0; i < total; i++) {
                        IpcDelivery delivery = pipe.receive(WAIT);
                        pipe.send(delivery.message().payload());
                        delivery.acknowledge();
                    }
                }
                case "client" -> {
                    pipe.awaitConnected(WAIT);
                    int warmup = Math.max(1000, count / 5);
                    LatencyRecorder recorder = new LatencyRecorder(count);
                    byte[] message = new byte[payload];
                    long start = 0;
                    for (int i = -warmup; i < count; i++) {
                        if (i == 0) {
                            start = System.nanoTime();
                        }
                        long sent = System.nanoTime();
                        pipe.send(message);
                        pipe.receive(WAIT).acknowledge();
                        if (i >= 0) {
                            recorder.record(System.nanoTime() - sent);
                        }
                    }
                    Peer.result("rtt.round_trips_per_s", count / ((System.nanoTime() - start) / 1e9));
                    recorder.printPercentiles("rtt");
                }
                default -> throw new IllegalArgumentException(role);
            }
        }
    }
}

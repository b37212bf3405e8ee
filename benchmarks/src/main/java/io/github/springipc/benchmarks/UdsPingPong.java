package io.github.springipc.benchmarks;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Baseline: a raw JDK Unix-domain-socket ping-pong, one blocking write and read per message,
 * which is what every blocking hand-off between two processes costs.
 *
 * <p>Arguments: {@code server <socket>} or {@code client <socket> <messages> <payload bytes>}.
 */
public final class UdsPingPong {

    private UdsPingPong() {
    }

    public static void main(String[] args) throws Exception {
        Path socket = Path.of(args[1]);
        if (args[0].equals("server")) {
            Files.deleteIfExists(socket);
            try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
                server.bind(UnixDomainSocketAddress.of(socket));
                Peer.ready();
                try (SocketChannel channel = server.accept()) {
                    ByteBuffer buffer = ByteBuffer.allocateDirect(Integer.parseInt(args[2]));
                    while (true) {
                        buffer.clear();
                        try {
                            Peer.readFully(channel, buffer);
                        }
                        catch (java.io.IOException closed) {
                            break;
                        }
                        buffer.flip();
                        Peer.writeFully(channel, buffer);
                    }
                }
            }
            Files.deleteIfExists(socket);
            return;
        }
        int messages = Integer.parseInt(args[2]);
        int payload = Integer.parseInt(args[3]);
        try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            ByteBuffer buffer = ByteBuffer.allocateDirect(payload);
            LatencyRecorder recorder = new LatencyRecorder(messages);
            int warmup = Math.max(1000, messages / 5);
            long start = 0;
            for (int i = -warmup; i < messages; i++) {
                if (i == 0) {
                    start = System.nanoTime();
                }
                long sent = System.nanoTime();
                buffer.clear();
                Peer.writeFully(channel, buffer);
                buffer.clear();
                Peer.readFully(channel, buffer);
                if (i >= 0) {
                    recorder.record(System.nanoTime() - sent);
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            Peer.result("rtt.round_trips_per_s", messages / seconds);
            recorder.printPercentiles("rtt");
        }
    }
}

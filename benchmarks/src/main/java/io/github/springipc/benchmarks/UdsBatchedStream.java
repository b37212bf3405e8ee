package io.github.springipc.benchmarks;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Baseline: the most a Unix domain socket carries one way, with 64-byte messages packed into
 * 64 KiB writes. The receiver counts bytes; the rate is taken at the receiver.
 *
 * <p>Arguments: {@code receiver <socket> <messages> <payload>} or
 * {@code sender <socket> <messages> <payload>}.
 */
public final class UdsBatchedStream {

    static final int BATCH_BYTES = 64 * 1024;

    private UdsBatchedStream() {
    }

    public static void main(String[] args) throws Exception {
        Path socket = Path.of(args[1]);
        long messages = Long.parseLong(args[2]);
        int payload = Integer.parseInt(args[3]);
        long totalBytes = messages * payload;
        if (args[0].equals("receiver")) {
            Files.deleteIfExists(socket);
            try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
                server.bind(UnixDomainSocketAddress.of(socket));
                Peer.ready();
                try (SocketChannel channel = server.accept()) {
                    ByteBuffer buffer = ByteBuffer.allocateDirect(BATCH_BYTES);
                    long received = 0;
                    long start = 0;
                    while (received < totalBytes) {
                        buffer.clear();
                        int n = channel.read(buffer);
                        if (n < 0) {
                            break;
                        }
                        if (received == 0) {
                            start = System.nanoTime();
                        }
                        received += n;
                    }
                    double seconds = (System.nanoTime() - start) / 1e9;
                    Peer.result("oneway.msgs_per_s", received / payload / seconds);
                }
            }
            Files.deleteIfExists(socket);
            return;
        }
        try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            ByteBuffer buffer = ByteBuffer.allocateDirect(BATCH_BYTES - BATCH_BYTES % payload);
            long sent = 0;
            while (sent < totalBytes) {
                buffer.clear();
                if (totalBytes - sent < buffer.capacity()) {
                    buffer.limit((int) (totalBytes - sent));
                }
                sent += buffer.remaining();
                Peer.writeFully(channel, buffer);
            }
            System.out.println("DONE");
        }
    }
}

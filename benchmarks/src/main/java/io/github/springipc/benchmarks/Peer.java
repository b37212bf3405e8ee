package io.github.springipc.benchmarks;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/** Small helpers for the peer processes of two-process cases. */
final class Peer {

    private Peer() {
    }

    static void readFully(ReadableByteChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                throw new IOException("peer closed the connection");
            }
        }
    }

    static void writeFully(WritableByteChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    /** Prints a result line the harness collects. */
    static void result(String metric, double value) {
        System.out.println("RESULT " + metric + "=" + value);
    }

    static void ready() {
        System.out.println("READY");
        System.out.flush();
    }
}

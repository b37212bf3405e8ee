package io.github.springipc.benchmarks;

import java.nio.ByteBuffer;
import java.nio.file.Path;

import io.github.springipc.transport.queue.IpcQueue;
import io.github.springipc.transport.queue.WaitStrategy;
import io.github.springipc.transport.shm.IpcSharedMemory;
import io.github.springipc.transport.shm.SharedLong;
import io.github.springipc.transport.shm.SharedMemoryOptions;

/**
 * 4 producer processes → 2 consumer processes on one queue, raw API. Everybody meets on a
 * shared "arrived" counter; the first consumer times from the start signal until the shared
 * "consumed" counter reaches the total.
 *
 * <p>Arguments: {@code coordinator|consumer|producer dir perProducer producers consumers payload}.
 */
public final class FanInPeers {

    private FanInPeers() {
    }

    public static void main(String[] args) {
        String role = args[0];
        Path dir = Path.of(args[1]);
        long perProducer = Long.parseLong(args[2]);
        int producers = Integer.parseInt(args[3]);
        int consumers = Integer.parseInt(args[4]);
        int payload = Integer.parseInt(args[5]);
        long total = perProducer * producers;
        try (IpcSharedMemory region = IpcSharedMemory.open(dir, "fanin", SharedMemoryOptions.builder().size(64 * 1024).build());
                IpcQueue queue = QueuePeers.open(dir, "fanin", WaitStrategy.BUSY_SPIN)) {
            SharedLong arrived = region.longValue("arrived", true);
            SharedLong consumed = region.longValue("consumed", true);
            SharedLong go = region.longValue("go", true);
            if (role.equals("coordinator")) {
                Peer.ready();
            }
            arrived.incrementAndGet();
            while (go.get() == 0) {
                if (role.equals("coordinator") && arrived.get() == producers + consumers) {
                    go.set(System.nanoTime());
                }
                Thread.onSpinWait();
            }
            long start = System.nanoTime();
            if (role.equals("producer")) {
                ByteBuffer message = ByteBuffer.allocateDirect(payload);
                for (long i = 0; i < perProducer; i++) {
                    while (!queue.offer(message, 0, payload)) {
                        Thread.onSpinWait();
                    }
                }
                return;
            }
            long[] mine = new long[1];
            while (consumed.get() < total) {
                int n = queue.drain((buffer, offset, length) -> mine[0]++, 4096);
                if (n > 0) {
                    consumed.addAndGet(n);
                }
                else {
                    Thread.onSpinWait();
                }
            }
            if (role.equals("coordinator")) {
                Peer.result("aggregate.msgs_per_s", total / ((System.nanoTime() - start) / 1e9));
                Peer.result("share.of.first.consumer", (double) mine[0] / total);
            }
        }
    }
}

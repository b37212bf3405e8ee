package io.github.springipc.benchmarks;

import java.nio.file.Path;

import io.github.springipc.transport.shm.IpcSharedMemory;
import io.github.springipc.transport.shm.SharedLong;
import io.github.springipc.transport.shm.SharedMemoryOptions;

/**
 * Two processes increment one shared counter ({@code incrementAndGet}, a lock-free atomic add
 * on the mapped file), like Python's {@code Value} under its lock. Both start together on a
 * shared flag; each reports its own rate and the first checks the total.
 *
 * <p>Arguments: {@code first|second dir count}.
 */
public final class SharedCounterPeers {

    private SharedCounterPeers() {
    }

    public static void main(String[] args) {
        boolean first = args[0].equals("first");
        Path dir = Path.of(args[1]);
        long count = Long.parseLong(args[2]);
        try (IpcSharedMemory region = IpcSharedMemory.open(dir, "counter",
                SharedMemoryOptions.builder().size(64 * 1024).build())) {
            SharedLong counter = region.longValue("hits", true);
            SharedLong arrived = region.longValue("arrived", true);
            SharedLong finished = region.longValue("finished", true);
            if (first) {
                Peer.ready();
            }
            arrived.incrementAndGet();
            while (arrived.get() < 2) {
                Thread.onSpinWait();
            }
            long start = System.nanoTime();
            for (long i = 0; i < count; i++) {
                counter.incrementAndGet();
            }
            long elapsed = System.nanoTime() - start;
            finished.incrementAndGet();
            if (first) {
                while (finished.get() < 2) {
                    Thread.onSpinWait();
                }
                long total = counter.get();
                if (total != 2 * count) {
                    throw new IllegalStateException("lost increments: " + total + " != " + 2 * count);
                }
                // both processes ran at once: the pair's rate is twice one process's rate
                Peer.result("counter.increments_per_s", 2 * count / (elapsed / 1e9));
            }
            IpcSharedMemory.delete(dir, "counter");
        }
    }
}

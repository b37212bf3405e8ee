package io.github.springipc.autoconfigure;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

import io.github.springipc.transport.pipe.IpcPipe;
import io.github.springipc.transport.pipe.PipeState;
import io.github.springipc.transport.queue.IpcQueue;
import io.github.springipc.transport.shm.IpcSharedMemory;

/** One health indicator per channel kind, reporting what an operator needs to see. */
final class IpcChannelHealthIndicators {

    private IpcChannelHealthIndicators() {
    }

    /**
     * UP while the pipe is open, connected or waiting for its peer (a peer that starts later is
     * normal for sibling processes); DOWN once closed.
     */
    static HealthIndicator pipe(IpcPipe pipe) {
        return () -> {
            PipeState state = pipe.state();
            Health.Builder health = (state == PipeState.CLOSED) ? Health.down() : Health.up();
            return health.withDetail("state", state)
                    .withDetail("connected", pipe.isConnected())
                    .withDetail("role", String.valueOf(pipe.activeRole()))
                    .withDetail("reconnects", pipe.reconnectCount())
                    .withDetail("bufferedMessages", pipe.bufferedMessages())
                    .withDetail("socket", pipe.socketPath().toString())
                    .build();
        };
    }

    /** UP while the queue is open; details show how full it is and what went wrong. */
    static HealthIndicator queue(IpcQueue queue) {
        return () -> {
            long pending = queue.pendingBytes();
            return Health.up().withDetail("file", queue.path().toString())
                    .withDetail("capacity", queue.capacity())
                    .withDetail("pendingBytes", pending)
                    .withDetail("fill", String.format(java.util.Locale.ROOT, "%.1f%%", 100.0 * pending / queue.capacity()))
                    .withDetail("liveConsumers", queue.liveConsumers())
                    .withDetail("liveProducers", queue.liveProducers())
                    .withDetail("redeliveries", queue.redeliveries())
                    .withDetail("corruptRecords", queue.corruptRecords())
                    .build();
        };
    }

    /** UP while the region is mapped. */
    static HealthIndicator sharedMemory(IpcSharedMemory region) {
        return () -> {
            Health.Builder health = region.isClosed() ? Health.down() : Health.up();
            return health.withDetail("file", region.path().toString())
                    .withDetail("size", region.size())
                    .withDetail("slots", region.isClosed() ? 0 : region.slotNames().size())
                    .build();
        };
    }
}

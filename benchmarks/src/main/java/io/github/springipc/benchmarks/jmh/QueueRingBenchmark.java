package io.github.springipc.benchmarks.jmh;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import io.github.springipc.transport.queue.IpcQueue;
import io.github.springipc.transport.queue.QueueOptions;
import io.github.springipc.transport.queue.RawMessageHandler;

/** The queue's raw claim/commit (offer) and consume (drain) of one 64-byte record, in one thread. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class QueueRingBenchmark {

    private Path dir;

    private IpcQueue queue;

    private final ByteBuffer message = ByteBuffer.allocateDirect(64);

    private long consumed;

    private final RawMessageHandler handler = (buffer, offset, length) -> this.consumed += length;

    @Setup(Level.Trial)
    public void open() throws IOException {
        this.dir = Files.createTempDirectory("jmh-queue");
        this.queue = IpcQueue.open(this.dir, "ring", QueueOptions.builder().capacity(1 << 20).build());
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        this.queue.close();
        Files.deleteIfExists(this.dir.resolve("ring.queue"));
    }

    @Benchmark
    public long offerThenDrain() {
        this.queue.offer(this.message, 0, 64);
        this.queue.drain(this.handler, 1);
        return this.consumed;
    }
}

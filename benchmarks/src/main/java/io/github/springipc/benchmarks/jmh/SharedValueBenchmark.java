package io.github.springipc.benchmarks.jmh;

import java.io.IOException;
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

import io.github.springipc.transport.shm.IpcSharedMemory;
import io.github.springipc.transport.shm.SharedLong;
import io.github.springipc.transport.shm.SharedMemoryOptions;

/** Operations on a shared value in a mapped region: should run at VarHandle speed with no allocation. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SharedValueBenchmark {

    private Path dir;

    private IpcSharedMemory region;

    private SharedLong value;

    @Setup(Level.Trial)
    public void open() throws IOException {
        this.dir = Files.createTempDirectory("jmh-shm");
        this.region = IpcSharedMemory.open(this.dir, "values", SharedMemoryOptions.builder().size(64 * 1024).build());
        this.value = this.region.longValue("hits", true);
    }

    @TearDown(Level.Trial)
    public void close() {
        this.region.close();
        IpcSharedMemory.delete(this.dir, "values");
    }

    @Benchmark
    public long get() {
        return this.value.get();
    }

    @Benchmark
    public void set() {
        this.value.set(42);
    }

    @Benchmark
    public long incrementAndGet() {
        return this.value.incrementAndGet();
    }

    @Benchmark
    public long getAndAdd() {
        return this.value.getAndAdd(3);
    }
}

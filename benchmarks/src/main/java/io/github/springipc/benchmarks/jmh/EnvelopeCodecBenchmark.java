package io.github.springipc.benchmarks.jmh;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

import io.github.springipc.transport.IpcMessage;
import io.github.springipc.transport.IpcMessageCodec;

/** Encoding and decoding the message envelope of pipe frames and queue records (the non-raw path). */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class EnvelopeCodecBenchmark {

    private final IpcMessage message = IpcMessage.of(Map.of("contentType", "application/json"), new byte[64]);

    private final ByteBuffer buffer = ByteBuffer.allocateDirect(4096);

    private final byte[] encoded = IpcMessageCodec.encode(this.message);

    @Benchmark
    public ByteBuffer encodeIntoBuffer() {
        this.buffer.clear();
        IpcMessageCodec.encode(this.message, this.buffer);
        return this.buffer;
    }

    @Benchmark
    public IpcMessage decode() {
        return IpcMessageCodec.decode(this.encoded);
    }
}

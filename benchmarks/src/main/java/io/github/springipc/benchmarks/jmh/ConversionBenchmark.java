package io.github.springipc.benchmarks.jmh;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageHeaders;

import io.github.springipc.benchmarks.SpringPeers;
import io.github.springipc.messaging.DefaultIpcMessageConverter;

/** POJO ↔ JSON message conversion as the template and listeners do it (Jackson 3). */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ConversionBenchmark {

    private final DefaultIpcMessageConverter converter = new DefaultIpcMessageConverter();

    private final SpringPeers.Order order = SpringPeers.Order.of(42, "customer-7", 12.5, 3, true);

    private final Message<?> json = this.converter.toMessage(this.order, new MessageHeaders(Map.of()));

    @Benchmark
    public Message<?> toJson() {
        return this.converter.toMessage(this.order, new MessageHeaders(Map.of()));
    }

    @Benchmark
    public Object fromJson() {
        return this.converter.fromMessage(this.json, SpringPeers.Order.class);
    }
}

package io.github.springipc.transport.pipe;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;

import io.github.springipc.process.SiblingJvm;
import io.github.springipc.transport.IpcDelivery;
import io.github.springipc.transport.IpcMessage;

/**
 * A manual two-JVM measurement, not a test: RTT and one-way rate of a pipe next to a raw JDK
 * Unix-domain-socket ping-pong and a raw sender batching 64 KiB writes, in one run (the machine
 * is shared and noisy, so only ratios inside one run mean something).
 *
 * <p>Run with the test classpath: {@code java -cp <test classpath> ...PipeLatencyProbe [rounds] [rtt|oneway|sides]}.
 * The pipe's one-way rate is measured twice: received with {@code drain} (the raw path, nothing
 * allocated per message) and with {@code receive} (a delivery object per message); the sender's
 * own rate (how fast {@code send} returns) is printed next to it. {@code sides} measures each side
 * against a raw peer: a pipe sending to a plain socket reader (with the sending thread's CPU time
 * and allocation per send), and a plain socket writer of ready-made frames into a pipe's
 * {@code drain}.
 */
public final class PipeLatencyProbe {

    private static final int PAYLOAD = 64;

    private static final int RTT_WARMUP = 20_000;

    private static final int RTT_COUNT = 50_000;

    private static final long ONEWAY_COUNT = 3_000_000;

    private PipeLatencyProbe() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && !args[0].matches("\\d+")) {
            peer(args);
            return;
        }
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        String only = args.length > 1 ? args[1] : "";
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "probe");
        for (int round = 1; round <= rounds; round++) {
            System.out.println("--- round " + round);
            if (only.isEmpty() || only.equals("rtt")) {
                System.out.println(rawRtt(dir));
                System.out.println(pipeRtt(dir, false));
                System.out.println(pipeRtt(dir, true));
            }
            if (only.equals("sides")) {
                System.out.println(pipeToRawSink(dir));
                if (System.getProperty("senderOnly") == null) {
                    System.out.println(rawFramesToDrain(dir));
                }
                continue;
            }
            if (!only.equals("rtt")) {
                System.out.println(rawOneWay(dir));
                System.out.println(pipeOneWay(dir, true));
                System.out.println(pipeOneWay(dir, false));
            }
        }
    }

    // ---------------------------------------------------------------- coordinator side

    private static String rawRtt(Path dir) throws Exception {
        Path socket = dir.resolve("raw.sock");
        try (SiblingJvm server = sibling("raw-echo", socket.toString())) {
            server.awaitLineContaining("READY", Duration.ofSeconds(30));
            try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
                ByteBuffer buffer = ByteBuffer.allocateDirect(PAYLOAD);
                long[] samples = new long[RTT_COUNT];
                for (int i = -RTT_WARMUP; i < RTT_COUNT; i++) {
                    long start = System.nanoTime();
                    buffer.clear();
                    while (buffer.hasRemaining()) {
                        channel.write(buffer);
                    }
                    buffer.clear();
                    while (buffer.hasRemaining()) {
                        channel.read(buffer);
                    }
                    if (i >= 0) {
                        samples[i] = System.nanoTime() - start;
                    }
                }
                return "raw UDS ping-pong        " + percentiles(samples);
            }
        }
    }

    private static String pipeRtt(Path dir, boolean request) throws Exception {
        try (IpcPipe pipe = IpcPipe.open(dir, "rtt", PipeOptions.defaults());
                SiblingJvm echo = sibling("pipe-echo", dir.toString(), "rtt")) {
            echo.awaitLineContaining("READY", Duration.ofSeconds(30));
            pipe.awaitConnected(Duration.ofSeconds(10));
            byte[] payload = new byte[PAYLOAD];
            IpcMessage message = IpcMessage.of(payload);
            long[] samples = new long[RTT_COUNT];
            for (int i = -RTT_WARMUP; i < RTT_COUNT; i++) {
                long start = System.nanoTime();
                if (request) {
                    pipe.request(message, Duration.ofSeconds(10));
                }
                else {
                    pipe.send(payload);
                    IpcDelivery back = pipe.receive(Duration.ofSeconds(10));
                    back.acknowledge();
                }
                if (i >= 0) {
                    samples[i] = System.nanoTime() - start;
                }
            }
            return (request ? "pipe request/reply       " : "pipe send/receive        ") + percentiles(samples);
        }
    }

    private static String rawOneWay(Path dir) throws Exception {
        Path socket = dir.resolve("raws.sock");
        try (SiblingJvm sink = sibling("raw-sink", socket.toString(), Long.toString(ONEWAY_COUNT * 10))) {
            sink.awaitLineContaining("READY", Duration.ofSeconds(30));
            try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
                ByteBuffer batch = ByteBuffer.allocateDirect(64 * 1024);
                long total = ONEWAY_COUNT * 10 * PAYLOAD;
                long cpu = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
                long start = System.nanoTime();
                for (long sent = 0; sent < total;) {
                    batch.clear();
                    batch.limit((int) Math.min(batch.capacity(), total - sent));
                    sent += batch.remaining();
                    while (batch.hasRemaining()) {
                        channel.write(batch);
                    }
                }
                long wall = System.nanoTime() - start;
                cpu = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - cpu;
                return "raw UDS 64 KiB batches   " + sink.awaitLineContaining("RATE", Duration.ofSeconds(60))
                        + String.format(" (sending thread on CPU %.0f%% of the time, %.1f ns CPU per message)",
                                100.0 * cpu / wall, (double) cpu / (ONEWAY_COUNT * 10));
            }
        }
    }

    private static String pipeOneWay(Path dir, boolean drain) throws Exception {
        long count = drain ? ONEWAY_COUNT * 10 : ONEWAY_COUNT;
        try (IpcPipe pipe = IpcPipe.open(dir, "oneway", PipeOptions.defaults());
                SiblingJvm sink = sibling(drain ? "pipe-drain" : "pipe-sink", dir.toString(), "oneway",
                        Long.toString(count))) {
            sink.awaitLineContaining("READY", Duration.ofSeconds(30));
            pipe.awaitConnected(Duration.ofSeconds(10));
            byte[] payload = new byte[PAYLOAD];
            long start = System.nanoTime();
            for (long i = 0; i < count; i++) {
                pipe.send(payload);
            }
            double sendRate = count / ((System.nanoTime() - start) / 1e3);
            return String.format("pipe send -> %-8s    %s (sender %.2f M/s)", drain ? "drain" : "receive",
                    sink.awaitLineContaining("RATE", Duration.ofSeconds(120)), sendRate);
        }
    }

    /** The sending side alone: a pipe in RAW format writing to a raw socket reader. */
    private static String pipeToRawSink(Path dir) throws Exception {
        long count = ONEWAY_COUNT * 10;
        Path socket = dir.resolve("sidesink.sock");
        try (SiblingJvm sink = sibling("raw-sink", socket.toString(), Long.toString(count * (PAYLOAD + 4) / PAYLOAD))) {
            sink.awaitLineContaining("READY", Duration.ofSeconds(30));
            PipeOptions options = PipeOptions.builder().wireFormat(PipeWireFormat.RAW).role(PipeRole.CONNECT).build();
            try (IpcPipe pipe = IpcPipe.open(dir, "sidesink", options)) {
                pipe.awaitConnected(Duration.ofSeconds(10));
                byte[] payload = new byte[PAYLOAD];
                com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
                long allocated = threads.getCurrentThreadAllocatedBytes();
                long cpu = threads.getCurrentThreadCpuTime();
                long start = System.nanoTime();
                for (long i = 0; i < count; i++) {
                    pipe.send(payload);
                }
                long wall = System.nanoTime() - start;
                cpu = threads.getCurrentThreadCpuTime() - cpu;
                allocated = threads.getCurrentThreadAllocatedBytes() - allocated;
                sink.awaitLineContaining("RATE", Duration.ofSeconds(120));
                return String.format("pipe send -> raw reader   sender %.2f M/s, sending thread on CPU %.0f%% of the time"
                        + " (%.0f ns CPU per send), %.3f bytes allocated per send", count / (wall / 1e3),
                        100.0 * cpu / wall, (double) cpu / count, (double) allocated / count);
            }
        }
    }

    /** The receiving side alone: a raw sender writing 64 KiB batches of ready-made RAW frames. */
    private static String rawFramesToDrain(Path dir) throws Exception {
        long count = ONEWAY_COUNT * 10;
        try (SiblingJvm sink = sibling("pipe-drain", dir.toString(), "sidedrain", Long.toString(count), "RAW")) {
            sink.awaitLineContaining("READY", Duration.ofSeconds(30));
            Path socket = dir.resolve("sidedrain.sock");
            try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
                int frame = 4 + PAYLOAD;
                int perBatch = 64 * 1024 / frame;
                ByteBuffer batch = ByteBuffer.allocateDirect(perBatch * frame);
                for (int i = 0; i < perBatch; i++) {
                    batch.putInt(i * frame, PAYLOAD);
                }
                for (long sent = 0; sent < count;) {
                    int n = (int) Math.min(perBatch, count - sent);
                    batch.clear().limit(n * frame);
                    sent += n;
                    while (batch.hasRemaining()) {
                        channel.write(batch);
                    }
                }
                return "raw frames -> pipe drain " + sink.awaitLineContaining("RATE", Duration.ofSeconds(120));
            }
        }
    }

    private static String percentiles(long[] samples) {
        Arrays.sort(samples);
        return String.format("p50 %6.1f µs  p99 %6.1f µs", samples[samples.length / 2] / 1e3,
                samples[(int) (samples.length * 0.99)] / 1e3);
    }

    private static SiblingJvm sibling(String mode, String... args) {
        String[] all = new String[args.length + 1];
        all[0] = mode;
        System.arraycopy(args, 0, all, 1, args.length);
        return SiblingJvm.builder(PipeLatencyProbe.class).name(mode).arguments(all).start();
    }

    // ---------------------------------------------------------------- sibling side

    private static void peer(String[] args) throws Exception {
        switch (args[0]) {
            case "raw-echo" -> rawEcho(Path.of(args[1]));
            case "raw-sink" -> rawSink(Path.of(args[1]), Long.parseLong(args[2]));
            case "pipe-echo" -> pipeEcho(Path.of(args[1]), args[2]);
            case "pipe-sink" -> pipeSink(Path.of(args[1]), args[2], Long.parseLong(args[3]));
            case "pipe-drain" -> pipeDrain(Path.of(args[1]), args[2], Long.parseLong(args[3]),
                    args.length > 4 ? PipeOptions.builder().wireFormat(PipeWireFormat.RAW).role(PipeRole.BIND).build()
                            : PipeOptions.defaults());
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    private static void rawEcho(Path socket) throws Exception {
        Files.deleteIfExists(socket);
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            System.out.println("READY");
            try (SocketChannel channel = server.accept()) {
                ByteBuffer buffer = ByteBuffer.allocateDirect(PAYLOAD);
                while (true) {
                    buffer.clear();
                    while (buffer.hasRemaining()) {
                        if (channel.read(buffer) < 0) {
                            return;
                        }
                    }
                    buffer.flip();
                    while (buffer.hasRemaining()) {
                        channel.write(buffer);
                    }
                }
            }
        }
    }

    private static void rawSink(Path socket, long messages) throws Exception {
        Files.deleteIfExists(socket);
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            System.out.println("READY");
            try (SocketChannel channel = server.accept()) {
                ByteBuffer buffer = ByteBuffer.allocateDirect(64 * 1024);
                long total = messages * PAYLOAD;
                long received = 0;
                long start = 0;
                while (received < total) {
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
                System.out.printf("RATE %.2f M msgs/s%n", received / PAYLOAD / ((System.nanoTime() - start) / 1e3));
            }
        }
    }

    private static void pipeEcho(Path dir, String name) throws Exception {
        try (IpcPipe pipe = IpcPipe.open(dir, name, PipeOptions.defaults())) {
            System.out.println("READY");
            while (true) {
                IpcDelivery delivery = pipe.receive(Duration.ofSeconds(30));
                if (delivery == null) {
                    return;
                }
                if (delivery.expectsReply()) {
                    delivery.reply(delivery.message());
                }
                else {
                    pipe.send(delivery.message().payload());
                }
                delivery.acknowledge();
            }
        }
    }

    private static void pipeDrain(Path dir, String name, long messages, PipeOptions options) throws Exception {
        try (IpcPipe pipe = IpcPipe.open(dir, name, options)) {
            System.out.println("READY");
            long[] bytes = new long[1];
            PipeMessageHandler handler = (buffer, offset, length) -> bytes[0] += length;
            long got = pipe.drain(handler, Integer.MAX_VALUE, Duration.ofSeconds(30));
            long start = System.nanoTime();
            long cpu = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
            long calls = 0;
            while (got < messages) {
                int n = pipe.drain(handler, Integer.MAX_VALUE, Duration.ofSeconds(30));
                if (n == 0) {
                    System.out.println("RATE stalled at " + got);
                    return;
                }
                got += n;
                calls++;
            }
            long wall = System.nanoTime() - start;
            cpu = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - cpu;
            System.out.printf("RATE %.2f M msgs/s (draining thread on CPU %.0f%% of the time, %.0f ns CPU and %.0f"
                    + " messages per drain call)%n", (messages - 1) / (wall / 1e3), 100.0 * cpu / wall,
                    (double) cpu / messages, (double) messages / Math.max(1, calls));
        }
    }

    private static void pipeSink(Path dir, String name, long messages) throws Exception {
        try (IpcPipe pipe = IpcPipe.open(dir, name, PipeOptions.defaults())) {
            System.out.println("READY");
            long start = 0;
            for (long i = 0; i < messages; i++) {
                IpcDelivery delivery = pipe.receive(Duration.ofSeconds(30));
                if (delivery == null) {
                    System.out.println("RATE stalled at " + i);
                    return;
                }
                if (i == 0) {
                    start = System.nanoTime();
                }
                delivery.acknowledge();
            }
            System.out.printf("RATE %.2f M msgs/s%n", messages / ((System.nanoTime() - start) / 1e3));
        }
    }
}

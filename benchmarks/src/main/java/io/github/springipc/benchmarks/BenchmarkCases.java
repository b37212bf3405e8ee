package io.github.springipc.benchmarks;

import java.util.List;

/** The cases and the goals of the report, in the order they appear. */
final class BenchmarkCases {

    static final String PAYLOAD = "64";

    private BenchmarkCases() {
    }

    static List<BenchmarkCase> all() {
        return List.of(
                new TwoJvmCase("baseline.uds.pingpong", "raw JDK Unix domain socket, one blocking write + read per message",
                        true, UdsPingPong.class, (s, dir) -> new String[] { "server", dir.resolve("pp.sock").toString(), PAYLOAD },
                        (s, dir) -> new String[] { "client", dir.resolve("pp.sock").toString(),
                                Integer.toString(s.count(200_000)), PAYLOAD }),
                new TwoJvmCase("baseline.uds.batched", "raw JDK Unix domain socket, 64-byte messages in 64 KiB writes",
                        true, UdsBatchedStream.class,
                        (s, dir) -> new String[] { "receiver", dir.resolve("b.sock").toString(),
                                Integer.toString(s.count(100_000_000)), PAYLOAD },
                        (s, dir) -> new String[] { "sender", dir.resolve("b.sock").toString(),
                                Integer.toString(s.count(100_000_000)), PAYLOAD }),
                new PythonCase("baseline.python.pipe.oneway", "Python multiprocessing.Pipe, send_bytes/recv_bytes",
                        "pipe_oneway", 500_000),
                new PythonCase("baseline.python.pipe.rtt", "Python multiprocessing.Pipe ping-pong", "pipe_rtt", 100_000),
                new PythonCase("baseline.python.queue.oneway", "Python multiprocessing.Queue put/get", "queue_oneway",
                        300_000),
                new PythonCase("baseline.python.value", "Python Value('q') += 1 under its lock, 2 processes",
                        "value_lock", 500_000));
    }

    static List<Target> targets() {
        return List.of(
                Target.atLeast("queue raw one-way ≥ 50 M msgs/s", "queue.raw.oneway", "oneway.msgs_per_s", 50e6),
                Target.atMost("queue busy-spin RTT p50 ≤ 200 ns", "queue.raw.rtt.busyspin", "rtt.p50_ns", 200),
                Target.atMost("queue busy-spin RTT p99 ≤ 1 µs", "queue.raw.rtt.busyspin", "rtt.p99_ns", 1000),
                Target.atMostTimes("queue default-mode RTT p50 ≤ raw UDS ping-pong", "queue.raw.rtt.blocking",
                        "rtt.p50_ns", 1.0, "baseline.uds.pingpong", "rtt.p50_ns"),
                Target.atMost("idle queue listener < 1 % CPU", "queue.idle", "cpu.percent", 1.0),
                Target.atLeast("POJO IpcTemplate → @IpcListener ≥ 1.5 M msgs/s", "queue.pojo", "oneway.msgs_per_s", 1.5e6),
                Target.atLeastTimes("pipe one-way ≥ 0.5 × raw batched UDS", "pipe.oneway", "oneway.msgs_per_s", 0.5,
                        "baseline.uds.batched", "oneway.msgs_per_s"),
                Target.atMostTimes("pipe RTT p50 ≤ 1.1 × raw UDS ping-pong", "pipe.rtt", "rtt.p50_ns", 1.1,
                        "baseline.uds.pingpong", "rtt.p50_ns"),
                Target.atLeastTimes("shared counter, 2 processes ≥ 20 × Python Value + lock", "shm.counter",
                        "counter.increments_per_s", 20, "baseline.python.value", "counter.increments_per_s"),
                Target.atMost("start-up cost of 3 channels ≤ 50 ms over a bare context", "startup", "overhead_ms", 50));
    }
}

package io.github.springipc.reliability;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

import io.github.springipc.process.SiblingJvm;
import io.github.springipc.transport.IpcMessage;
import io.github.springipc.transport.pipe.IpcPipe;
import io.github.springipc.transport.pipe.PipeOptions;
import io.github.springipc.transport.queue.IpcQueue;
import io.github.springipc.transport.queue.QueueOptions;
import io.github.springipc.transport.shm.IpcSharedMemory;
import io.github.springipc.transport.shm.SharedLong;
import io.github.springipc.transport.shm.SharedMemoryOptions;
import io.github.springipc.transport.shm.SharedSnapshot;

/**
 * A soak run, not a test: mixed traffic on all three channel kinds between this JVM and a
 * {@link SoakPeer} for a number of minutes, sampling open file descriptors, threads and RSS of
 * both processes at intervals, and printing a Markdown table and a verdict (flat or not). Run by
 * {@code scripts/soak.sh}: {@code SoakMain <minutes> <sample-seconds> [report-file]}.
 *
 * <p>Traffic is paced (a few thousand queue messages and pipe round trips a second) so that the
 * run measures leaks, not throughput, on a shared machine.
 */
public final class SoakMain {

    private SoakMain() {
    }

    record Sample(long second, long fds, long threads, long rssKb, long peerFds, long peerThreads, long peerRssKb,
            long queued, long piped, long counter) {
    }

    public static void main(String[] args) throws Exception {
        double minutes = Double.parseDouble(args[0]);
        int sampleSeconds = Integer.parseInt(args[1]);
        Path report = args.length > 2 ? Path.of(args[2]) : null;
        Path dir = Files.createTempDirectory("ipc-soak");
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong queued = new AtomicLong();
        AtomicLong piped = new AtomicLong();
        List<Sample> samples = new ArrayList<>();
        try (SiblingJvm peer = SiblingJvm.builder(SoakPeer.class).jvmArguments("-Xmx128m")
                .arguments(dir.toString()).output(line -> { }).start();
                IpcQueue queue = IpcQueue.open(dir, "soak-q", QueueOptions.defaults());
                IpcPipe pipe = IpcPipe.open(dir, "soak-p", PipeOptions.defaults());
                IpcSharedMemory region = IpcSharedMemory.open(dir, "soak-s", SharedMemoryOptions.defaults())) {
            peer.awaitLineContaining("READY", Duration.ofSeconds(60));
            SharedLong hits = region.longValue("hits");
            SharedSnapshot snapshot = region.snapshot("state", 256);
            List<Thread> traffic = List.of(
                    SoakPeer.daemon("send-queue", () -> paced(running, 4_000, () -> {
                        queue.send(IpcMessage.of(("q" + queued.get()).getBytes(StandardCharsets.UTF_8)));
                        queued.incrementAndGet();
                    })),
                    SoakPeer.daemon("request-pipe", () -> paced(running, 2_000, () -> {
                        pipe.request(IpcMessage.of(("p" + piped.get()).getBytes(StandardCharsets.UTF_8)),
                                Duration.ofSeconds(10));
                        piped.incrementAndGet();
                    })),
                    SoakPeer.daemon("shared-memory", () -> paced(running, 2_000, () -> {
                        hits.incrementAndGet();
                        snapshot.publish(Long.toString(hits.get()).getBytes(StandardCharsets.UTF_8));
                        snapshot.read();
                    })));
            traffic.forEach(Thread::start);
            long start = System.nanoTime();
            long end = start + (long) (minutes * 60e9);
            for (long next = start; next <= end; next += TimeUnit.SECONDS.toNanos(sampleSeconds)) {
                LockSupport.parkNanos(next - System.nanoTime());
                long self = ProcessHandle.current().pid();
                samples.add(new Sample(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start), fds(self),
                        status(self, "Threads:"), status(self, "VmRSS:"), fds(peer.pid()), status(peer.pid(), "Threads:"),
                        status(peer.pid(), "VmRSS:"), queued.get(), piped.get(), hits.get()));
                System.out.println(row(samples.get(samples.size() - 1)));
            }
            running.set(false);
            for (Thread thread : traffic) {
                thread.join(15_000);
            }
            peer.writeLine("REPORT");
            String counts = peer.awaitLineContaining("COUNTS", Duration.ofSeconds(30));
            String result = report(minutes, samples, counts.trim(), queued.get(), piped.get());
            System.out.println(result);
            if (report != null) {
                Files.writeString(report, result);
            }
        }
        finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static String report(double minutes, List<Sample> samples, String counts, long queued, long piped) {
        StringBuilder out = new StringBuilder();
        out.append("| t (s) | fds | threads | RSS (MiB) | peer fds | peer threads | peer RSS (MiB) | queue msgs | pipe"
                + " round trips | shared counter |\n|---|---|---|---|---|---|---|---|---|---|\n");
        samples.forEach(s -> out.append(row(s)).append('\n'));
        // the first sample is before warm-up; compare the last with the one after the first interval
        Sample base = samples.get(Math.min(1, samples.size() - 1));
        Sample last = samples.get(samples.size() - 1);
        boolean flat = last.fds() <= base.fds() + 5 && last.peerFds() <= base.peerFds() + 5
                && last.threads() <= base.threads() + 3 && last.peerThreads() <= base.peerThreads() + 3
                && last.rssKb() <= base.rssKb() * 1.25 + 16_384 && last.peerRssKb() <= base.peerRssKb() * 1.25 + 16_384;
        String[] peerCounts = counts.split(" ");
        boolean complete = Long.parseLong(peerCounts[1]) == queued && Long.parseLong(peerCounts[2]) == piped;
        out.append("\n").append(minutes).append(" min: ").append(queued).append(" queue messages sent, ")
                .append(peerCounts[1]).append(" consumed; ").append(piped).append(" pipe round trips, ")
                .append(peerCounts[2]).append(" answered. Resources ").append(flat ? "FLAT" : "GREW")
                .append(" (last sample vs. the one after warm-up), messages ")
                .append(complete ? "COMPLETE" : "MISSING").append('\n');
        return out.toString();
    }

    private static String row(Sample s) {
        return "| " + s.second() + " | " + s.fds() + " | " + s.threads() + " | " + s.rssKb() / 1024 + " | " + s.peerFds()
                + " | " + s.peerThreads() + " | " + s.peerRssKb() / 1024 + " | " + s.queued() + " | " + s.piped() + " | "
                + s.counter() + " |";
    }

    interface Step {

        void run() throws Exception;
    }

    /** Runs {@code step} about {@code perSecond} times a second until told to stop. */
    private static void paced(AtomicBoolean running, int perSecond, Step step) throws Exception {
        long interval = TimeUnit.SECONDS.toNanos(1) / perSecond;
        long next = System.nanoTime();
        while (running.get()) {
            step.run();
            next += interval;
            long wait = next - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            else if (wait < -TimeUnit.SECONDS.toNanos(1)) {
                next = System.nanoTime(); // fell behind: do not burst to catch up
            }
        }
    }

    private static long fds(long pid) {
        try (Stream<Path> fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            return fds.count();
        }
        catch (IOException ex) {
            return -1;
        }
    }

    private static long status(long pid, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]);
                }
            }
        }
        catch (IOException ex) {
            // the process ended
        }
        return -1;
    }
}

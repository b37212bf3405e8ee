package io.github.springipc.transport.queue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.github.springipc.transport.IpcClosedException;
import io.github.springipc.transport.IpcDelivery;
import io.github.springipc.transport.IpcMessage;

/**
 * The other processes of the queue tests, run by {@code SiblingJvm}:
 * {@code <role> <dir> <queue> <capacity> [role arguments]}. Consumers record what they got in a
 * memory-mapped {@link ReceivedLog} before acknowledging it, so the record survives kill -9.
 */
public final class QueueSibling {

    private QueueSibling() {
    }

    public static void main(String[] args) throws Exception {
        String role = args[0];
        Path dir = Paths.get(args[1]);
        String name = args[2];
        QueueOptions options = QueueOptions.builder().capacity(Integer.parseInt(args[3])).build();
        switch (role) {
            case "produce" -> produce(dir, name, options, Integer.parseInt(args[4]), Integer.parseInt(args[5]),
                    Long.parseLong(args[6]));
            case "consume" -> consume(dir, name, options, Paths.get(args[4]), Integer.parseInt(args[5]));
            case "drain" -> drain(dir, name, options, Paths.get(args[4]));
            case "stall" -> stall(dir, name, options, Integer.parseInt(args[4]));
            case "fail-mid-write" -> failMidWrite(dir, name, options);
            case "idle" -> idle(dir, name, options);
            case "respond" -> respond(dir, name, options);
            case "crash" -> crash(dir, name, options, args[4]);
            case "crash-two-lanes" -> crashInBothLanes(dir, name, options);
            case "close-mid-write" -> closeWhileTheOwnerWrites(dir, name, options);
            case "hold" -> hold(dir, name, options, Integer.parseInt(args[4]), Integer.parseInt(args[5]));
            default -> throw new IllegalArgumentException(role);
        }
    }

    /** Sends {@code count} raw 64-byte messages whose first long is {@code producer << 32 | seq}. */
    private static void produce(Path dir, String name, QueueOptions options, int producer, int count, long pauseNanos)
            throws Exception {
        try (IpcQueue queue = IpcQueue.open(dir, name, options)) {
            System.out.println("READY");
            awaitGo();
            ByteBuffer message = ByteBuffer.allocateDirect(64).order(ByteOrder.LITTLE_ENDIAN);
            long next = System.nanoTime();
            for (int seq = 0; seq < count; seq++) {
                message.putLong(0, ((long) producer << 32) | seq);
                message.clear();
                queue.write(message, Duration.ofSeconds(30));
                if (pauseNanos > 0) {
                    next += pauseNanos;
                    while (System.nanoTime() < next) {
                        Thread.onSpinWait();
                    }
                }
            }
            System.out.println("SENT " + count);
        }
    }

    /** Receives one by one, holding up to {@code holdBatch} deliveries before acknowledging them. */
    private static void consume(Path dir, String name, QueueOptions options, Path log, int holdBatch) throws Exception {
        try (IpcQueue queue = IpcQueue.open(dir, name, options); ReceivedLog received = ReceivedLog.open(log)) {
            System.out.println("READY");
            List<IpcDelivery> held = new ArrayList<>();
            for (;;) {
                IpcDelivery delivery = queue.receive(Duration.ofMillis(20));
                if (delivery != null) {
                    ByteBuffer payload = ByteBuffer.wrap(delivery.message().payload()).order(ByteOrder.LITTLE_ENDIAN);
                    received.add(payload.getLong(0), delivery.deliveryAttempt());
                    held.add(delivery);
                }
                if (held.size() >= holdBatch || (delivery == null && !held.isEmpty())) {
                    held.forEach(IpcDelivery::acknowledge);
                    held.clear();
                }
            }
        }
    }

    /** Drains raw batches; the log is written inside the handler, before the batch is acknowledged. */
    private static void drain(Path dir, String name, QueueOptions options, Path log) throws Exception {
        try (IpcQueue queue = IpcQueue.open(dir, name, options); ReceivedLog received = ReceivedLog.open(log)) {
            System.out.println("READY");
            RawMessageHandler handler = (buffer, offset, length) -> received.add(buffer.getLong(offset), 0);
            for (;;) {
                if (queue.drain(handler, 64) == 0) {
                    IpcDelivery delivery = queue.receive(Duration.ofMillis(50)); // sleep on the doorbell
                    if (delivery != null) {
                        received.add(ByteBuffer.wrap(delivery.message().payload()).order(ByteOrder.LITTLE_ENDIAN)
                                .getLong(0), delivery.deliveryAttempt());
                        delivery.acknowledge();
                    }
                }
            }
        }
    }

    /** Sends {@code before} envelopes, then stalls forever in the middle of writing the next one. */
    private static void stall(Path dir, String name, QueueOptions options, int before) throws Exception {
        try (IpcQueue queue = IpcQueue.open(dir, name, options)) {
            for (int i = 0; i < before; i++) {
                queue.send(IpcMessage.of(("before-" + i).getBytes(StandardCharsets.UTF_8)), Duration.ofSeconds(5));
            }
            IpcQueue.beforePublishHook = () -> {
                System.out.println("STALLED");
                stopUntilKilled();
            };
            queue.send(IpcMessage.of("never-published".getBytes(StandardCharsets.UTF_8)), Duration.ofSeconds(5));
        }
    }

    /**
     * Sends "before", then an envelope, a raw message and a run of two raw messages whose writes
     * each fail between the claim and the publish (the hook throws), then "after"; reports each
     * failure and stays alive (recovery pads only the claims of dead processes).
     */
    private static void failMidWrite(Path dir, String name, QueueOptions options) throws Exception {
        try (IpcQueue queue = IpcQueue.open(dir, name, options)) {
            queue.send(IpcMessage.of("before".getBytes(StandardCharsets.UTF_8)), Duration.ofSeconds(5));
            IpcQueue.beforePublishHook = () -> {
                throw new IllegalStateException("failed mid-write");
            };
            try {
                queue.send(IpcMessage.of("failed-envelope".getBytes(StandardCharsets.UTF_8)), Duration.ofSeconds(5));
            }
            catch (IllegalStateException expected) {
                System.out.println("SEND-FAILED " + expected.getMessage());
            }
            ByteBuffer raw = ByteBuffer.wrap("failed-raw".getBytes(StandardCharsets.UTF_8));
            try {
                queue.offer(raw, 0, raw.limit());
            }
            catch (IllegalStateException expected) {
                System.out.println("OFFER-FAILED " + expected.getMessage());
            }
            // a run of three whose second write fails: the first is published, the rest padded
            int[] writes = new int[1];
            IpcQueue.beforePublishHook = () -> {
                if (++writes[0] == 2) {
                    throw new IllegalStateException("run failed mid-write");
                }
            };
            ByteBuffer[] run = new ByteBuffer[3];
            for (int i = 0; i < run.length; i++) {
                run[i] = ByteBuffer.wrap(("run-" + i).getBytes(StandardCharsets.UTF_8));
            }
            try {
                queue.tryWrite(run, 0, run.length);
            }
            catch (IllegalStateException expected) {
                System.out.println("RUN-FAILED " + expected.getMessage());
            }
            IpcQueue.beforePublishHook = null;
            queue.send(IpcMessage.of("after".getBytes(StandardCharsets.UTF_8)), Duration.ofSeconds(5));
            System.out.println("SENT-AFTER");
            stopUntilKilled();
        }
    }

    /**
     * Waits idle on the doorbell for 3 s, reports the process's and the waiting thread's CPU
     * share and how long it waited, then reports the message that wakes it.
     */
    private static void idle(Path dir, String name, QueueOptions options) throws Exception {
        com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean) ManagementFactory
                .getOperatingSystemMXBean();
        java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        try (IpcQueue queue = IpcQueue.open(dir, name, options)) {
            queue.receive(Duration.ofMillis(500)); // warm up: binds the doorbell
            long processBefore = os.getProcessCpuTime(); // 10 ms ticks on Linux
            long threadBefore = threads.getCurrentThreadCpuTime(); // nanoseconds
            long wallBefore = System.nanoTime();
            IpcDelivery none = queue.receive(Duration.ofSeconds(3));
            long wall = System.nanoTime() - wallBefore;
            double threadShare = (double) (threads.getCurrentThreadCpuTime() - threadBefore) / wall;
            double processShare = (double) (os.getProcessCpuTime() - processBefore) / wall;
            System.out.println("IDLE_CPU " + processShare + " " + threadShare + " " + wall + " " + (none == null));
            IpcDelivery delivery = queue.receive(Duration.ofSeconds(20));
            System.out.println("WOKE " + new String(delivery.message().payload(), StandardCharsets.UTF_8));
            delivery.acknowledge();
        }
    }

    /** Replies to every request with its payload in upper case. */
    private static void respond(Path dir, String name, QueueOptions options) throws Exception {
        try (IpcQueue queue = IpcQueue.open(dir, name, options)) {
            System.out.println("READY");
            for (;;) {
                IpcDelivery delivery = queue.receive(Duration.ofSeconds(1));
                if (delivery != null) {
                    String text = new String(delivery.message().payload(), StandardCharsets.UTF_8);
                    delivery.reply(IpcMessage.of(text.toUpperCase().getBytes(StandardCharsets.UTF_8)));
                    delivery.acknowledge();
                }
            }
        }
    }

    /** Acknowledges {@code ack} envelopes, then takes {@code hold} more without settling them and waits to be killed. */
    private static void hold(Path dir, String name, QueueOptions options, int ack, int hold) throws Exception {
        IpcQueue queue = IpcQueue.open(dir, name, options);
        for (int i = 0; i < ack; i++) {
            queue.receive(Duration.ofSeconds(10)).acknowledge();
        }
        List<IpcDelivery> held = new ArrayList<>();
        for (int i = 0; i < hold; i++) {
            held.add(queue.receive(Duration.ofSeconds(10)));
        }
        System.out.println("HOLDING " + held.size());
        stopUntilKilled();
    }

    /** Stops forever at the named crash point of QueueRing, announcing it, to be killed there. */
    private static void crash(Path dir, String name, QueueOptions options, String point) throws Exception {
        IpcQueue queue = IpcQueue.open(dir, name, options);
        QueueRing.crashPoint = reached -> {
            if (reached.equals(point)) {
                System.out.println("CRASH-POINT " + point);
                stopUntilKilled();
            }
        };
        switch (point) {
            case "after-tail-claim" -> queue.send(IpcMessage.of(new byte[] { 1 }), Duration.ofSeconds(5));
            case "after-dispatch-claim" -> queue.drain((buffer, offset, length) -> { }, 16);
            case "mid-reclaim", "after-reclaim-mark" -> {
                queue.receive(Duration.ofSeconds(5)).acknowledge();
                queue.housekeeping(); // reclaims the acknowledged record
            }
            case "two-reclaimers" -> twoReclaimers(queue);
            case "mid-run" -> {
                ByteBuffer[] run = new ByteBuffer[5];
                for (int i = 0; i < run.length; i++) {
                    run[i] = ByteBuffer.wrap(("run-" + i).getBytes(StandardCharsets.UTF_8));
                }
                queue.tryWrite(run, 0, run.length);
            }
            default -> throw new IllegalArgumentException(point);
        }
        throw new IllegalStateException("crash point " + point + " not reached");
    }

    /**
     * Sends "owned-0" from the main thread (which so owns the lock-free producer lane), then
     * stops two threads after their tail CAS, one in each lane, with messages of different
     * sizes, announcing each, to be killed there.
     */
    private static void crashInBothLanes(Path dir, String name, QueueOptions options) throws Exception {
        IpcQueue queue = IpcQueue.open(dir, name, options);
        queue.send(IpcMessage.of("owned-0".getBytes(StandardCharsets.UTF_8)), Duration.ofSeconds(5));
        CountDownLatch sharedStopped = new CountDownLatch(1);
        QueueRing.crashPoint = reached -> {
            if (reached.equals("after-tail-claim")) {
                System.out.println("CRASH-POINT lane of " + Thread.currentThread().getName());
                sharedStopped.countDown();
                stopUntilKilled();
            }
        };
        Thread shared = new Thread(() -> queue.send(IpcMessage.of(new byte[1]), Duration.ofSeconds(5)), "shared");
        shared.setDaemon(true);
        shared.start();
        if (!sharedStopped.await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the shared lane's send did not reach its crash point");
        }
        queue.send(IpcMessage.of(new byte[100]), Duration.ofSeconds(5));
        throw new IllegalStateException("crash point not reached in the owned lane");
    }

    /**
     * Sends "owned-0" from the main thread (the lock-free lane's owner), then closes the queue
     * from another thread while the main thread's next send stands between its tail CAS and its
     * record. Reports whether the close waited for the send ("CLOSE-WAITED" or
     * "CLOSED-UNDER-A-WRITE") and how the send ended ("SEND-CLOSED" or "SENT"), then whether the close returned.
     */
    private static void closeWhileTheOwnerWrites(Path dir, String name, QueueOptions options) throws Exception {
        IpcQueue queue = IpcQueue.open(dir, name, options);
        queue.send(IpcMessage.of("owned-0".getBytes(StandardCharsets.UTF_8)), Duration.ofSeconds(5));
        CountDownLatch claimed = new CountDownLatch(1);
        Thread closer = new Thread(() -> {
            try {
                claimed.await();
            }
            catch (InterruptedException ex) {
                return;
            }
            queue.close();
        }, "closer");
        closer.start();
        QueueRing.crashPoint = reached -> {
            if (reached.equals("after-tail-claim")) {
                claimed.countDown();
                // the close must reach the wait for this send, and stay there (bounded look)
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                boolean waiting = false;
                while (!waiting && closer.isAlive() && System.nanoTime() - deadline < 0) {
                    waiting = java.util.Arrays.stream(closer.getStackTrace())
                            .anyMatch(frame -> frame.getMethodName().equals("quiesce"));
                    Thread.onSpinWait();
                }
                System.out.println(waiting && closer.isAlive() ? "CLOSE-WAITED" : "CLOSED-UNDER-A-WRITE");
            }
        };
        try {
            queue.send(IpcMessage.of("abandoned".getBytes(StandardCharsets.UTF_8)), Duration.ofSeconds(5));
            System.out.println("SENT");
        }
        catch (IpcClosedException expected) {
            System.out.println("SEND-CLOSED");
        }
        closer.join(10_000);
        System.out.println(closer.isAlive() ? "END close hangs" : "END close returned");
    }

    /**
     * Stops the calling thread until the test kills this process. The parent keeps our standard
     * input open while it runs; at its end (the parent is gone) this process ends too, so that
     * no sibling outlives its test.
     */
    /**
     * Two threads of one attachment reclaim the same settled head record (the parent sent it;
     * this process takes and acknowledges it): "second" announces its reclaim and stops before
     * its CAS; the main thread then reclaims, and "second" goes on. Whichever thread reaches the
     * middle of the zeroing first lets the other finish its attempt, reports the crash point and
     * waits to be killed: recovery must then find the reclaim that was under way.
     */
    private static void twoReclaimers(IpcQueue queue) throws Exception {
        queue.receive(Duration.ofSeconds(5)).acknowledge();
        CountDownLatch secondStopped = new CountDownLatch(1);
        CountDownLatch secondGo = new CountDownLatch(1);
        Thread[] second = new Thread[1];
        QueueRing.crashPoint = reached -> {
            Thread me = Thread.currentThread();
            if (reached.equals("before-reclaim-mark") && me == second[0]) {
                secondStopped.countDown();
                awaitQuietly(secondGo);
            }
            else if (reached.equals("mid-reclaim")) {
                secondGo.countDown();
                if (me != second[0]) {
                    joinQuietly(second[0]);
                }
                System.out.println("CRASH-POINT two-reclaimers");
                stopUntilKilled();
            }
        };
        second[0] = new Thread(queue::housekeeping, "second");
        second[0].start();
        if (!secondStopped.await(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the second reclaimer never announced");
        }
        queue.housekeeping();
        secondGo.countDown();
        stopUntilKilled();
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    private static void joinQuietly(Thread thread) {
        try {
            thread.join(10_000);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    private static void stopUntilKilled() {
        try {
            while (System.in.read() != -1) {
                // nothing is sent to a stopped sibling
            }
        }
        catch (IOException ignored) {
            // the parent is gone as well
        }
        Runtime.getRuntime().halt(1);
    }

    private static void awaitGo() throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line = in.readLine();
        if (!"GO".equals(line)) {
            throw new IllegalStateException("expected GO, got " + line);
        }
    }

    /**
     * What a consumer received, in a memory-mapped file that survives kill -9: a count, then
     * (id, attempt) pairs of longs.
     */
    static final class ReceivedLog implements AutoCloseable {

        static final int MAX_ENTRIES = 1 << 20;

        private final FileChannel channel;

        private final MappedByteBuffer buffer;

        private int count;

        private ReceivedLog(FileChannel channel, MappedByteBuffer buffer) {
            this.channel = channel;
            this.buffer = buffer;
        }

        static ReceivedLog open(Path file) throws Exception {
            FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            MappedByteBuffer buffer = channel.map(FileChannel.MapMode.READ_WRITE, 0, 16L * (MAX_ENTRIES + 1));
            buffer.order(ByteOrder.LITTLE_ENDIAN);
            return new ReceivedLog(channel, buffer);
        }

        void add(long id, int attempt) {
            int at = 16 * (this.count + 1);
            this.buffer.putLong(at, id);
            this.buffer.putLong(at + 8, attempt);
            this.count++;
            QueueRing.LONG.setRelease(this.buffer, 0, (long) this.count);
        }

        /** Reads a log written by another process: {@code [id, attempt]} pairs. */
        static List<long[]> read(Path file) throws Exception {
            List<long[]> entries = new ArrayList<>();
            if (!file.toFile().exists()) {
                return entries;
            }
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                ByteBuffer all = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size()).order(ByteOrder.LITTLE_ENDIAN);
                long count = all.getLong(0);
                for (int i = 1; i <= count; i++) {
                    entries.add(new long[] { all.getLong(16 * i), all.getLong(16 * i + 8) });
                }
            }
            return entries;
        }

        static long count(Path file) throws Exception {
            if (!file.toFile().exists() || file.toFile().length() < 8) {
                return 0;
            }
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                ByteBuffer first = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
                channel.read(first, 0);
                return first.getLong(0);
            }
        }

        @Override
        public void close() throws Exception {
            this.channel.close();
        }
    }
}

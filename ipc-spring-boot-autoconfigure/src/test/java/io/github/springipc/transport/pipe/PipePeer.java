package io.github.springipc.transport.pipe;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import io.github.springipc.transport.IpcDelivery;
import io.github.springipc.transport.IpcMessage;

/**
 * The other end of the pipe tests, run in a sibling JVM.
 *
 * <p>Arguments: {@code <dir> <name> <mode> [role=..] [authkey=..] [confirm=true] [wire=RAW]}.
 * Modes: {@code echo} prints {@code GOT <text>} for each message and replies {@code echo:<text>}
 * to requests, and takes commands on stdin ({@code request <text>}); {@code sink <n>} expects
 * {@code n} 8-byte sequence numbers in order; {@code drainsink <n>} the same through
 * {@code drain}, and prints the bytes it allocated per message ({@code delay=<ms>}: starts reading
 * that long after READY); {@code multisink <threads> <n>} expects {@code n}
 * messages from each of several sending threads, each thread's in order; {@code mirror} sends
 * every payload back (as the reply to a request); {@code stall} connects and never receives;
 * {@code third} only tries to open.
 */
public final class PipePeer {

    /** {@code delay=<ms>}: how long {@code drainsink} waits after READY before it reads anything. */
    private static long startDelayMillis;

    private PipePeer() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        String name = args[1];
        String mode = args[2];
        PipeOptions.Builder options = PipeOptions.builder().handshakeTimeout(Duration.ofSeconds(3));
        for (int i = 3; i < args.length; i++) {
            String[] kv = args[i].split("=", 2);
            if (kv.length < 2) {
                continue;
            }
            switch (kv[0]) {
                case "role" -> options.role(PipeRole.valueOf(kv[1]));
                case "authkey" -> options.authkey(kv[1].getBytes(StandardCharsets.UTF_8));
                case "confirm" -> options.confirmDelivery(Boolean.parseBoolean(kv[1]));
                case "wire" -> options.wireFormat(PipeWireFormat.valueOf(kv[1]));
                case "delay" -> startDelayMillis = Long.parseLong(kv[1]);
                default -> throw new IllegalArgumentException(args[i]);
            }
        }
        if (mode.equals("third")) {
            try (IpcPipe pipe = IpcPipe.open(dir, name, options.build())) {
                System.out.println("OPENED " + pipe.activeRole());
            }
            catch (IpcPipeOccupiedException ex) {
                System.out.println("REFUSED " + ex.getMessage());
            }
            catch (RuntimeException ex) {
                System.out.println("ERROR " + ex);
            }
            return;
        }
        IpcPipe pipe;
        try {
            pipe = IpcPipe.open(dir, name, options.build());
        }
        catch (RuntimeException ex) {
            System.out.println("OPEN FAILED " + ex.getClass().getSimpleName() + ": " + ex.getMessage());
            return;
        }
        System.out.println("READY " + pipe.activeRole());
        if (mode.equals("sink")) {
            sink(pipe, Long.parseLong(args[3]));
            return;
        }
        if (mode.equals("drainsink")) {
            drainSink(pipe, Long.parseLong(args[3]));
            return;
        }
        if (mode.equals("stall")) {
            // connected, and never receives: the pipe's buffer and then the socket fill up
            Thread.sleep(120_000);
            return;
        }
        if (mode.equals("countsink")) {
            countSink(pipe);
            return;
        }
        if (mode.equals("multisink")) {
            multiSink(pipe, Integer.parseInt(args[3]), Integer.parseInt(args[4]));
            return;
        }
        if (mode.equals("mirror")) {
            mirror(pipe);
            return;
        }
        Thread commands = new Thread(() -> commands(pipe), "commands");
        commands.setDaemon(true);
        commands.start();
        while (true) {
            IpcDelivery delivery = pipe.receive(Duration.ofSeconds(1));
            if (delivery == null) {
                continue;
            }
            String text = new String(delivery.message().payload(), StandardCharsets.UTF_8);
            System.out.println("GOT " + text);
            if (delivery.expectsReply()) {
                delivery.reply(IpcMessage.of(("echo:" + text).getBytes(StandardCharsets.UTF_8)));
            }
            delivery.acknowledge();
        }
    }

    private static void sink(IpcPipe pipe, long expected) throws InterruptedException {
        long next = 0;
        while (next < expected) {
            IpcDelivery delivery = pipe.receive(Duration.ofSeconds(30));
            if (delivery == null) {
                System.out.println("SINK STALLED at " + next);
                return;
            }
            long got = ByteBuffer.wrap(delivery.message().payload()).getLong();
            delivery.acknowledge();
            if (got != next) {
                System.out.println("SINK BAD expected " + next + " got " + got);
                return;
            }
            next++;
        }
        System.out.println("SINK OK " + next);
        pipe.send("done".getBytes(StandardCharsets.UTF_8));
        // stay until the parent reads the acknowledgement and stops us
        Thread.sleep(60_000);
    }

    /** Like {@link #sink}, through {@code drain}: in place, nothing allocated per message. */
    private static void drainSink(IpcPipe pipe, long expected) throws InterruptedException {
        long[] next = new long[1];
        String[] bad = new String[1];
        PipeMessageHandler handler = (buffer, offset, length) -> {
            long got = length == 8 ? buffer.getLong(offset) : -length;
            if (got != next[0] && bad[0] == null) {
                bad[0] = "DRAINSINK BAD expected " + next[0] + " got " + got;
            }
            next[0]++;
        };
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory
                .getThreadMXBean();
        // the first messages warm the code up; allocation is counted over the rest
        long warmUp = Math.min(expected / 2, 20_000);
        Thread.sleep(startDelayMillis); // meanwhile the socket and the sender's buffer fill up
        long allocatedBefore = -1;
        long countedFrom = 0;
        while (next[0] < expected && bad[0] == null) {
            if (allocatedBefore < 0 && next[0] >= warmUp) {
                countedFrom = next[0];
                allocatedBefore = threads.getCurrentThreadAllocatedBytes();
            }
            if (pipe.drain(handler, 4096, Duration.ofSeconds(30)) == 0) {
                System.out.println("DRAINSINK STALLED at " + next[0]);
                return;
            }
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - allocatedBefore;
        if (bad[0] != null) {
            System.out.println(bad[0]);
            return;
        }
        System.out.printf("DRAINSINK OK %d allocated %.3f bytes per message%n", next[0],
                (double) allocated / Math.max(1, next[0] - countedFrom));
        Thread.sleep(60_000);
    }

    /**
     * After the start delay, drains messages of (long sequence) and reports how many came, in
     * order, each time none came for 500 ms: {@code COUNTSINK <count>} or {@code COUNTSINK BAD ...}.
     */
    private static void countSink(IpcPipe pipe) throws InterruptedException {
        Thread.sleep(startDelayMillis); // meanwhile the socket and the sender's buffers fill up
        long[] next = new long[1];
        String[] bad = new String[1];
        PipeMessageHandler handler = (buffer, offset, length) -> {
            long got = buffer.getLong(offset);
            if (got != next[0] && bad[0] == null) {
                bad[0] = "COUNTSINK BAD expected " + next[0] + " got " + got;
            }
            next[0]++;
        };
        long reported = -1;
        while (true) {
            if (pipe.drain(handler, 4096, Duration.ofMillis(500)) == 0 && next[0] != reported) {
                reported = next[0];
                System.out.println(bad[0] != null ? bad[0] : "COUNTSINK " + next[0]);
            }
        }
    }

    /** Expects {@code threads * perThread} messages of (int thread, long sequence), each thread's in order. */
    private static void multiSink(IpcPipe pipe, int threads, int perThread) throws InterruptedException {
        long[] next = new long[threads];
        long total = (long) threads * perThread;
        for (long got = 0; got < total; got++) {
            IpcDelivery delivery = pipe.receive(Duration.ofSeconds(30));
            if (delivery == null) {
                System.out.println("MULTISINK STALLED after " + got);
                return;
            }
            ByteBuffer body = ByteBuffer.wrap(delivery.message().payload());
            delivery.acknowledge();
            int thread = body.getInt();
            long sequence = body.getLong();
            if (sequence != next[thread]) {
                System.out.println("MULTISINK BAD thread " + thread + " expected " + next[thread] + " got " + sequence);
                return;
            }
            next[thread]++;
        }
        System.out.println("MULTISINK OK " + total);
        Thread.sleep(60_000);
    }

    /** Answers each request with its own payload, and sends each plain message back. */
    private static void mirror(IpcPipe pipe) throws InterruptedException {
        while (true) {
            IpcDelivery delivery = pipe.receive(Duration.ofSeconds(1));
            if (delivery == null) {
                continue;
            }
            System.out.println("MIRRORED " + delivery.message().payload().length);
            if (delivery.expectsReply()) {
                delivery.reply(IpcMessage.of(delivery.message().payload()));
            }
            else {
                pipe.send(delivery.message().payload());
            }
            delivery.acknowledge();
        }
    }

    private static void commands(IpcPipe pipe) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.startsWith("request ")) {
                    try {
                        IpcMessage reply = pipe.request(IpcMessage.of(line.substring(8).getBytes(StandardCharsets.UTF_8)),
                                Duration.ofSeconds(5));
                        System.out.println("REPLY " + new String(reply.payload(), StandardCharsets.UTF_8));
                    }
                    catch (RuntimeException ex) {
                        System.out.println("REQUEST FAILED " + ex);
                    }
                }
            }
        }
        catch (Exception ex) {
            System.out.println("COMMANDS FAILED " + ex);
        }
    }
}

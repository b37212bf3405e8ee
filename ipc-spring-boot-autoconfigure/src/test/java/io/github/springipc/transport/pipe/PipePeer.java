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
 * {@code n} 8-byte sequence numbers in order; {@code third} only tries to open.
 */
public final class PipePeer {

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

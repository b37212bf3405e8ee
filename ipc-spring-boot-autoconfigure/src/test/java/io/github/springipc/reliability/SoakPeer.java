package io.github.springipc.reliability;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import io.github.springipc.transport.IpcDelivery;
import io.github.springipc.transport.IpcMessage;
import io.github.springipc.transport.pipe.IpcPipe;
import io.github.springipc.transport.pipe.PipeOptions;
import io.github.springipc.transport.queue.IpcQueue;
import io.github.springipc.transport.queue.QueueOptions;
import io.github.springipc.transport.shm.IpcSharedMemory;
import io.github.springipc.transport.shm.SharedLong;
import io.github.springipc.transport.shm.SharedMemoryOptions;

/**
 * The other process of the soak run ({@link SoakMain}): consumes the queue, answers pipe
 * requests, bumps a shared counter. Prints {@code COUNTS <queue> <pipe>} on {@code REPORT}.
 */
public final class SoakPeer {

    private SoakPeer() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        AtomicLong queued = new AtomicLong();
        AtomicLong piped = new AtomicLong();
        try (IpcQueue queue = IpcQueue.open(dir, "soak-q", QueueOptions.defaults());
                IpcPipe pipe = IpcPipe.open(dir, "soak-p", PipeOptions.defaults());
                IpcSharedMemory region = IpcSharedMemory.open(dir, "soak-s", SharedMemoryOptions.defaults())) {
            SharedLong hits = region.longValue("hits");
            Thread consumer = daemon("queue", () -> {
                while (true) {
                    IpcDelivery delivery = queue.receive(Duration.ofMillis(200));
                    if (delivery != null) {
                        delivery.acknowledge();
                        queued.incrementAndGet();
                        hits.incrementAndGet();
                    }
                }
            });
            Thread responder = daemon("pipe", () -> {
                while (true) {
                    IpcDelivery delivery = pipe.receive(Duration.ofMillis(200));
                    if (delivery != null) {
                        delivery.reply(IpcMessage.of(delivery.message().payload()));
                        delivery.acknowledge();
                        piped.incrementAndGet();
                    }
                }
            });
            consumer.start();
            responder.start();
            System.out.println("READY");
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null) {
                if (line.equals("REPORT")) {
                    System.out.println("COUNTS " + queued.get() + " " + piped.get());
                }
            }
        }
    }

    interface Body {

        void run() throws Exception;
    }

    static Thread daemon(String name, Body body) {
        Thread thread = new Thread(() -> {
            try {
                body.run();
            }
            catch (Exception ex) {
                ex.printStackTrace();
            }
        }, "soak-" + name);
        thread.setDaemon(true);
        return thread;
    }
}

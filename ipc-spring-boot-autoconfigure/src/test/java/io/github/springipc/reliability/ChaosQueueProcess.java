package io.github.springipc.reliability;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

import io.github.springipc.transport.IpcDelivery;
import io.github.springipc.transport.IpcException;
import io.github.springipc.transport.IpcMessage;
import io.github.springipc.transport.queue.IpcQueue;
import io.github.springipc.transport.queue.QueueOptions;

/**
 * A producer or consumer of the queue chaos test, run by {@code SiblingJvm} and killed at random:
 * {@code produce|consume <dir> <queue> <capacity> <ledger> <incarnation>}.
 *
 * <p>A producer sends envelopes whose payload is the id {@code incarnation << 32 | seq} and
 * records an id in its ledger only after {@code send} returned (the queue holds it). A consumer
 * records (id, delivery attempt) before acknowledging. Both run until killed; a producer also stops
 * (and prints {@code STOPPED <n>}) when it reads {@code STOP} on its standard input.
 */
public final class ChaosQueueProcess {

    /** Pause between two sends of one producer: a few thousand messages a second, the run outlasts the kills. */
    private static final long PAUSE_NANOS = 300_000;

    /** Deliveries a consumer holds before acknowledging them together. */
    private static final int ACK_BATCH = 32;

    private ChaosQueueProcess() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Paths.get(args[1]);
        String name = args[2];
        QueueOptions options = QueueOptions.builder().capacity(Integer.parseInt(args[3]))
                .livenessInterval(Duration.ofMillis(100)).build();
        Path ledgerFile = Paths.get(args[4]);
        long incarnation = Long.parseLong(args[5]);
        try (IpcQueue queue = IpcQueue.open(dir, name, options); Ledger ledger = Ledger.create(ledgerFile)) {
            if (args[0].equals("produce")) {
                produce(queue, ledger, incarnation);
            }
            else {
                consume(queue, ledger);
            }
        }
    }

    private static void produce(IpcQueue queue, Ledger ledger, long incarnation) {
        Thread stopper = new Thread(ChaosQueueProcess::awaitStop, "stop");
        stopper.setDaemon(true);
        stopper.start();
        System.out.println("READY");
        byte[] payload = new byte[8];
        ByteBuffer id = ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN);
        int sent = 0;
        for (int seq = 0; stopper.isAlive(); seq++) {
            long value = (incarnation << 32) | seq;
            id.putLong(0, value);
            try {
                queue.send(IpcMessage.of(payload.clone()), Duration.ofSeconds(2));
            }
            catch (IpcException notSent) {
                System.out.println("NOT SENT " + value + ": " + notSent.getMessage());
                continue;
            }
            ledger.append(value, 0);
            sent++;
            LockSupport.parkNanos(PAUSE_NANOS);
        }
        System.out.println("STOPPED " + sent);
    }

    /**
     * Handles (records) each message at once but acknowledges them in batches, as a listener with
     * a slow commit would: a kill then leaves handled but unacknowledged messages in flight.
     */
    private static void consume(IpcQueue queue, Ledger ledger) throws InterruptedException {
        System.out.println("READY");
        java.util.List<IpcDelivery> unacknowledged = new java.util.ArrayList<>();
        while (true) {
            IpcDelivery delivery = queue.receive(Duration.ofMillis(20));
            if (delivery != null) {
                long value = ByteBuffer.wrap(delivery.message().payload()).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
                ledger.append(value, delivery.deliveryAttempt());
                unacknowledged.add(delivery);
            }
            if (unacknowledged.size() >= ACK_BATCH || (delivery == null && !unacknowledged.isEmpty())) {
                unacknowledged.forEach(IpcDelivery::acknowledge);
                unacknowledged.clear();
            }
        }
    }

    private static void awaitStop() {
        try {
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null && !line.equals("STOP")) {
                // wait
            }
        }
        catch (Exception ignored) {
            // the parent went away: stop
        }
    }
}

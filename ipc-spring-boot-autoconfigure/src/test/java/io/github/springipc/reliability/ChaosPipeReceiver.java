package io.github.springipc.reliability;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;

import io.github.springipc.transport.IpcDelivery;
import io.github.springipc.transport.pipe.IpcPipe;
import io.github.springipc.transport.pipe.PipeOptions;

/**
 * The receiving end of the pipe chaos test, killed at random: {@code <dir> <pipe> <ledger>}.
 * Records each id in its ledger before acknowledging it (the acknowledgement is what confirms the
 * sender's {@code send}).
 */
public final class ChaosPipeReceiver {

    private ChaosPipeReceiver() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Paths.get(args[0]);
        PipeOptions options = PipeOptions.builder().confirmDelivery(true)
                .reconnectBackoff(Duration.ofMillis(5), Duration.ofMillis(50)).build();
        try (IpcPipe pipe = IpcPipe.open(dir, args[1], options); Ledger ledger = Ledger.create(Paths.get(args[2]))) {
            pipe.awaitConnected(Duration.ofSeconds(20));
            System.out.println("READY");
            while (true) {
                IpcDelivery delivery = pipe.receive(Duration.ofMillis(100));
                if (delivery != null) {
                    ledger.append(ByteBuffer.wrap(delivery.message().payload()).order(ByteOrder.LITTLE_ENDIAN).getLong(0),
                            delivery.deliveryAttempt());
                    delivery.acknowledge();
                }
            }
        }
    }
}

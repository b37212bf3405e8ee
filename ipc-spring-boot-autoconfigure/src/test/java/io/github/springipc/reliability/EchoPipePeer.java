package io.github.springipc.reliability;

import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.time.Duration;

import io.github.springipc.transport.IpcDelivery;
import io.github.springipc.transport.IpcMessage;
import io.github.springipc.transport.pipe.IpcPipe;
import io.github.springipc.transport.pipe.PipeOptions;

/**
 * A pipe end that answers every message with {@code echo:<payload>}: {@code <dir> <pipe> [authkey]}.
 * Prints {@code READY} once the pipe is open (bound or connecting).
 */
public final class EchoPipePeer {

    private EchoPipePeer() {
    }

    public static void main(String[] args) throws Exception {
        PipeOptions.Builder options = PipeOptions.builder().reconnectBackoff(Duration.ofMillis(5), Duration.ofMillis(100))
                .handshakeTimeout(Duration.ofSeconds(1));
        if (args.length > 2) {
            options.authkey(args[2].getBytes(StandardCharsets.UTF_8));
        }
        try (IpcPipe pipe = IpcPipe.open(Paths.get(args[0]), args[1], options.build())) {
            System.out.println("READY " + pipe.activeRole());
            while (true) {
                IpcDelivery delivery = pipe.receive(Duration.ofSeconds(1));
                if (delivery != null) {
                    pipe.send(IpcMessage.of(("echo:" + new String(delivery.message().payload(), StandardCharsets.UTF_8))
                            .getBytes(StandardCharsets.UTF_8)));
                    delivery.acknowledge();
                }
            }
        }
    }
}

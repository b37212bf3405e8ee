package io.github.springipc.transport.pipe;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import io.github.springipc.process.SiblingJvm;
import io.github.springipc.transport.IpcDelivery;

/** Starting {@link PipePeer} siblings and small helpers shared by the pipe tests. */
final class PipeTestSupport {

    static final Duration STARTUP = Duration.ofSeconds(30);

    static final Duration SHORT = Duration.ofSeconds(10);

    private PipeTestSupport() {
    }

    static SiblingJvm startPeer(String label, Path dir, String name, String mode, String... options) {
        String[] args = new String[3 + options.length];
        args[0] = dir.toString();
        args[1] = name;
        args[2] = mode;
        System.arraycopy(options, 0, args, 3, options.length);
        return SiblingJvm.builder(PipePeer.class).name(label).jvmArguments("-Xmx128m", "-XX:TieredStopAtLevel=1")
                .arguments(args).start();
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static String text(IpcDelivery delivery) {
        return new String(delivery.message().payload(), StandardCharsets.UTF_8);
    }

    static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}

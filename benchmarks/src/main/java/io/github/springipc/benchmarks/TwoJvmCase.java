package io.github.springipc.benchmarks;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;

import io.github.springipc.process.SiblingJvm;

/**
 * A case of two fresh JVMs: a server that prints {@code READY}, then a client; both print
 * {@code RESULT} lines which are merged.
 */
final class TwoJvmCase extends NamedCase {

    private static final Duration TIMEOUT = Duration.ofMinutes(3);

    private final Class<?> mainClass;

    private final BiFunction<Settings, Path, String[]> serverArgs;

    private final BiFunction<Settings, Path, String[]> clientArgs;

    private final Function<Settings, String[]> jvmOptions;

    TwoJvmCase(String id, String description, boolean baseline, Class<?> mainClass,
            BiFunction<Settings, Path, String[]> serverArgs, BiFunction<Settings, Path, String[]> clientArgs) {
        this(id, description, baseline, mainClass, serverArgs, clientArgs, settings -> new String[0]);
    }

    TwoJvmCase(String id, String description, boolean baseline, Class<?> mainClass,
            BiFunction<Settings, Path, String[]> serverArgs, BiFunction<Settings, Path, String[]> clientArgs,
            Function<Settings, String[]> jvmOptions) {
        super(id, description, baseline);
        this.mainClass = mainClass;
        this.serverArgs = serverArgs;
        this.clientArgs = clientArgs;
        this.jvmOptions = jvmOptions;
    }

    @Override
    public CaseResult run(Settings settings, Path workDir) {
        List<String> quiet = new ArrayList<>();
        try (SiblingJvm server = SiblingJvm.builder(this.mainClass).name(id() + "-server")
                .jvmArguments(this.jvmOptions.apply(settings)).arguments(this.serverArgs.apply(settings, workDir))
                .output(quiet::add).start()) {
            server.awaitLineContaining("READY", TIMEOUT);
            try (SiblingJvm client = SiblingJvm.builder(this.mainClass).name(id() + "-client")
                    .jvmArguments(this.jvmOptions.apply(settings)).arguments(this.clientArgs.apply(settings, workDir))
                    .output(quiet::add).start()) {
                int status = client.awaitExit(TIMEOUT);
                if (status != 0) {
                    throw new IllegalStateException(id() + " client exited with " + status + ": " + client.output());
                }
                // the server reports last (e.g. a receiver's rate): wait for it to finish
                server.awaitExit(TIMEOUT);
                return CaseResult.parse(server.output()).merge(CaseResult.parse(client.output()));
            }
        }
    }
}

package io.github.springipc.benchmarks;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

import io.github.springipc.process.SiblingJvm;

/**
 * A case of several fresh JVMs started together: the first prints {@code READY} before the
 * others start; all must exit; {@code RESULT} lines of all are merged.
 */
final class JvmGroupCase extends NamedCase {

    private static final Duration TIMEOUT = Duration.ofMinutes(3);

    private final Class<?> mainClass;

    private final BiFunction<Settings, Path, List<String[]>> argumentsPerJvm;

    JvmGroupCase(String id, String description, Class<?> mainClass,
            BiFunction<Settings, Path, List<String[]>> argumentsPerJvm) {
        super(id, description, false);
        this.mainClass = mainClass;
        this.argumentsPerJvm = argumentsPerJvm;
    }

    @Override
    public CaseResult run(Settings settings, Path workDir) {
        List<String[]> arguments = this.argumentsPerJvm.apply(settings, workDir);
        List<SiblingJvm> jvms = new ArrayList<>();
        List<String> quiet = new ArrayList<>();
        try {
            for (int i = 0; i < arguments.size(); i++) {
                SiblingJvm jvm = SiblingJvm.builder(this.mainClass).name(id() + "-" + i).arguments(arguments.get(i))
                        .output(line -> {
                            synchronized (quiet) {
                                quiet.add(line);
                            }
                        }).start();
                jvms.add(jvm);
                if (i == 0) {
                    jvm.awaitLineContaining("READY", TIMEOUT);
                }
            }
            CaseResult result = new CaseResult(new java.util.LinkedHashMap<>(), new java.util.LinkedHashMap<>());
            for (SiblingJvm jvm : jvms) {
                int status = jvm.awaitExit(TIMEOUT);
                if (status != 0) {
                    throw new IllegalStateException(id() + ": " + jvm.name() + " exited with " + status + ": "
                            + jvm.output());
                }
                result = result.merge(CaseResult.parse(jvm.output()));
            }
            return result;
        }
        finally {
            jvms.forEach(jvm -> {
                if (jvm.isAlive()) {
                    jvm.kill();
                }
            });
        }
    }
}

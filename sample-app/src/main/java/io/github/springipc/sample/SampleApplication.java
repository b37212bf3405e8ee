package io.github.springipc.sample;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

import io.github.springipc.transport.file.IpcDirectory;

/**
 * The three classic IPC examples, as sibling Spring Boot processes.
 *
 * <p>Started without a profile, this process is the parent: it spawns its siblings (the same
 * application with the {@code receiver}, {@code writer} or {@code worker} profile) and runs the
 * examples in order (see {@link SampleRunner}). All processes use one private IPC directory,
 * which the parent removes when it is done; pass {@code --sample.keep-running=true} to leave
 * everything running.
 */
@SpringBootApplication
public class SampleApplication {

    /** System property naming the IPC directory of one run of the sample. */
    static final String DIRECTORY_PROPERTY = "ipc.directory";

    public static void main(String[] args) throws IOException {
        boolean parent = System.getProperty(DIRECTORY_PROPERTY) == null;
        Path directory = null;
        if (parent) {
            // one directory per run, so that two runs on a host do not meet and nothing is left behind
            directory = IpcDirectory.defaultPath().resolve("sample-" + ProcessHandle.current().pid());
            System.setProperty(DIRECTORY_PROPERTY, directory.toString());
        }
        if (!parent) {
            // a sibling runs until its parent stops it, listening on its channels
            SpringApplication.run(SampleApplication.class, args);
            return;
        }
        int status = 1;
        try {
            status = SpringApplication.exit(SpringApplication.run(SampleApplication.class, args));
        }
        finally {
            deleteRecursively(directory);
        }
        System.exit(status);
    }

    private static void deleteRecursively(Path directory) throws IOException {
        if (directory == null || !Files.exists(directory)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }
}

package io.github.springipc.process;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A sibling JVM started by this one: the JVM counterpart of Python's
 * {@code multiprocessing.Process(target=...)}.
 *
 * <pre>{@code
 * try (SiblingJvm receiver = SiblingJvm.builder(ReceiverApp.class)
 *         .name("receiver")
 *         .property("spring.profiles.active", "receiver")
 *         .start()) {
 *     receiver.awaitLine(line -> line.contains("Started ReceiverApp"), Duration.ofSeconds(60));
 *     ...
 * }   // stops it gracefully, then forcibly
 * }</pre>
 *
 * <p>The sibling runs with this JVM's classpath unless another is given, and its output is
 * copied to this JVM's standard output with a {@code [name]} prefix. It never outlives its
 * parent: a shutdown hook stops every sibling still running when this JVM exits, and the sibling
 * itself halts when it sees its parent gone, which also covers a parent killed with
 * {@code kill -9}.
 *
 * <p>Output lines are read in order, like a stream: {@link #readLine} and {@link #awaitLine}
 * consume lines up to the one they return. The last {@value #RETAINED_LINES} lines are kept.
 */
public final class SiblingJvm implements AutoCloseable {

    /** How many output lines are kept for {@link #awaitLine} and error messages. */
    public static final int RETAINED_LINES = 10_000;

    private static final int TAIL_IN_ERRORS = 40;

    private static final Set<SiblingJvm> RUNNING = ConcurrentHashMap.newKeySet();

    static {
        Thread hook = new Thread(() -> RUNNING.forEach(SiblingJvm::kill), "sibling-jvm-reaper");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    private final String name;

    private final Process process;

    private final Writer stdin;

    private final Deque<String> lines = new ArrayDeque<>();

    private final Object lock = new Object();

    private long linesSeen;

    private long linesConsumed;

    private int streamsOpen = 2;

    private SiblingJvm(String name, Process process, Consumer<String> echo) {
        this.name = name;
        this.process = process;
        this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        pump(process.getInputStream(), echo, "out");
        pump(process.getErrorStream(), echo, "err");
    }

    /** A builder for a sibling running {@code mainClass} (a plain main or a Spring Boot application). */
    public static Builder builder(Class<?> mainClass) {
        return new Builder(mainClass.getName());
    }

    /** A builder for a sibling running the main class of that name. */
    public static Builder builder(String mainClassName) {
        return new Builder(mainClassName);
    }

    private void pump(InputStream stream, Consumer<String> echo, String kind) {
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    echo.accept(line);
                    synchronized (this.lock) {
                        this.lines.addLast(line);
                        this.linesSeen++;
                        if (this.lines.size() > RETAINED_LINES) {
                            this.lines.removeFirst();
                        }
                        this.lock.notifyAll();
                    }
                }
            }
            catch (IOException ignored) {
                // the process is gone; the stream ends
            }
            finally {
                synchronized (this.lock) {
                    this.streamsOpen--;
                    this.lock.notifyAll();
                }
            }
        }, "sibling-" + this.name + "-" + kind);
        reader.setDaemon(true);
        reader.start();
    }

    /** The name used as output prefix and in errors. */
    public String name() {
        return this.name;
    }

    /** The operating system's id of the sibling process. */
    public long pid() {
        return this.process.pid();
    }

    /** Whether the sibling is still running. */
    public boolean isAlive() {
        return this.process.isAlive();
    }

    /**
     * Waits for the next output line (stdout or stderr) that matches, consuming the lines
     * before it.
     *
     * @return the matching line
     * @throws SiblingJvmException when no such line comes within the timeout or the sibling exits
     *         first; the message holds the sibling's last output
     */
    public String awaitLine(Predicate<String> matcher, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (this.lock) {
            while (true) {
                while (this.linesConsumed < this.linesSeen) {
                    long firstRetained = this.linesSeen - this.lines.size();
                    long index = Math.max(this.linesConsumed, firstRetained);
                    String line = lineAt((int) (index - firstRetained));
                    this.linesConsumed = index + 1;
                    if (matcher.test(line)) {
                        return line;
                    }
                }
                if (this.streamsOpen == 0) {
                    awaitExitQuietly();
                    throw failure("exited" + exitDescription() + " before printing the expected line");
                }
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    throw failure("did not print the expected line within " + timeout);
                }
                waitOnLock(remaining);
            }
        }
    }

    /** Waits for the next line containing {@code text}. */
    public String awaitLineContaining(String text, Duration timeout) {
        return awaitLine(line -> line.contains(text), timeout);
    }

    /** The next output line, waiting up to {@code timeout}. */
    public String readLine(Duration timeout) {
        return awaitLine(line -> true, timeout);
    }

    /**
     * Waits until {@code condition} holds, polling it every few milliseconds.
     *
     * @throws SiblingJvmException when it does not hold within the timeout or the sibling exits
     */
    public void awaitCondition(BooleanSupplier condition, Duration timeout, String description) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (!this.process.isAlive()) {
                throw failure("exited" + exitDescription() + " before " + description);
            }
            if (System.nanoTime() > deadline) {
                throw failure("did not reach '" + description + "' within " + timeout);
            }
            synchronized (this.lock) {
                waitOnLock(TimeUnit.MILLISECONDS.toNanos(5));
            }
        }
    }

    private void waitOnLock(long nanos) {
        try {
            TimeUnit.NANOSECONDS.timedWait(this.lock, nanos);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new SiblingJvmException("Interrupted while waiting for sibling '" + this.name + "'", ex);
        }
    }

    private String lineAt(int index) {
        int i = 0;
        for (String line : this.lines) {
            if (i++ == index) {
                return line;
            }
        }
        throw new IllegalStateException("line " + index + " not retained");
    }

    /** All retained output lines, oldest first. */
    public List<String> output() {
        synchronized (this.lock) {
            return List.copyOf(this.lines);
        }
    }

    /** Writes one line to the sibling's standard input and flushes it. */
    public void writeLine(String line) {
        try {
            this.stdin.write(line);
            this.stdin.write('\n');
            this.stdin.flush();
        }
        catch (IOException ex) {
            throw failure("could not take input (" + ex.getMessage() + ")");
        }
    }

    /**
     * Waits for the sibling to exit by itself.
     *
     * @return its exit status
     * @throws SiblingJvmException when it is still running after the timeout
     */
    public int awaitExit(Duration timeout) {
        try {
            if (!this.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw failure("did not exit within " + timeout);
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new SiblingJvmException("Interrupted while waiting for sibling '" + this.name + "'", ex);
        }
        RUNNING.remove(this);
        awaitStreamsClosed(Duration.ofSeconds(5));
        return this.process.exitValue();
    }

    private void awaitStreamsClosed(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (this.lock) {
            while (this.streamsOpen > 0) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    return; // a grandchild may hold the pipe open; the output is complete enough
                }
                waitOnLock(remaining);
            }
        }
    }

    /**
     * Asks the sibling to stop (SIGTERM: its shutdown hooks run, Spring closes its context) and
     * kills it when it has not exited within {@code grace}.
     *
     * @return its exit status
     */
    public int stop(Duration grace) {
        if (this.process.isAlive()) {
            // through the handle: Process.destroy() also closes our end of the sibling's output,
            // which would lose what its shutdown hooks print
            this.process.toHandle().destroy();
            try {
                if (!this.process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                    return kill();
                }
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                return kill();
            }
        }
        RUNNING.remove(this);
        awaitStreamsClosed(Duration.ofSeconds(5));
        return this.process.exitValue();
    }

    /**
     * Kills the sibling at once ({@code kill -9}: no shutdown hook runs, nothing is flushed) and
     * waits until the operating system reports it gone.
     *
     * @return its exit status (137 on Linux)
     */
    public int kill() {
        this.process.toHandle().destroyForcibly();
        try {
            this.process.waitFor();
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        RUNNING.remove(this);
        return this.process.isAlive() ? -1 : this.process.exitValue();
    }

    /** Stops the sibling gracefully, giving it ten seconds before killing it. */
    @Override
    public void close() {
        stop(Duration.ofSeconds(10));
    }

    private void awaitExitQuietly() {
        try {
            this.process.waitFor(5, TimeUnit.SECONDS);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    private String exitDescription() {
        return this.process.isAlive() ? "" : " with status " + this.process.exitValue();
    }

    private SiblingJvmException failure(String what) {
        List<String> tail;
        synchronized (this.lock) {
            List<String> all = new ArrayList<>(this.lines);
            tail = all.subList(Math.max(0, all.size() - TAIL_IN_ERRORS), all.size());
        }
        StringBuilder message = new StringBuilder("Sibling JVM '").append(this.name).append("' (pid ")
                .append(this.process.pid()).append(") ").append(what).append(". Its last output:");
        if (tail.isEmpty()) {
            message.append(" (none)");
        }
        for (String line : tail) {
            message.append("\n  | ").append(line);
        }
        return new SiblingJvmException(message.toString());
    }

    @Override
    public String toString() {
        return "SiblingJvm[" + this.name + ", pid " + this.process.pid() + (isAlive() ? ", running]" : ", exited]");
    }

    /** Configures and starts a {@link SiblingJvm}. */
    public static final class Builder {

        private final String mainClass;

        private String name;

        private String classpath = System.getProperty("java.class.path");

        private String javaExecutable = Paths.get(System.getProperty("java.home"), "bin", "java").toString();

        private final List<String> jvmArguments = new ArrayList<>();

        private final Map<String, String> properties = new LinkedHashMap<>();

        private final List<String> arguments = new ArrayList<>();

        private final Map<String, String> environment = new LinkedHashMap<>();

        private Path workingDirectory;

        private Consumer<String> echo;

        private Builder(String mainClass) {
            this.mainClass = Objects.requireNonNull(mainClass, "mainClass");
            this.name = mainClass.substring(mainClass.lastIndexOf('.') + 1);
        }

        /** Name used as output prefix; defaults to the main class's simple name. */
        public Builder name(String name) {
            this.name = name;
            return this;
        }

        /** Classpath of the sibling; defaults to this JVM's. */
        public Builder classpath(String classpath) {
            this.classpath = classpath;
            return this;
        }

        /** The {@code java} to run; defaults to the one running this JVM. */
        public Builder javaExecutable(String javaExecutable) {
            this.javaExecutable = javaExecutable;
            return this;
        }

        /** JVM options, e.g. {@code -Xmx256m}. */
        public Builder jvmArguments(String... options) {
            this.jvmArguments.addAll(List.of(options));
            return this;
        }

        /**
         * A system property of the sibling; Spring Boot sees it as a configuration property
         * ({@code property("ipc.directory", dir)}).
         */
        public Builder property(String key, String value) {
            this.properties.put(key, value);
            return this;
        }

        /** All of these as {@link #property system properties}. */
        public Builder properties(Map<String, String> properties) {
            this.properties.putAll(properties);
            return this;
        }

        /** Arguments passed to the main method. */
        public Builder arguments(String... arguments) {
            this.arguments.addAll(List.of(arguments));
            return this;
        }

        /** An environment variable of the sibling, on top of this JVM's environment. */
        public Builder environment(String name, String value) {
            this.environment.put(name, value);
            return this;
        }

        /** Working directory; defaults to this JVM's. */
        public Builder workingDirectory(Path directory) {
            this.workingDirectory = directory;
            return this;
        }

        /** Where output lines go; defaults to this JVM's standard output with a {@code [name]} prefix. */
        public Builder output(Consumer<String> echo) {
            this.echo = echo;
            return this;
        }

        /**
         * Starts the sibling.
         *
         * @throws SiblingJvmException when the process can not be started
         */
        public SiblingJvm start() {
            List<String> command = new ArrayList<>();
            command.add(this.javaExecutable);
            command.addAll(this.jvmArguments);
            this.properties.forEach((key, value) -> command.add("-D" + key + "=" + value));
            command.add("-cp");
            command.add(classpathWithLauncher());
            command.add(SiblingJvmLauncher.class.getName());
            command.add(Long.toString(ProcessHandle.current().pid()));
            command.add(this.mainClass);
            command.addAll(this.arguments);
            ProcessBuilder builder = new ProcessBuilder(command);
            builder.environment().putAll(this.environment);
            if (this.workingDirectory != null) {
                builder.directory(this.workingDirectory.toFile());
            }
            Consumer<String> lineEcho = this.echo;
            if (lineEcho == null) {
                PrintStream out = System.out;
                String prefix = "[" + this.name + "] ";
                lineEcho = line -> out.println(prefix + line);
            }
            try {
                SiblingJvm sibling = new SiblingJvm(this.name, builder.start(), lineEcho);
                RUNNING.add(sibling);
                return sibling;
            }
            catch (IOException ex) {
                throw new SiblingJvmException("Could not start sibling JVM '" + this.name + "' with "
                        + this.javaExecutable + ": " + ex.getMessage(), ex);
            }
        }

        /** The given classpath, plus this library when it is not on it (the launcher lives here). */
        private String classpathWithLauncher() {
            String own = ownLocation();
            if (own == null || this.classpath == null || this.classpath.isEmpty()) {
                return this.classpath == null ? (own == null ? "" : own) : this.classpath;
            }
            List<String> entries = List.of(this.classpath.split(File.pathSeparator));
            if (entries.contains(own) || this.classpath.equals(System.getProperty("java.class.path"))) {
                return this.classpath;
            }
            List<String> all = new ArrayList<>(entries);
            all.add(own);
            return String.join(File.pathSeparator, Collections.unmodifiableList(all));
        }

        private static String ownLocation() {
            try {
                var source = SiblingJvmLauncher.class.getProtectionDomain().getCodeSource();
                return source == null ? null : Paths.get(source.getLocation().toURI()).toString();
            }
            catch (URISyntaxException | RuntimeException ex) {
                return null;
            }
        }
    }
}

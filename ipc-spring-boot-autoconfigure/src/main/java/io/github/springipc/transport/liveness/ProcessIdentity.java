package io.github.springipc.transport.liveness;

import java.time.Instant;
import java.util.Optional;

/**
 * A process as the operating system knows it: its id plus its start time, so that an id the
 * kernel reused for a new process is not mistaken for the old one.
 *
 * <pre>{@code
 * ProcessIdentity me = ProcessIdentity.current();
 * // ... stored in shared memory, read by another process later:
 * boolean alive = new ProcessIdentity(pid, startMillis).isAlive();
 * }</pre>
 *
 * @param pid the operating system's process id
 * @param startMillis the process start time in milliseconds since the epoch, or {@code 0} when
 *        the platform does not tell it (then only the id is compared)
 */
public record ProcessIdentity(long pid, long startMillis) {

    private static final ProcessIdentity CURRENT = of(ProcessHandle.current());

    /** This process. */
    public static ProcessIdentity current() {
        return CURRENT;
    }

    /** The identity of a running process. */
    public static ProcessIdentity of(ProcessHandle handle) {
        return new ProcessIdentity(handle.pid(), startMillis(handle));
    }

    /**
     * Whether this very process still runs: a process with this id exists and, when both start
     * times are known, started at the same time (to the second, as {@code /proc} reports it).
     */
    public boolean isAlive() {
        Optional<ProcessHandle> handle = ProcessHandle.of(this.pid);
        if (handle.isEmpty() || !handle.get().isAlive()) {
            return false;
        }
        long actual = startMillis(handle.get());
        if (this.startMillis == 0 || actual == 0) {
            return true;
        }
        // start instants come from clock ticks since boot; allow for rounding, not for a new process
        return Math.abs(actual - this.startMillis) < 1_000;
    }

    /** A compact text form for file names, e.g. {@code 4711-lq3k9z}. */
    public String fileNameToken() {
        return this.pid + "-" + Long.toString(this.startMillis, 36);
    }

    /**
     * Parses {@link #fileNameToken()}.
     *
     * @return the identity, or empty when the text is not such a token
     */
    public static Optional<ProcessIdentity> parseFileNameToken(String token) {
        int dash = token.indexOf('-');
        if (dash <= 0 || dash == token.length() - 1) {
            return Optional.empty();
        }
        try {
            return Optional.of(new ProcessIdentity(Long.parseLong(token.substring(0, dash)),
                    Long.parseLong(token.substring(dash + 1), 36)));
        }
        catch (NumberFormatException ex) {
            return Optional.empty();
        }
    }

    private static long startMillis(ProcessHandle handle) {
        return handle.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
    }
}

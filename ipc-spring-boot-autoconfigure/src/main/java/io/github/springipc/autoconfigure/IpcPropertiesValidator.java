package io.github.springipc.autoconfigure;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.util.unit.DataSize;

/**
 * Checks {@link IpcProperties} before any channel is opened, so that a wrong setting fails
 * start-up with the property's name rather than deep inside a transport.
 */
final class IpcPropertiesValidator {

    /** Largest queue or region: one memory mapping. */
    static final long MAX_REGION_BYTES = 1L << 30;

    private IpcPropertiesValidator() {
    }

    static void validate(IpcProperties properties) {
        rejectDuplicateNames(properties);
        properties.getPipes().forEach(IpcPropertiesValidator::validatePipe);
        properties.getSharedMemory().forEach(IpcPropertiesValidator::validateSharedMemory);
        properties.getQueues().forEach((name, queue) -> validateQueue(name, queue, properties));
        validateListener(properties.getListener());
        validateDirectory(properties.getDirectory());
    }

    private static void rejectDuplicateNames(IpcProperties properties) {
        Map<String, String> seen = new LinkedHashMap<>();
        properties.getPipes().keySet().forEach(name -> claim(seen, name, "ipc.pipes." + name));
        properties.getSharedMemory().keySet().forEach(name -> claim(seen, name, "ipc.shared-memory." + name));
        properties.getQueues().keySet().forEach(name -> claim(seen, name, "ipc.queues." + name));
    }

    private static void claim(Map<String, String> seen, String name, String entry) {
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
            throw new InvalidIpcPropertyException(entry, name,
                    "a channel name must be 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit",
                    "rename the entry; the name is also the bean name and the file name");
        }
        String previous = seen.putIfAbsent(name, entry);
        if (previous != null) {
            throw new InvalidIpcPropertyException(entry, name, "the name is already used by " + previous
                    + "; a channel name is its bean name and must be unique across pipes, shared memory and queues",
                    "rename one of " + previous + " and " + entry);
        }
    }

    private static void validatePipe(String name, IpcProperties.Pipe pipe) {
        String prefix = "ipc.pipes." + name;
        positive(prefix + ".max-message-size", pipe.getMaxMessageSize());
        if (pipe.getMaxMessageSize() != null && pipe.getMaxMessageSize().toBytes() > Integer.MAX_VALUE - 64) {
            throw new InvalidIpcPropertyException(prefix + ".max-message-size", pipe.getMaxMessageSize(),
                    "larger than a Java array can hold", "use at most 1GB");
        }
        positive(prefix + ".send-timeout", pipe.getSendTimeout());
        positive(prefix + ".handshake-timeout", pipe.getHandshakeTimeout());
        if (pipe.getReceiveBufferCapacity() < 1) {
            throw new InvalidIpcPropertyException(prefix + ".receive-buffer-capacity", pipe.getReceiveBufferCapacity(),
                    "at least one message must fit", "set it to 1 or more");
        }
        if (pipe.getAuthkey() != null && pipe.getAuthkey().isEmpty()) {
            throw new InvalidIpcPropertyException(prefix + ".authkey", "(empty)", "an empty key proves nothing",
                    "set a secret, or remove the property to go without one");
        }
        fileMode(prefix + ".file-mode", pipe.getFileMode());
    }

    private static void validateSharedMemory(String name, IpcProperties.SharedMemory region) {
        String prefix = "ipc.shared-memory." + name;
        positive(prefix + ".size", region.getSize());
        if (region.getSize().toBytes() > MAX_REGION_BYTES) {
            throw new InvalidIpcPropertyException(prefix + ".size", region.getSize(), "larger than 1GB",
                    "use at most 1GB per region, or split the data over several regions");
        }
        if (region.getMaxSlots() < 1 || region.getMaxSlots() > 65_536) {
            throw new InvalidIpcPropertyException(prefix + ".max-slots", region.getMaxSlots(),
                    "must be between 1 and 65536", "set the number of named values, arrays and locks you need");
        }
        fileMode(prefix + ".file-mode", region.getFileMode());
    }

    private static void validateQueue(String name, IpcProperties.Queue queue, IpcProperties properties) {
        String prefix = "ipc.queues." + name;
        long capacity = positive(prefix + ".capacity", queue.getCapacity());
        if (Long.bitCount(capacity) != 1 || capacity < 4096 || capacity > MAX_REGION_BYTES) {
            throw new InvalidIpcPropertyException(prefix + ".capacity", queue.getCapacity(),
                    "the capacity must be a power of two between 4KB and 1GB",
                    "use e.g. " + DataSize.ofBytes(Long.highestOneBit(Math.max(4096, Math.min(capacity, MAX_REGION_BYTES))))
                            .toKilobytes() + "KB");
        }
        long maxMessage = positive(prefix + ".max-message-size", queue.getMaxMessageSize());
        if (maxMessage > capacity / 8) {
            throw new InvalidIpcPropertyException(prefix + ".max-message-size", queue.getMaxMessageSize(),
                    "a message may take at most an eighth of the capacity (" + capacity / 8 + " bytes)",
                    "lower it or raise " + prefix + ".capacity");
        }
        positive(prefix + ".send-timeout", queue.getSendTimeout());
        positive(prefix + ".liveness-interval", queue.getLivenessInterval());
        if (queue.getMaxProcesses() < 1 || queue.getMaxProcesses() > 256) {
            throw new InvalidIpcPropertyException(prefix + ".max-processes", queue.getMaxProcesses(),
                    "must be between 1 and 256", "set how many processes may use the queue at once");
        }
        String deadLetter = queue.getDeadLetter();
        if (deadLetter != null && !deadLetter.isEmpty()) {
            if (!properties.getQueues().containsKey(deadLetter)) {
                throw new InvalidIpcPropertyException(prefix + ".dead-letter", deadLetter,
                        "no queue of that name is configured (known queues: " + properties.getQueues().keySet() + ")",
                        "configure ipc.queues." + deadLetter + " or name an existing queue");
            }
            if (deadLetter.equals(name)) {
                throw new InvalidIpcPropertyException(prefix + ".dead-letter", deadLetter,
                        "a queue can not be its own dead-letter queue", "name another queue");
            }
        }
    }

    private static void validateListener(IpcProperties.Listener listener) {
        if (listener.getConcurrency() < 1) {
            throw new InvalidIpcPropertyException("ipc.listener.concurrency", listener.getConcurrency(),
                    "at least one thread is needed", "set it to 1 or more");
        }
        positive("ipc.listener.shutdown-timeout", listener.getShutdownTimeout());
        if (listener.getSpinBeforeWait() == null || listener.getSpinBeforeWait().isNegative()) {
            throw new InvalidIpcPropertyException("ipc.listener.spin-before-wait", listener.getSpinBeforeWait(),
                    "may not be negative", "set 0 to block at once, or a few microseconds such as 20us");
        }
        if (listener.getMaxMessagesPerReceive() < 1) {
            throw new InvalidIpcPropertyException("ipc.listener.max-messages-per-receive",
                    listener.getMaxMessagesPerReceive(), "at least one message", "set it to 1 or more");
        }
        IpcProperties.Retry retry = listener.getRetry();
        if (retry.getMaxAttempts() < 1) {
            throw new InvalidIpcPropertyException("ipc.listener.retry.max-attempts", retry.getMaxAttempts(),
                    "the first attempt counts, so it is at least 1", "set 1 to disable retries");
        }
        if (retry.getMultiplier() < 1.0) {
            throw new InvalidIpcPropertyException("ipc.listener.retry.multiplier", retry.getMultiplier(),
                    "delays may not shrink", "use 1.0 or more");
        }
    }

    private static void validateDirectory(Path directory) {
        if (directory == null) {
            return;
        }
        Path existing = directory.toAbsolutePath();
        while (existing != null && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
            existing = existing.getParent();
        }
        if (existing == null || !Files.isDirectory(existing) || !Files.isWritable(existing)) {
            throw new InvalidIpcPropertyException("ipc.directory", directory,
                    (existing == null ? "no parent exists" : existing + " is not a writable directory"),
                    "point it at a directory this user can write, or remove it to use the default");
        }
    }

    private static long positive(String property, DataSize size) {
        if (size == null || size.toBytes() <= 0) {
            throw new InvalidIpcPropertyException(property, size, "must be positive", "set a size such as 1MB");
        }
        return size.toBytes();
    }

    private static void positive(String property, Duration duration) {
        if (duration == null || duration.isNegative() || duration.isZero()) {
            throw new InvalidIpcPropertyException(property, duration, "must be positive", "set a duration such as 5s");
        }
    }

    private static void fileMode(String property, String mode) {
        try {
            PosixFilePermissions.fromString(mode);
        }
        catch (IllegalArgumentException | NullPointerException ex) {
            throw new InvalidIpcPropertyException(property, mode, "not a permission string",
                    "write it as nine rwx letters, e.g. rw------- or rw-rw----");
        }
        if (mode.charAt(6) != '-' || mode.charAt(7) != '-' || mode.charAt(8) != '-') {
            throw new InvalidIpcPropertyException(property, mode, "other users may never get access",
                    "clear the last three letters, e.g. rw-rw----");
        }
    }
}

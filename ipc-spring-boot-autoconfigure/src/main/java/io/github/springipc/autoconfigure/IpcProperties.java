package io.github.springipc.autoconfigure;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

import io.github.springipc.transport.pipe.PipeRole;
import io.github.springipc.transport.pipe.PipeWireFormat;
import io.github.springipc.transport.queue.WaitStrategy;

/**
 * Configuration of the IPC channels of this process: {@code ipc.*}.
 *
 * <pre>
 * ipc:
 *   pipes:
 *     control: {}
 *   shared-memory:
 *     stats:
 *       size: 1MB
 *   queues:
 *     jobs:
 *       capacity: 8MB
 *       dead-letter: jobs-dlq
 *     jobs-dlq: {}
 * </pre>
 *
 * Every entry becomes a bean named after it ({@code IpcPipe}, {@code IpcSharedMemory},
 * {@code IpcQueue}); processes that use the same name and {@link #getDirectory() directory}
 * share the channel.
 */
@ConfigurationProperties("ipc")
public class IpcProperties {

    /**
     * Directory holding the socket and region files of the channels; every process that
     * shares a channel must use the same one. Defaults to /dev/shm/spring-ipc-USER on Linux and
     * TMPDIR/spring-ipc-USER elsewhere.
     */
    private Path directory;

    /** Pipes by name: duplex, ordered channels between exactly two processes. */
    private final Map<String, Pipe> pipes = new LinkedHashMap<>();

    /** Shared-memory regions by name: named atomic values, arrays and locks. */
    private final Map<String, SharedMemory> sharedMemory = new LinkedHashMap<>();

    /** Queues by name: bounded multi-producer, multi-consumer queues with at-least-once delivery. */
    private final Map<String, Queue> queues = new LinkedHashMap<>();

    private final Listener listener = new Listener();

    private final Template template = new Template();

    public Path getDirectory() {
        return this.directory;
    }

    public void setDirectory(Path directory) {
        this.directory = directory;
    }

    public Map<String, Pipe> getPipes() {
        return this.pipes;
    }

    public Map<String, SharedMemory> getSharedMemory() {
        return this.sharedMemory;
    }

    public Map<String, Queue> getQueues() {
        return this.queues;
    }

    public Listener getListener() {
        return this.listener;
    }

    public Template getTemplate() {
        return this.template;
    }

    /** Settings of one pipe. */
    public static class Pipe {

        /** Which end binds the socket; AUTO lets the first process bind. */
        private PipeRole role = PipeRole.AUTO;

        /** What each frame carries; RAW for foreign peers such as Python. */
        private PipeWireFormat wireFormat = PipeWireFormat.ENVELOPE;

        /**
         * Whether each send waits until the peer's application has acknowledged the message, so
         * that a send either is confirmed or throws, even when the peer dies; costs a round trip.
         */
        private boolean confirmDelivery = false;

        /** How long the authentication and hello exchange with a new peer may take. */
        private Duration handshakeTimeout = Duration.ofSeconds(5);

        /** Received messages held for the listener or receive(); when full, the pipe stops reading. */
        private int receiveBufferCapacity = 1024;

        /** How long a send waits for the peer to be connected before it fails. */
        private Duration sendTimeout = Duration.ofSeconds(10);

        /** Largest message accepted in either direction; larger frames close the connection. */
        private DataSize maxMessageSize = DataSize.ofMegabytes(16);

        /**
         * Shared secret both ends prove they know (HMAC challenge-response, compatible with
         * Python's multiprocessing.connection authkey); none by default.
         */
        private String authkey;

        /** Permissions of the socket file, as rwx letters; "rw-rw----" lets the group connect. */
        private String fileMode = "rw-------";

        /** Users other than this process's own whose processes may connect (checked with SO_PEERCRED). */
        private List<String> allowedUsers = new ArrayList<>();

        public PipeRole getRole() {
            return this.role;
        }

        public void setRole(PipeRole role) {
            this.role = role;
        }

        public PipeWireFormat getWireFormat() {
            return this.wireFormat;
        }

        public void setWireFormat(PipeWireFormat wireFormat) {
            this.wireFormat = wireFormat;
        }

        public boolean isConfirmDelivery() {
            return this.confirmDelivery;
        }

        public void setConfirmDelivery(boolean confirmDelivery) {
            this.confirmDelivery = confirmDelivery;
        }

        public Duration getHandshakeTimeout() {
            return this.handshakeTimeout;
        }

        public void setHandshakeTimeout(Duration handshakeTimeout) {
            this.handshakeTimeout = handshakeTimeout;
        }

        public int getReceiveBufferCapacity() {
            return this.receiveBufferCapacity;
        }

        public void setReceiveBufferCapacity(int receiveBufferCapacity) {
            this.receiveBufferCapacity = receiveBufferCapacity;
        }

        public Duration getSendTimeout() {
            return this.sendTimeout;
        }

        public void setSendTimeout(Duration sendTimeout) {
            this.sendTimeout = sendTimeout;
        }

        public DataSize getMaxMessageSize() {
            return this.maxMessageSize;
        }

        public void setMaxMessageSize(DataSize maxMessageSize) {
            this.maxMessageSize = maxMessageSize;
        }

        public String getAuthkey() {
            return this.authkey;
        }

        public void setAuthkey(String authkey) {
            this.authkey = authkey;
        }

        public String getFileMode() {
            return this.fileMode;
        }

        public void setFileMode(String fileMode) {
            this.fileMode = fileMode;
        }

        public List<String> getAllowedUsers() {
            return this.allowedUsers;
        }

        public void setAllowedUsers(List<String> allowedUsers) {
            this.allowedUsers = allowedUsers;
        }
    }

    /** Settings of one shared-memory region. */
    public static class SharedMemory {

        /** Size of the region; the whole file is allocated when the first process creates it. */
        private DataSize size = DataSize.ofMegabytes(1);

        /** Permissions of the region file, as rwx letters. */
        private String fileMode = "rw-------";

        /**
         * Whether a region file whose header does not match (another layout version or size) is
         * deleted and created anew instead of failing start-up; its content is lost.
         */
        private boolean recreateOnMismatch = false;

        /** Most named slots (values, arrays, locks, ...) the region's directory holds. */
        private int maxSlots = 256;

        /**
         * Whether the region file is deleted when the last process using it closes it; by
         * default it outlives the processes, like POSIX shared memory.
         */
        private boolean deleteWhenLastUserCloses = false;

        public DataSize getSize() {
            return this.size;
        }

        public void setSize(DataSize size) {
            this.size = size;
        }

        public String getFileMode() {
            return this.fileMode;
        }

        public void setFileMode(String fileMode) {
            this.fileMode = fileMode;
        }

        public boolean isRecreateOnMismatch() {
            return this.recreateOnMismatch;
        }

        public void setRecreateOnMismatch(boolean recreateOnMismatch) {
            this.recreateOnMismatch = recreateOnMismatch;
        }

        public int getMaxSlots() {
            return this.maxSlots;
        }

        public void setMaxSlots(int maxSlots) {
            this.maxSlots = maxSlots;
        }

        public boolean isDeleteWhenLastUserCloses() {
            return this.deleteWhenLastUserCloses;
        }

        public void setDeleteWhenLastUserCloses(boolean deleteWhenLastUserCloses) {
            this.deleteWhenLastUserCloses = deleteWhenLastUserCloses;
        }
    }

    /** Settings of one queue. */
    public static class Queue {

        /**
         * Bytes of message storage; a power of two between 4KB and 1GB. Larger holds longer bursts
         * but is not faster: a ring that fits in the L2 cache streams fastest.
         */
        private DataSize capacity = DataSize.ofMegabytes(1);

        /** Largest message accepted by send; at most an eighth of the capacity. */
        private DataSize maxMessageSize = DataSize.ofKilobytes(64);

        /** How long a send waits for room in a full queue before it fails. */
        private Duration sendTimeout = Duration.ofSeconds(10);

        /** How consumers wait on an empty queue: BLOCKING (next to no CPU) or BUSY_SPIN (lowest latency). */
        private WaitStrategy waitStrategy = WaitStrategy.BLOCKING;

        /**
         * Queue (configured under ipc.queues) that receives messages whose listener failed after
         * all retries; none by default.
         */
        private String deadLetter;

        /**
         * How often a consumer checks for dead processes whose messages must be delivered again,
         * while messages are in flight; a consumer waiting on an empty queue checks at most once a second.
         */
        private Duration livenessInterval = Duration.ofMillis(100);

        /** Most processes attached to the queue at once (producers and consumers), up to 256. */
        private int maxProcesses = 64;

        /**
         * Whether a queue file whose header does not match (another layout version or capacity) is
         * deleted and created anew instead of failing start-up; its messages are lost.
         */
        private boolean recreateOnMismatch = false;

        public DataSize getCapacity() {
            return this.capacity;
        }

        public void setCapacity(DataSize capacity) {
            this.capacity = capacity;
        }

        public DataSize getMaxMessageSize() {
            return this.maxMessageSize;
        }

        public void setMaxMessageSize(DataSize maxMessageSize) {
            this.maxMessageSize = maxMessageSize;
        }

        public Duration getSendTimeout() {
            return this.sendTimeout;
        }

        public void setSendTimeout(Duration sendTimeout) {
            this.sendTimeout = sendTimeout;
        }

        public WaitStrategy getWaitStrategy() {
            return this.waitStrategy;
        }

        public void setWaitStrategy(WaitStrategy waitStrategy) {
            this.waitStrategy = waitStrategy;
        }

        public String getDeadLetter() {
            return this.deadLetter;
        }

        public void setDeadLetter(String deadLetter) {
            this.deadLetter = deadLetter;
        }

        public Duration getLivenessInterval() {
            return this.livenessInterval;
        }

        public void setLivenessInterval(Duration livenessInterval) {
            this.livenessInterval = livenessInterval;
        }

        public int getMaxProcesses() {
            return this.maxProcesses;
        }

        public void setMaxProcesses(int maxProcesses) {
            this.maxProcesses = maxProcesses;
        }

        public boolean isRecreateOnMismatch() {
            return this.recreateOnMismatch;
        }

        public void setRecreateOnMismatch(boolean recreateOnMismatch) {
            this.recreateOnMismatch = recreateOnMismatch;
        }
    }

    /** Defaults of the @IpcListener containers. */
    public static class Listener {

        /** Threads per listener, unless the annotation sets its own. */
        private int concurrency = 1;

        /** Whether listeners start with the application context, unless the annotation says otherwise. */
        private boolean autoStartup = true;

        /** How long a stopping container waits for in-flight messages before releasing the rest. */
        private Duration shutdownTimeout = Duration.ofSeconds(30);

        /** Whether every received message is observed (Micrometer timer and trace span). */
        private boolean observationEnabled = false;

        /**
         * How long a consumer thread keeps polling after a message before it blocks, so that a
         * burst is taken back to back; 0 blocks at once.
         */
        private Duration spinBeforeWait = Duration.ofNanos(20000);

        /**
         * Most messages a consumer thread takes from its channel at once. It takes only as many
         * as its listener handled in about a millisecond at the pace of its last batch (one at a
         * time after a slower batch), so it rarely holds much work a competing consumer could
         * have taken; 1 turns batching off.
         */
        private int maxMessagesPerReceive = 64;

        private final Retry retry = new Retry();

        public int getConcurrency() {
            return this.concurrency;
        }

        public void setConcurrency(int concurrency) {
            this.concurrency = concurrency;
        }

        public boolean isAutoStartup() {
            return this.autoStartup;
        }

        public void setAutoStartup(boolean autoStartup) {
            this.autoStartup = autoStartup;
        }

        public Duration getShutdownTimeout() {
            return this.shutdownTimeout;
        }

        public void setShutdownTimeout(Duration shutdownTimeout) {
            this.shutdownTimeout = shutdownTimeout;
        }

        public boolean isObservationEnabled() {
            return this.observationEnabled;
        }

        public void setObservationEnabled(boolean observationEnabled) {
            this.observationEnabled = observationEnabled;
        }

        public Duration getSpinBeforeWait() {
            return this.spinBeforeWait;
        }

        public void setSpinBeforeWait(Duration spinBeforeWait) {
            this.spinBeforeWait = spinBeforeWait;
        }

        public int getMaxMessagesPerReceive() {
            return this.maxMessagesPerReceive;
        }

        public void setMaxMessagesPerReceive(int maxMessagesPerReceive) {
            this.maxMessagesPerReceive = maxMessagesPerReceive;
        }

        public Retry getRetry() {
            return this.retry;
        }
    }

    /** Retries of a failed listener invocation, before the message goes to the dead-letter queue. */
    public static class Retry {

        /** Attempts in all, the first included; 1 disables retries. */
        private int maxAttempts = 3;

        /** Delay before the first retry. */
        private Duration initialInterval = Duration.ofMillis(100);

        /** Factor applied to the delay after each retry. */
        private double multiplier = 2.0;

        /** Longest delay between two retries. */
        private Duration maxInterval = Duration.ofSeconds(5);

        public int getMaxAttempts() {
            return this.maxAttempts;
        }

        public void setMaxAttempts(int maxAttempts) {
            this.maxAttempts = maxAttempts;
        }

        public Duration getInitialInterval() {
            return this.initialInterval;
        }

        public void setInitialInterval(Duration initialInterval) {
            this.initialInterval = initialInterval;
        }

        public double getMultiplier() {
            return this.multiplier;
        }

        public void setMultiplier(double multiplier) {
            this.multiplier = multiplier;
        }

        public Duration getMaxInterval() {
            return this.maxInterval;
        }

        public void setMaxInterval(Duration maxInterval) {
            this.maxInterval = maxInterval;
        }
    }

    /** Settings of the IpcTemplate. */
    public static class Template {

        /** How long sendAndReceive and convertSendAndReceive wait for a reply before failing. */
        private Duration replyTimeout = Duration.ofSeconds(5);

        /** How long receive waits for a message before returning none. */
        private Duration receiveTimeout = Duration.ofSeconds(5);

        /** Whether every sent message is observed (Micrometer timer and trace context in headers). */
        private boolean observationEnabled = false;

        public Duration getReplyTimeout() {
            return this.replyTimeout;
        }

        public void setReplyTimeout(Duration replyTimeout) {
            this.replyTimeout = replyTimeout;
        }

        public Duration getReceiveTimeout() {
            return this.receiveTimeout;
        }

        public void setReceiveTimeout(Duration receiveTimeout) {
            this.receiveTimeout = receiveTimeout;
        }

        public boolean isObservationEnabled() {
            return this.observationEnabled;
        }

        public void setObservationEnabled(boolean observationEnabled) {
            this.observationEnabled = observationEnabled;
        }
    }
}

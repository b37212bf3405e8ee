package io.github.springipc.transport.queue;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings of one queue, immutable. Every process attached to a queue should use the same
 * capacity (checked when attaching) and wait strategy.
 *
 * <pre>{@code
 * QueueOptions options = QueueOptions.builder()
 *         .capacity(4 << 20)
 *         .maxMessageSize(64 << 10)
 *         .waitStrategy(WaitStrategy.BLOCKING)
 *         .build();
 * }</pre>
 */
public final class QueueOptions {

    /** Default ring capacity: 1 MiB. */
    public static final int DEFAULT_CAPACITY = 1 << 20;

    /** Default largest message: 64 KiB. */
    public static final int DEFAULT_MAX_MESSAGE_SIZE = 64 << 10;

    /** Default wait of {@code send} for room in a full queue. */
    public static final Duration DEFAULT_SEND_TIMEOUT = Duration.ofSeconds(5);

    /** Default period of the liveness check that returns messages of dead processes. */
    public static final Duration DEFAULT_LIVENESS_INTERVAL = Duration.ofMillis(100);

    /** Default number of process slots (attachments) a new queue has room for. */
    public static final int DEFAULT_SLOTS = 64;

    private final int capacity;

    private final int maxMessageSize;

    private final Duration sendTimeout;

    private final WaitStrategy waitStrategy;

    private final Duration livenessInterval;

    private final int slots;

    private final boolean recreateWhenInvalid;

    private QueueOptions(Builder builder) {
        this.capacity = builder.capacity;
        this.maxMessageSize = builder.maxMessageSize;
        this.sendTimeout = builder.sendTimeout;
        this.waitStrategy = builder.waitStrategy;
        this.livenessInterval = builder.livenessInterval;
        this.slots = builder.slots;
        this.recreateWhenInvalid = builder.recreateWhenInvalid;
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** The defaults. */
    public static QueueOptions defaults() {
        return builder().build();
    }

    /** Ring size in bytes (a power of two); {@code ipc.queues.<name>.capacity}. */
    public int capacity() {
        return this.capacity;
    }

    /** Largest message (encoded envelope or raw bytes) this process sends; {@code ipc.queues.<name>.max-message-size}. */
    public int maxMessageSize() {
        return this.maxMessageSize;
    }

    /** How long {@code send} waits for room; {@code ipc.queues.<name>.send-timeout}. */
    public Duration sendTimeout() {
        return this.sendTimeout;
    }

    /** How consumers wait; {@code ipc.queues.<name>.wait-strategy}. */
    public WaitStrategy waitStrategy() {
        return this.waitStrategy;
    }

    /**
     * Period of the check for dead processes while messages are in flight (a consumer waiting
     * on an empty queue checks at most once a second); {@code ipc.queues.<name>.liveness-interval}.
     */
    public Duration livenessInterval() {
        return this.livenessInterval;
    }

    /** Process slots of a new queue file; {@code ipc.queues.<name>.max-processes} with the starter. */
    public int slots() {
        return this.slots;
    }

    /** Whether a queue file that fails validation is deleted and created anew (its messages are lost). */
    public boolean recreateWhenInvalid() {
        return this.recreateWhenInvalid;
    }

    /** A builder starting from these options. */
    public Builder toBuilder() {
        return new Builder().capacity(this.capacity).maxMessageSize(this.maxMessageSize)
                .sendTimeout(this.sendTimeout).waitStrategy(this.waitStrategy)
                .livenessInterval(this.livenessInterval).slots(this.slots)
                .recreateWhenInvalid(this.recreateWhenInvalid);
    }

    @Override
    public String toString() {
        return "QueueOptions[capacity=" + this.capacity + ", maxMessageSize=" + this.maxMessageSize + ", sendTimeout="
                + this.sendTimeout + ", waitStrategy=" + this.waitStrategy + ", livenessInterval="
                + this.livenessInterval + ", slots=" + this.slots + "]";
    }

    /** Builds {@link QueueOptions}; every setter validates at {@link #build()}. */
    public static final class Builder {

        private int capacity = DEFAULT_CAPACITY;

        private int maxMessageSize = DEFAULT_MAX_MESSAGE_SIZE;

        private Duration sendTimeout = DEFAULT_SEND_TIMEOUT;

        private WaitStrategy waitStrategy = WaitStrategy.BLOCKING;

        private Duration livenessInterval = DEFAULT_LIVENESS_INTERVAL;

        private int slots = DEFAULT_SLOTS;

        private boolean recreateWhenInvalid;

        private Builder() {
        }

        /** Ring size in bytes, a power of two between 4 KiB and 1 GiB. Default 1 MiB. */
        public Builder capacity(int capacity) {
            this.capacity = capacity;
            return this;
        }

        /** Largest message in bytes; at most {@code capacity / 2 - 16}. Default 64 KiB (capped to that). */
        public Builder maxMessageSize(int maxMessageSize) {
            this.maxMessageSize = maxMessageSize;
            return this;
        }

        /** Wait of {@code send} for room. Default 5 s. */
        public Builder sendTimeout(Duration sendTimeout) {
            this.sendTimeout = Objects.requireNonNull(sendTimeout, "sendTimeout");
            return this;
        }

        /** How consumers wait. Default {@link WaitStrategy#BLOCKING}. */
        public Builder waitStrategy(WaitStrategy waitStrategy) {
            this.waitStrategy = Objects.requireNonNull(waitStrategy, "waitStrategy");
            return this;
        }

        /** Period of the dead-process check, 1 ms to 10 s. Default 100 ms. */
        public Builder livenessInterval(Duration livenessInterval) {
            this.livenessInterval = Objects.requireNonNull(livenessInterval, "livenessInterval");
            return this;
        }

        /** Process slots of a new queue file, 1 to 256. Default 64. */
        public Builder slots(int slots) {
            this.slots = slots;
            return this;
        }

        /** Whether an invalid queue file is replaced (losing its content) instead of failing. Default false. */
        public Builder recreateWhenInvalid(boolean recreateWhenInvalid) {
            this.recreateWhenInvalid = recreateWhenInvalid;
            return this;
        }

        /**
         * @throws IllegalArgumentException naming the setting that is out of range
         */
        public QueueOptions build() {
            if (this.capacity < 4096 || this.capacity > (1 << 30) || Integer.bitCount(this.capacity) != 1) {
                throw new IllegalArgumentException("ipc.queues.<name>.capacity must be a power of two between 4096 and "
                        + (1 << 30) + " bytes, not " + this.capacity);
            }
            int largest = this.capacity / 2 - QueueLayout.RECORD_HEADER_LENGTH;
            if (this.maxMessageSize == DEFAULT_MAX_MESSAGE_SIZE && this.maxMessageSize > largest) {
                this.maxMessageSize = largest;
            }
            if (this.maxMessageSize < 1 || this.maxMessageSize > largest) {
                throw new IllegalArgumentException("ipc.queues.<name>.max-message-size must be between 1 and "
                        + largest + " bytes (capacity / 2 - 16) for a capacity of " + this.capacity + ", not "
                        + this.maxMessageSize);
            }
            if (this.sendTimeout.isNegative()) {
                throw new IllegalArgumentException("ipc.queues.<name>.send-timeout must not be negative: " + this.sendTimeout);
            }
            if (this.livenessInterval.toMillis() < 1 || this.livenessInterval.toMillis() > 10_000) {
                throw new IllegalArgumentException("ipc.queues.<name>.liveness-interval must be between 1 ms and 10 s, not "
                        + this.livenessInterval);
            }
            if (this.slots < 1 || this.slots > QueueLayout.MAX_SLOTS) {
                throw new IllegalArgumentException("slots (ipc.queues.<name>.max-processes) must be between 1 and "
                        + QueueLayout.MAX_SLOTS + ", not " + this.slots);
            }
            return new QueueOptions(this);
        }
    }
}

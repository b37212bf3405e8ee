package io.github.springipc.transport.pipe;

import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.Set;

/**
 * Immutable settings of one {@link IpcPipe}. Every setting has a default, so
 * {@code PipeOptions.defaults()} is a working configuration.
 *
 * <pre>{@code
 * PipeOptions options = PipeOptions.builder()
 *         .maxMessageSize(1 << 20)
 *         .sendTimeout(Duration.ofSeconds(2))
 *         .authkey("secret".getBytes(StandardCharsets.UTF_8))
 *         .build();
 * }</pre>
 *
 * <p>The property names in the setters' descriptions are those of {@code ipc.pipes.<name>.*}.
 */
public final class PipeOptions {

    /** Default {@link #maxMessageSize()}: 16 MiB. */
    public static final int DEFAULT_MAX_MESSAGE_SIZE = 16 * 1024 * 1024;

    /** Default {@link #receiveBufferCapacity()}: 1024 messages. */
    public static final int DEFAULT_RECEIVE_BUFFER_CAPACITY = 1024;

    /** Default {@link #ioBufferSize()}: 64 KiB. */
    public static final int DEFAULT_IO_BUFFER_SIZE = 64 * 1024;

    /** Default {@link #socketFilePermissions()}: {@code rw-------}. */
    public static final Set<PosixFilePermission> DEFAULT_SOCKET_FILE_PERMISSIONS =
            PosixFilePermissions.fromString("rw-------");

    private static final PipeOptions DEFAULTS = builder().build();

    private final PipeRole role;

    private final PipeWireFormat wireFormat;

    private final int maxMessageSize;

    private final Duration sendTimeout;

    private final Duration handshakeTimeout;

    private final Duration reconnectMinBackoff;

    private final Duration reconnectMaxBackoff;

    private final int receiveBufferCapacity;

    private final int ioBufferSize;

    private final boolean confirmDelivery;

    private final byte[] authkey;

    private final Set<PosixFilePermission> socketFilePermissions;

    private final Set<String> allowedUsers;

    private PipeOptions(Builder b) {
        this.role = b.role;
        this.wireFormat = b.wireFormat;
        this.maxMessageSize = b.maxMessageSize;
        this.sendTimeout = b.sendTimeout;
        this.handshakeTimeout = b.handshakeTimeout;
        this.reconnectMinBackoff = b.reconnectMinBackoff;
        this.reconnectMaxBackoff = b.reconnectMaxBackoff;
        this.receiveBufferCapacity = b.receiveBufferCapacity;
        this.ioBufferSize = b.ioBufferSize;
        this.confirmDelivery = b.confirmDelivery;
        this.authkey = b.authkey == null ? null : b.authkey.clone();
        this.socketFilePermissions = Set.copyOf(b.socketFilePermissions);
        this.allowedUsers = Set.copyOf(b.allowedUsers);
    }

    /** The defaults. */
    public static PipeOptions defaults() {
        return DEFAULTS;
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these options. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    public PipeRole role() {
        return this.role;
    }

    public PipeWireFormat wireFormat() {
        return this.wireFormat;
    }

    public int maxMessageSize() {
        return this.maxMessageSize;
    }

    public Duration sendTimeout() {
        return this.sendTimeout;
    }

    public Duration handshakeTimeout() {
        return this.handshakeTimeout;
    }

    public Duration reconnectMinBackoff() {
        return this.reconnectMinBackoff;
    }

    public Duration reconnectMaxBackoff() {
        return this.reconnectMaxBackoff;
    }

    public int receiveBufferCapacity() {
        return this.receiveBufferCapacity;
    }

    public int ioBufferSize() {
        return this.ioBufferSize;
    }

    public boolean confirmDelivery() {
        return this.confirmDelivery;
    }

    /** The shared secret, a copy; {@code null} when none is set. */
    public byte[] authkey() {
        return this.authkey == null ? null : this.authkey.clone();
    }

    boolean hasAuthkey() {
        return this.authkey != null;
    }

    byte[] authkeyInternal() {
        return this.authkey;
    }

    public Set<PosixFilePermission> socketFilePermissions() {
        return this.socketFilePermissions;
    }

    public Set<String> allowedUsers() {
        return this.allowedUsers;
    }

    @Override
    public String toString() {
        return "PipeOptions[role=" + this.role + ", wireFormat=" + this.wireFormat + ", maxMessageSize="
                + this.maxMessageSize + ", sendTimeout=" + this.sendTimeout + ", confirmDelivery="
                + this.confirmDelivery + ", authkey=" + (this.authkey == null ? "none" : "set") + "]";
    }

    /** Builds {@link PipeOptions}; each setter documents its default. */
    public static final class Builder {

        private PipeRole role = PipeRole.AUTO;

        private PipeWireFormat wireFormat = PipeWireFormat.ENVELOPE;

        private int maxMessageSize = DEFAULT_MAX_MESSAGE_SIZE;

        private Duration sendTimeout = Duration.ofSeconds(10);

        private Duration handshakeTimeout = Duration.ofSeconds(5);

        private Duration reconnectMinBackoff = Duration.ofMillis(10);

        private Duration reconnectMaxBackoff = Duration.ofSeconds(1);

        private int receiveBufferCapacity = DEFAULT_RECEIVE_BUFFER_CAPACITY;

        private int ioBufferSize = DEFAULT_IO_BUFFER_SIZE;

        private boolean confirmDelivery;

        private byte[] authkey;

        private Set<PosixFilePermission> socketFilePermissions = DEFAULT_SOCKET_FILE_PERMISSIONS;

        private Set<String> allowedUsers = Set.of();

        private Builder() {
        }

        private Builder(PipeOptions o) {
            this.role = o.role;
            this.wireFormat = o.wireFormat;
            this.maxMessageSize = o.maxMessageSize;
            this.sendTimeout = o.sendTimeout;
            this.handshakeTimeout = o.handshakeTimeout;
            this.reconnectMinBackoff = o.reconnectMinBackoff;
            this.reconnectMaxBackoff = o.reconnectMaxBackoff;
            this.receiveBufferCapacity = o.receiveBufferCapacity;
            this.ioBufferSize = o.ioBufferSize;
            this.confirmDelivery = o.confirmDelivery;
            this.authkey = o.authkey;
            this.socketFilePermissions = o.socketFilePermissions;
            this.allowedUsers = o.allowedUsers;
        }

        /** Which end binds ({@code role}); default {@link PipeRole#AUTO}. */
        public Builder role(PipeRole role) {
            this.role = Objects.requireNonNull(role, "role");
            return this;
        }

        /**
         * What frames carry ({@code wire-format}); default {@link PipeWireFormat#ENVELOPE}. Set
         * {@link PipeWireFormat#RAW} on the Java end that talks to a foreign peer.
         */
        public Builder wireFormat(PipeWireFormat wireFormat) {
            this.wireFormat = Objects.requireNonNull(wireFormat, "wireFormat");
            return this;
        }

        /**
         * Largest frame body, in bytes, this end sends or accepts ({@code max-message-size});
         * default 16 MiB. For {@link PipeWireFormat#ENVELOPE} the body is the envelope plus one
         * kind byte. A larger inbound frame closes the connection before anything of its size
         * is allocated.
         */
        public Builder maxMessageSize(int bytes) {
            if (bytes < 64) {
                throw new IllegalArgumentException("maxMessageSize must be at least 64 bytes, not " + bytes);
            }
            this.maxMessageSize = bytes;
            return this;
        }

        /**
         * How long {@code send} without an explicit timeout waits for a peer, for a socket its
         * peer does not read to take the message, and, with {@link #confirmDelivery}, for its
         * confirmation ({@code send-timeout}); default 10 s. It bounds every send.
         */
        public Builder sendTimeout(Duration timeout) {
            this.sendTimeout = positive(timeout, "sendTimeout");
            return this;
        }

        /**
         * How long authentication and the hello may take before the connection is dropped
         * ({@code handshake-timeout}); default 5 s.
         */
        public Builder handshakeTimeout(Duration timeout) {
            this.handshakeTimeout = positive(timeout, "handshakeTimeout");
            return this;
        }

        /**
         * First and largest pause between connection attempts of a connecting end
         * ({@code reconnect-min-backoff}, {@code reconnect-max-backoff}); default 10 ms doubling
         * up to 1 s.
         */
        public Builder reconnectBackoff(Duration min, Duration max) {
            this.reconnectMinBackoff = positive(min, "reconnectMinBackoff");
            this.reconnectMaxBackoff = positive(max, "reconnectMaxBackoff");
            if (max.compareTo(min) < 0) {
                throw new IllegalArgumentException("reconnect max back-off " + max + " is below the min " + min);
            }
            return this;
        }

        /**
         * Most received messages held until {@code receive} takes them
         * ({@code receive-buffer-capacity}); default 1024. When full, the pipe stops reading the
         * socket, so the sender blocks: nothing is dropped.
         */
        public Builder receiveBufferCapacity(int messages) {
            if (messages < 1) {
                throw new IllegalArgumentException("receiveBufferCapacity must be at least 1, not " + messages);
            }
            this.receiveBufferCapacity = messages;
            return this;
        }

        /**
         * Size of each socket read and write buffer ({@code io-buffer-size}); default 64 KiB. A
         * connection holds three, all direct and allocated once: one it reads into, and two that
         * senders' frames are coalesced in (one filling while the other is written); on an
         * ENVELOPE pipe without confirm-delivery, the thread that owns the connection's lane has a
         * ring of three more, made at its first send (see {@code docs/pipe-wire-format.md}). It
         * bounds how many bytes one system call carries, and how much a send may leave buffered.
         */
        public Builder ioBufferSize(int bytes) {
            if (bytes < 4096) {
                throw new IllegalArgumentException("ioBufferSize must be at least 4096 bytes, not " + bytes);
            }
            this.ioBufferSize = bytes;
            return this;
        }

        /**
         * Whether {@code send} returns only once the peer's application has taken the message
         * ({@code confirm-delivery}); default {@code false}. With it, a send either is confirmed
         * or throws, even when the peer is killed; without it, a send returns once the message is
         * handed to the socket, and messages in flight when the peer dies are lost (see
         * {@link IpcPipe}). Only for {@link PipeWireFormat#ENVELOPE}.
         */
        public Builder confirmDelivery(boolean confirm) {
            this.confirmDelivery = confirm;
            return this;
        }

        /**
         * Shared secret both ends must hold ({@code authkey}); default none. The same
         * challenge-response as Python's {@code multiprocessing.connection}.
         */
        public Builder authkey(byte[] authkey) {
            if (authkey != null && authkey.length == 0) {
                throw new IllegalArgumentException("authkey must not be empty; leave it unset for none");
            }
            this.authkey = authkey == null ? null : authkey.clone();
            return this;
        }

        /**
         * Mode of the socket file a binding end creates ({@code socket-file-permissions});
         * default {@code rw-------}. Use {@code rw-rw----} to let a group connect (the IPC
         * directory must then be reachable by that group too).
         */
        public Builder socketFilePermissions(Set<PosixFilePermission> permissions) {
            this.socketFilePermissions = Set.copyOf(permissions);
            return this;
        }

        /**
         * Users, besides this process's own, whose processes may be the peer
         * ({@code allowed-users}); default none: only the same user.
         */
        public Builder allowedUsers(Set<String> users) {
            this.allowedUsers = Set.copyOf(users);
            return this;
        }

        public PipeOptions build() {
            if (this.confirmDelivery && this.wireFormat == PipeWireFormat.RAW) {
                throw new IllegalArgumentException("confirmDelivery needs wireFormat ENVELOPE: a foreign peer"
                        + " sends no confirmations");
            }
            return new PipeOptions(this);
        }

        private static Duration positive(Duration d, String what) {
            Objects.requireNonNull(d, what);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be positive, not " + d);
            }
            return d;
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PipeOptions that && this.role == that.role && this.wireFormat == that.wireFormat
                && this.maxMessageSize == that.maxMessageSize && this.sendTimeout.equals(that.sendTimeout)
                && this.handshakeTimeout.equals(that.handshakeTimeout)
                && this.reconnectMinBackoff.equals(that.reconnectMinBackoff)
                && this.reconnectMaxBackoff.equals(that.reconnectMaxBackoff)
                && this.receiveBufferCapacity == that.receiveBufferCapacity && this.ioBufferSize == that.ioBufferSize
                && this.confirmDelivery == that.confirmDelivery && Arrays.equals(this.authkey, that.authkey)
                && this.socketFilePermissions.equals(that.socketFilePermissions)
                && this.allowedUsers.equals(that.allowedUsers);
    }

    @Override
    public int hashCode() {
        return Objects.hash(this.role, this.wireFormat, this.maxMessageSize, this.sendTimeout, this.confirmDelivery);
    }
}

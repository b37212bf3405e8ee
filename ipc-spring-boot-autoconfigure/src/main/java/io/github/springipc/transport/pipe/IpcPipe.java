package io.github.springipc.transport.pipe;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;

import io.github.springipc.transport.IpcChannel;
import io.github.springipc.transport.IpcClosedException;
import io.github.springipc.transport.IpcCorruptDataException;
import io.github.springipc.transport.IpcDelivery;
import io.github.springipc.transport.IpcException;
import io.github.springipc.transport.IpcMessage;
import io.github.springipc.transport.IpcMessageCodec;
import io.github.springipc.transport.IpcMessageTooLargeException;
import io.github.springipc.transport.IpcTimeoutException;
import io.github.springipc.transport.file.IpcDirectory;

/**
 * One end of a duplex pipe between two processes on this host: the JVM counterpart of Python's
 * {@code multiprocessing.Pipe}, over a Unix domain socket {@code <dir>/<name>.sock}.
 *
 * <pre>{@code
 * try (IpcPipe pipe = IpcPipe.open(IpcDirectory.defaultPath(), "orders", PipeOptions.defaults())) {
 *     pipe.send("hello".getBytes(UTF_8));                       // waits for the peer up to send-timeout
 *     IpcDelivery d = pipe.receive(Duration.ofSeconds(1));     // null when nothing came
 *     IpcMessage reply = pipe.request(IpcMessage.of(bytes), Duration.ofSeconds(2));
 * }
 * }</pre>
 *
 * <h2>Who binds</h2>
 * With {@link PipeRole#AUTO} (the default) either process may start first: under the lock of
 * {@code <name>.sock.lock} a process connects when a live process listens on the socket file,
 * and otherwise binds it, replacing a file left by a dead process. The binder keeps listening
 * when its peer goes; the connector retries with back-off, and takes over the binding if the
 * binder died. A third process is answered with a refusal and its {@code open} throws
 * {@link IpcPipeOccupiedException}.
 *
 * <h2>What a completed send means</h2>
 * Messages arrive in order, each at most once. By default a returned {@code send} means the
 * message was copied into this connection's outgoing buffers (pre-allocated, {@code io-buffer-size};
 * the sending thread that owns the connection's lane has a ring of its own, see
 * {@code docs/pipe-wire-format.md}): nothing of the caller's array is used afterwards. From there it is written to the
 * socket, in order, by one of:
 * <ul>
 * <li>the sending thread itself, at once, when the pipe is idle (no write under way and the last
 * one ended over 2 µs ago): a lone message leaves in one system call;</li>
 * <li>under load (sends coming faster than writes complete, or from several threads), whichever
 * thread is writing already, or the connection's flusher thread, which writes a burst's
 * accumulated frames in as few system calls as possible: within microseconds once the senders
 * pause, within tens of microseconds while they keep going, and a sender finding the buffer full
 * writes it itself;</li>
 * <li>{@link #close()}, which first writes what is still buffered (waiting up to one second for a
 * peer that does not read).</li>
 * </ul>
 * When the buffer is full and cannot be written in time (the peer stopped reading), {@code send}
 * waits up to its timeout and throws {@link IpcTimeoutException}, having queued nothing. When the
 * peer dies, what is still in the outgoing buffer, the socket buffers or the peer's receive
 * buffer is lost with it, and a {@code send} only throws when it finds the connection already
 * broken (or its own write fails). With
 * {@link PipeOptions.Builder#confirmDelivery(boolean) confirm-delivery} a send returns only after
 * the peer's application acknowledged the message, and otherwise throws: never a silent loss, at
 * the cost of a round trip. {@link #request} is always confirmed by its reply. While no peer is
 * connected, a send waits up to its timeout and then throws {@link IpcTimeoutException}: nothing
 * is buffered for a peer that is not there. The send timeout also bounds the write itself: a
 * peer that stopped reading makes {@code send} throw {@link IpcTimeoutException} (see
 * {@code docs/pipe-wire-format.md} for what became of the message), not hang.
 *
 * <h2>Receiving</h2>
 * A thread in {@link #receive} (or waiting for a reply or a confirmation) reads the socket
 * itself when no other thread does, so a message reaches it with no thread hand-off; see
 * {@link PipeInbound}. Messages read for nobody in particular wait in a bounded buffer; when it is
 * full the pipe stops reading the socket, so the sender slows down instead of anything being
 * dropped. Replies to this end's requests never go to {@code receive}. Every delivery must be
 * settled with {@link IpcDelivery#acknowledge()} (confirmations depend on it). Interrupting a
 * thread in {@code receive} ends the wait with {@link InterruptedException}; the pipe checks
 * for the interrupt before each socket read, since an interrupt during one would close the
 * channel.
 *
 * <p>For raw streams, {@link #drain(PipeMessageHandler, int, Duration)} hands payloads to a
 * handler in place, straight from the read buffer (one socket read brings in as many messages as
 * fit it): no delivery object, no copy, nothing allocated per message. Together with
 * {@link #send(byte[])} (which allocates nothing either) it is the fast path; {@code receive} and
 * the {@link IpcMessage} methods allocate per message.
 *
 * <p>The wire format is described in {@code docs/pipe-wire-format.md} and {@link PipeFrameLayout}.
 */
public final class IpcPipe implements IpcChannel {

    private static final System.Logger LOG = System.getLogger(IpcPipe.class.getName());

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    /** Longest socket path the kernel takes (sun_path is 108 bytes with its terminating zero). */
    private static final int MAX_SOCKET_PATH = 107;

    /**
     * How long a binder waits, when a new peer arrives, for its current peer's connection to end
     * (a peer killed and restarted at once reconnects before its old connection is noticed).
     */
    private static final long VACANCY_GRACE_NANOS = TimeUnit.MILLISECONDS.toNanos(300);

    /**
     * Connection attempts a binder handshakes with at once, each on a short-lived thread; more are
     * closed at once. Only processes of allowed users reach the socket (0700 directory).
     */
    static final int MAX_PENDING_HANDSHAKES = 8;

    private final AtomicInteger pendingHandshakes = new AtomicInteger();

    private final String name;

    private final PipeOptions options;

    // copies of options the raw send path reads on every message
    private final boolean raw;

    private final boolean confirmDelivery;

    private final long sendTimeoutNanos;

    private final PipeSocketFile socketFile;

    private final PeerCredentialCheck credentialCheck;

    private final PipeInbound inbound;

    /** Set once {@code receive} was called on a RAW pipe: from then on RAW requests are refused. */
    private volatile boolean rawReceiving;

    private final Map<String, PendingReply> pendingReplies = new ConcurrentHashMap<>();

    private final ArrayDeque<PendingReply> rawPendingReplies = new ArrayDeque<>();

    private final ReentrantLock rawRequestLock = new ReentrantLock();

    private final String correlationPrefix;

    private final AtomicLong correlationCounter = new AtomicLong();

    private final ReentrantLock stateLock = new ReentrantLock();

    private final Condition stateChanged = this.stateLock.newCondition();

    private final AtomicInteger generations = new AtomicInteger();

    private final AtomicLong established = new AtomicLong();

    private volatile PipeConnection current;

    private volatile boolean closed;

    private volatile PipeRole activeRole;

    private volatile IpcPipeOccupiedException refusal;

    private volatile ServerSocketChannel server;

    private IpcPipe(String name, Path socketPath, PipeOptions options) throws IOException {
        this.name = name;
        this.options = options;
        this.raw = options.wireFormat() == PipeWireFormat.RAW;
        this.confirmDelivery = options.confirmDelivery();
        this.sendTimeoutNanos = Math.max(0, options.sendTimeout().toNanos());
        this.socketFile = new PipeSocketFile(name, socketPath, options);
        this.credentialCheck = new PeerCredentialCheck(System.getProperty("user.name"), options.allowedUsers());
        this.inbound = new PipeInbound(name, options.receiveBufferCapacity(), new PipeInbound.FrameHandler() {

            @Override
            public PipeDelivery onFrame(PipeConnection connection, ByteBuffer body) {
                return IpcPipe.this.onFrame(connection, body);
            }

            @Override
            public void onReadEnded(PipeConnection connection, Throwable cause) {
                IpcPipe.this.readEnded(connection, cause);
            }
        });
        byte[] random = new byte[6];
        new SecureRandom().nextBytes(random);
        StringBuilder prefix = new StringBuilder();
        for (byte b : random) {
            prefix.append(String.format("%02x", b));
        }
        this.correlationPrefix = prefix.append('-').toString();
    }

    /**
     * Opens this process's end of pipe {@code name} in {@code directory} (created with mode 0700
     * when missing). Returns once this end has bound the socket file or connected to the peer;
     * with role CONNECT and no peer yet, it returns at once and connects in the background.
     *
     * @throws IpcPipeOccupiedException when the pipe already has two ends
     * @throws IpcAuthenticationException when the peer holds another authkey or runs as a user
     *         that is not allowed
     * @throws IpcException when the directory or socket file can not be used
     */
    public static IpcPipe open(Path directory, String name, PipeOptions options) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("Pipe name '" + name + "' is not valid: use 1 to 64 letters, digits,"
                    + " '.', '_' or '-', starting with a letter or digit");
        }
        Path dir = IpcDirectory.prepare(directory);
        Path socketPath = dir.resolve(name + ".sock");
        int pathBytes = socketPath.toString().getBytes(StandardCharsets.UTF_8).length;
        if (pathBytes > MAX_SOCKET_PATH) {
            throw new IpcException("Pipe '" + name + "': socket path " + socketPath + " is " + pathBytes
                    + " bytes long; the limit is " + MAX_SOCKET_PATH + ". Set ipc.directory to a shorter path");
        }
        IpcPipe pipe;
        try {
            pipe = new IpcPipe(name, socketPath, options);
        }
        catch (IOException ex) {
            throw new IpcException("Pipe '" + name + "': could not open its lock file next to " + socketPath + ": "
                    + ex.getMessage(), ex);
        }
        try {
            pipe.start();
            return pipe;
        }
        catch (RuntimeException ex) {
            pipe.close();
            throw ex;
        }
    }

    /** Opens with {@link PipeOptions#defaults()}. */
    public static IpcPipe open(Path directory, String name) {
        return open(directory, name, PipeOptions.defaults());
    }

    @Override
    public String name() {
        return this.name;
    }

    /** The socket file. */
    public Path socketPath() {
        return this.socketFile.path();
    }

    @Override
    public Duration sendTimeout() {
        return this.options.sendTimeout();
    }

    public PipeOptions options() {
        return this.options;
    }

    /** Whether a peer is connected now. */
    public boolean isConnected() {
        PipeConnection connection = this.current;
        return connection != null && !connection.isClosed();
    }

    public PipeState state() {
        if (this.closed) {
            return PipeState.CLOSED;
        }
        return isConnected() ? PipeState.CONNECTED : PipeState.WAITING_FOR_PEER;
    }

    /** The role this end plays now: {@link PipeRole#BIND} or {@link PipeRole#CONNECT}. */
    public PipeRole activeRole() {
        return this.activeRole;
    }

    /** How many times a peer connected after the first one (0 until the peer comes back). */
    public long reconnectCount() {
        return Math.max(0, this.established.get() - 1);
    }

    /** Received messages waiting for {@link #receive}. */
    public int bufferedMessages() {
        return this.inbound.size();
    }

    /** The connection to the peer now, or null (for tests). */
    PipeConnection connection() {
        return this.current;
    }

    /**
     * Waits until a peer is connected.
     *
     * @return whether one is
     */
    public boolean awaitConnected(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        this.stateLock.lock();
        try {
            while (!isConnected() && !this.closed) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    return false;
                }
                this.stateChanged.awaitNanos(remaining);
            }
            return isConnected();
        }
        finally {
            this.stateLock.unlock();
        }
    }

    // ---------------------------------------------------------------- sending

    /** Sends a payload without headers, waiting for a peer up to {@code send-timeout}. */
    public void send(byte[] payload) {
        sendPayload(payload, this.sendTimeoutNanos, this.options.sendTimeout());
    }

    /**
     * Sends a payload without headers. The raw path: nothing is allocated per message. Returns
     * once the payload is copied into the outgoing buffer (see "What a completed send means"
     * above); {@code payload} may be reused at once.
     *
     * @throws IpcTimeoutException when no peer connected (or, with confirm-delivery, confirmed)
     *         in time, or the outgoing buffer stayed full (a peer that does not read)
     * @throws IpcMessageTooLargeException when the payload exceeds max-message-size
     * @throws IpcException when the peer went away while the message was written
     */
    public void send(byte[] payload, Duration timeout) {
        sendPayload(payload, Math.max(0, timeout.toNanos()), timeout);
    }

    /** @param timeout {@code timeoutNanos} as given, for messages */
    private void sendPayload(byte[] payload, long timeoutNanos, Duration timeout) {
        boolean raw = this.raw;
        checkSize(raw ? payload.length : PipeFrameLayout.PLAIN_MESSAGE_HEADER + (long) payload.length);
        boolean confirm = this.confirmDelivery;
        // the clock is read only when something may wait: on the burst path it would cost as much
        // as the rest of the send
        long deadline = confirm ? System.nanoTime() + timeoutNanos : 0;
        PipeConnection connection = this.current;
        if (connection == null || connection.isClosed()) {
            if (!confirm) {
                deadline = System.nanoTime() + timeoutNanos;
            }
            connection = awaitConnection(deadline, timeout);
            timeoutNanos = Math.max(0, deadline - System.nanoTime());
        }
        else if (confirm) {
            timeoutNanos = Math.max(0, deadline - System.nanoTime());
        }
        long sequence;
        try {
            sequence = raw ? connection.writer.writeRaw(payload, timeoutNanos)
                    : connection.writer.writeBarePayload(payload, timeoutNanos);
        }
        catch (IOException ex) {
            throw writeFailed(connection, ex, timeout);
        }
        if (confirm) {
            connection.awaitAck(sequence, deadline, this.name, this.inbound);
        }
    }

    /** Sends a message, waiting for a peer up to {@code send-timeout}. */
    public void send(IpcMessage message) {
        send(message, this.options.sendTimeout());
    }

    /**
     * {@inheritDoc}
     *
     * <p>A {@link PipeWireFormat#RAW} pipe sends the payload only; headers do not travel.
     */
    @Override
    public void send(IpcMessage message, Duration timeout) {
        if (this.options.wireFormat() == PipeWireFormat.RAW) {
            send(message.payload(), timeout);
            return;
        }
        long deadline = deadline(timeout);
        sendEnvelope(message, deadline, timeout, null);
    }

    private void sendEnvelope(IpcMessage message, long deadline, Duration timeout, PendingReply pending) {
        int envelope = IpcMessageCodec.encodedLength(message);
        checkSize(PipeFrameLayout.KIND_LENGTH + (long) envelope);
        PipeConnection connection = awaitConnection(deadline, timeout);
        if (pending != null) {
            pending.connection = connection;
        }
        long sequence;
        try {
            sequence = connection.writer.writeEnvelope(message, envelope, Math.max(0, deadline - System.nanoTime()));
        }
        catch (IOException ex) {
            throw writeFailed(connection, ex, timeout);
        }
        if (this.options.confirmDelivery() && pending == null) {
            connection.awaitAck(sequence, deadline, this.name, this.inbound);
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>With {@link PipeWireFormat#RAW} the reply is the next frame the peer sends: the peer must
     * answer each request with exactly one frame, in order, and send nothing of its own while a
     * request waits (it would be taken for the reply). A reply that comes after its request timed
     * out is discarded, so that it is not mistaken for the next request's. A RAW end is a client
     * or a server, not both: once {@link #receive} was called on it, this method throws
     * {@link IllegalStateException}.
     */
    @Override
    public IpcMessage request(IpcMessage message, Duration timeout) {
        long deadline = deadline(timeout);
        PendingReply pending = new PendingReply();
        if (this.options.wireFormat() == PipeWireFormat.RAW) {
            if (this.rawReceiving) {
                throw new IllegalStateException("Pipe '" + this.name + "' has wire-format RAW and this process"
                        + " receives on it: a frame the peer sends on its own could not be told from a reply."
                        + " On a RAW pipe, use request() only where nothing calls receive() (a client), or set"
                        + " ipc.pipes." + this.name + ".wire-format=ENVELOPE between Java processes");
            }
            this.rawRequestLock.lock();
            try {
                checkSize(message.payload().length);
                PipeConnection connection = awaitConnection(deadline, timeout);
                pending.connection = connection;
                synchronized (this.rawPendingReplies) {
                    this.rawPendingReplies.addLast(pending);
                }
                try {
                    connection.writer.writeRaw(message.payload(), Math.max(0, deadline - System.nanoTime()));
                }
                catch (IOException ex) {
                    throw writeFailed(connection, ex, timeout);
                }
            }
            finally {
                this.rawRequestLock.unlock();
            }
            return awaitReply(pending, deadline, timeout);
        }
        String id = this.correlationPrefix + this.correlationCounter.incrementAndGet();
        this.pendingReplies.put(id, pending);
        try {
            sendEnvelope(message.withHeader(IpcMessage.CORRELATION_ID, id).withHeader(IpcMessage.REPLY_TO, this.name),
                    deadline, timeout, pending);
            return awaitReply(pending, deadline, timeout);
        }
        finally {
            this.pendingReplies.remove(id);
        }
    }

    void sendReply(IpcMessage request, IpcMessage reply) {
        if (this.options.wireFormat() == PipeWireFormat.RAW) {
            send(reply.payload());
            return;
        }
        Map<String, String> headers = new LinkedHashMap<>(reply.headers());
        headers.remove(IpcMessage.REPLY_TO);
        headers.put(IpcMessage.CORRELATION_ID, request.header(IpcMessage.CORRELATION_ID));
        send(IpcMessage.of(headers, reply.payload()));
    }

    /** Waits for the reply, reading it from the socket itself when no other thread reads. */
    private IpcMessage awaitReply(PendingReply pending, long deadline, Duration timeout) {
        try {
            if (!this.inbound.await(pending.future::isDone, deadline)) {
                throw new IpcTimeoutException("Pipe '" + this.name + "': no reply within " + timeout
                        + "; the peer is slow, does not reply, or is gone");
            }
            return pending.future.get();
        }
        catch (ExecutionException ex) {
            Throwable cause = ex.getCause();
            if (cause instanceof IpcClosedException closedCause) {
                throw new IpcClosedException(closedCause.getMessage());
            }
            throw new IpcException(cause.getMessage(), cause);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IpcException("Pipe '" + this.name + "': interrupted while waiting for a reply");
        }
    }

    private void checkSize(long bodyLength) {
        if (bodyLength > this.options.maxMessageSize()) {
            throw new IpcMessageTooLargeException("Pipe '" + this.name + "': a message of " + bodyLength
                    + " bytes (as framed) exceeds the max-message-size of " + this.options.maxMessageSize()
                    + " bytes; raise ipc.pipes." + this.name + ".max-message-size on both ends");
        }
    }

    private static long deadline(Duration timeout) {
        long nanos = timeout.toNanos();
        return System.nanoTime() + Math.max(0, nanos);
    }

    private PipeConnection awaitConnection(long deadline, Duration timeout) {
        PipeConnection connection = this.current;
        if (connection != null && !connection.isClosed()) {
            return connection;
        }
        this.stateLock.lock();
        try {
            while (true) {
                if (this.closed) {
                    throw new IpcClosedException("Pipe '" + this.name + "' is closed");
                }
                connection = this.current;
                if (connection != null && !connection.isClosed()) {
                    return connection;
                }
                IpcPipeOccupiedException refused = this.refusal;
                if (refused != null) {
                    throw new IpcPipeOccupiedException(refused.getMessage());
                }
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    throw new IpcTimeoutException("Pipe '" + this.name + "': no peer connected within " + timeout
                            + "; the message was not sent. The other process must open pipe '" + this.name
                            + "' on " + socketPath() + "; raise ipc.pipes." + this.name
                            + ".send-timeout to wait longer");
                }
                this.stateChanged.awaitNanos(remaining);
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IpcException("Pipe '" + this.name + "': interrupted while waiting for a peer");
        }
        finally {
            this.stateLock.unlock();
        }
    }

    private IpcException writeFailed(PipeConnection connection, IOException ex, Duration timeout) {
        if (ex instanceof FrameWriter.WriteTimeoutException stalled) {
            return new IpcTimeoutException("Pipe '" + this.name + "': the peer did not read within " + timeout
                    + " (its receive buffer and the socket are full); "
                    + (stalled.queued() ? "the message is queued and goes out if the peer reads again: it may or"
                            + " may not arrive" : "the message was not sent")
                    + ". Check that the peer receives, or raise ipc.pipes." + this.name + ".send-timeout");
        }
        if (ex instanceof InterruptedIOException) {
            Thread.currentThread().interrupt();
            boolean queued = ex instanceof FrameWriter.WriteInterruptedException interrupted && interrupted.queued();
            return new IpcException("Pipe '" + this.name + "': interrupted while sending; " + (queued
                    ? "the message is queued and goes out with the next write on this connection"
                    : "the message was not sent"));
        }
        lost(connection, "writing failed: " + ex.getMessage(), Level.INFO);
        return new IpcException("Pipe '" + this.name + "': the peer went away while this message was being sent ("
                + ex.getMessage() + "); it was not delivered", ex);
    }

    // ---------------------------------------------------------------- receiving

    @Override
    public IpcDelivery receive(Duration timeout) throws InterruptedException {
        if (this.closed) {
            throw new IpcClosedException("Pipe '" + this.name + "' is closed");
        }
        if (this.options.wireFormat() == PipeWireFormat.RAW && !this.rawReceiving) {
            this.rawReceiving = true;
        }
        return this.inbound.take(timeout.toNanos());
    }

    /**
     * The raw receive path: waits up to {@code timeout} for messages, then hands up to
     * {@code limit} of them to {@code handler} in place, straight from the pipe's read buffer: one
     * socket read brings in as many as fit, and nothing is allocated per message. Messages are
     * taken (and, with confirm-delivery, acknowledged to the sender) as the handler returns.
     *
     * <pre>{@code
     * while (running) {
     *     pipe.drain((buffer, offset, length) -> process(buffer, offset, length), 4096, Duration.ofSeconds(1));
     * }
     * }</pre>
     *
     * <p>Only payloads are handed over: headers of a message (and so the means to reply to a
     * request) are not visible here; use {@link #receive} for those. A message that a background
     * reader had already decoded for {@code receive} is handed over from its copy. {@code drain}
     * and {@code receive} may be mixed; each message goes to exactly one of them, in order.
     *
     * @return how many messages the handler was given; 0 when none came within {@code timeout}
     * @throws InterruptedException when the waiting thread is interrupted
     * @throws IpcClosedException when the pipe is closed
     * @throws RuntimeException what the handler threw: that message counts as taken, later ones
     *         stay for the next call
     */
    public int drain(PipeMessageHandler handler, int limit, Duration timeout) throws InterruptedException {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1, was " + limit);
        }
        if (this.closed) {
            throw new IpcClosedException("Pipe '" + this.name + "' is closed");
        }
        if (this.options.wireFormat() == PipeWireFormat.RAW && !this.rawReceiving) {
            this.rawReceiving = true;
        }
        PayloadDrain drain = new PayloadDrain(handler);
        try {
            return this.inbound.drain(limit, deadline(timeout), drain);
        }
        finally {
            PipeConnection last = drain.lastConnection;
            if (last != null) {
                last.settledBatchEnd();
            }
        }
    }

    /** Hands payloads to the application's handler for {@link #drain}. */
    private final class PayloadDrain implements PipeInbound.DrainTarget {

        private final PipeMessageHandler handler;

        PipeConnection lastConnection;

        PayloadDrain(PipeMessageHandler handler) {
            this.handler = handler;
        }

        @Override
        public void delivered(PipeDelivery delivery) {
            byte[] payload = delivery.message().payload();
            try {
                this.handler.onMessage(ByteBuffer.wrap(payload).asReadOnlyBuffer(), 0, payload.length);
            }
            finally {
                delivery.settle();
            }
        }

        @Override
        public boolean frame(PipeConnection connection, FrameReader reader) throws IOException {
            ByteBuffer buffer = reader.frameBuffer();
            int offset = reader.frameOffset();
            int length = reader.frameLength();
            int payload = bareMessagePayload(connection, buffer, offset, length);
            if (payload < 0) {
                // an ACK, a reply, a message with headers, the first RAW frame: the general path
                PipeDelivery delivery = onFrame(connection, buffer.slice(offset, length));
                if (delivery == null) {
                    return false;
                }
                try {
                    delivered(delivery);
                }
                catch (RuntimeException ex) {
                    throw new PipeInbound.HandlerFailure(ex);
                }
                return true;
            }
            long sequence = ++connection.receivedSequence;
            this.lastConnection = connection;
            try {
                this.handler.onMessage(buffer, payload, offset + length - payload);
            }
            catch (RuntimeException ex) {
                throw new PipeInbound.HandlerFailure(ex);
            }
            finally {
                if (connection.peerWantsAcks) {
                    connection.settled(sequence, false);
                }
            }
            return true;
        }

        /**
         * The fast path of a stream of plain messages (ENVELOPE, no headers, no ACKs owed): walks
         * the frames in the read buffer directly, a few loads per message. Whatever it does not
         * recognise (a RAW pipe, an incomplete frame, a frame with headers, an ACK, a length over
         * max-message-size) is left to {@link #frame}, which handles or reports it.
         */
        @Override
        public int plainMessages(PipeConnection connection, FrameReader reader, int limit) {
            if (IpcPipe.this.options.wireFormat() == PipeWireFormat.RAW || connection.peerWantsAcks) {
                return 0;
            }
            ByteBuffer buffer = reader.readBuffer();
            int position = reader.unparsedStart();
            int end = reader.unparsedEnd();
            int max = reader.maxMessageSize();
            int handed = 0;
            try {
                while (handed < limit && end - position >= PipeFrameLayout.LENGTH_PREFIX) {
                    int body = buffer.getInt(position);
                    int start = position + PipeFrameLayout.LENGTH_PREFIX;
                    if (body < 0 || body > max || body > end - start
                            || !PipeFrameLayout.isPlainMessage(buffer, start, body)) {
                        break;
                    }
                    int payload = start + PipeFrameLayout.PLAIN_MESSAGE_HEADER;
                    position = start + body; // taken even if the handler throws
                    handed++;
                    this.handler.onMessage(buffer, payload, position - payload);
                }
            }
            catch (RuntimeException ex) {
                throw new PipeInbound.HandlerFailure(ex);
            }
            finally {
                reader.consumedTo(position);
                connection.receivedSequence += handed;
            }
            return handed;
        }

        /** @return where the payload of a plain message starts, or -1 when the frame needs decoding */
        private int bareMessagePayload(PipeConnection connection, ByteBuffer buffer, int offset, int length) {
            if (IpcPipe.this.options.wireFormat() == PipeWireFormat.RAW) {
                boolean mayBeRefusal = connection.receivedSequence == 0 && IpcPipe.this.activeRole == PipeRole.CONNECT;
                return mayBeRefusal || !IpcPipe.this.rawPendingReplies.isEmpty() ? -1 : offset;
            }
            return PipeFrameLayout.isPlainMessage(buffer, offset, length) ? offset + PipeFrameLayout.PLAIN_MESSAGE_HEADER
                    : -1;
        }
    }

    void settled(PipeDelivery delivery) {
        PipeConnection connection = delivery.connection();
        if (connection.peerWantsAcks) {
            connection.settled(delivery.sequence(), this.inbound.isDrained(connection));
        }
    }

    void redeliver(PipeDelivery delivery) {
        this.inbound.pushBack(delivery);
    }

    /** Decodes one frame; called by the reading leader. @return a delivery for receive, or null */
    private PipeDelivery onFrame(PipeConnection connection, ByteBuffer body) {
        if (this.options.wireFormat() == PipeWireFormat.RAW) {
            byte[] payload = new byte[body.remaining()];
            body.get(payload);
            if (connection.receivedSequence == 0 && this.activeRole == PipeRole.CONNECT) {
                PipeConnection.throwIfRefusal(payload);
            }
            long sequence = ++connection.receivedSequence;
            PendingReply waiting;
            synchronized (this.rawPendingReplies) {
                waiting = this.rawPendingReplies.pollFirst();
            }
            if (waiting != null) {
                waiting.future.complete(IpcMessage.of(payload));
                return null;
            }
            return new PipeDelivery(this, connection, sequence, IpcMessage.of(payload), true);
        }
        byte kind = body.get();
        if (kind == PipeFrameLayout.KIND_ACK) {
            if (body.remaining() != 8) {
                throw new IpcCorruptDataException("the peer sent an ACK record of " + (body.remaining() + 1)
                        + " bytes instead of " + PipeFrameLayout.ACK_LENGTH);
            }
            connection.onAck(body.getLong());
            return null;
        }
        if (kind != PipeFrameLayout.KIND_MESSAGE) {
            throw new IpcCorruptDataException("the peer sent a record of unknown kind " + kind);
        }
        IpcMessage message = IpcMessageCodec.decode(body);
        long sequence = ++connection.receivedSequence;
        String correlation = message.header(IpcMessage.CORRELATION_ID);
        if (correlation != null && message.header(IpcMessage.REPLY_TO) == null) {
            PendingReply pending = this.pendingReplies.remove(correlation);
            if (pending != null) {
                pending.future.complete(message);
                connection.settled(sequence, this.inbound.isDrained(connection));
                return null;
            }
        }
        return new PipeDelivery(this, connection, sequence, message, message.header(IpcMessage.REPLY_TO) != null);
    }

    // ---------------------------------------------------------------- connection life

    private void start() {
        PipeSocketFile.Endpoint endpoint;
        try {
            endpoint = this.socketFile.establish(this.options.role());
        }
        catch (IOException ex) {
            throw new IpcException("Pipe '" + this.name + "': could not bind or connect " + socketPath() + ": "
                    + ex.getMessage(), ex);
        }
        if (endpoint.server() != null) {
            becomeBinder(endpoint.server());
            startThread(this::acceptLoop, "accept");
            return;
        }
        this.activeRole = PipeRole.CONNECT;
        PipeConnection first = null;
        if (endpoint.channel() != null) {
            try {
                first = handshake(endpoint.channel(), false);
            }
            catch (IpcPipeOccupiedException ex) {
                throw new IpcPipeOccupiedException("Pipe '" + this.name + "': " + ex.getMessage());
            }
            catch (IpcAuthenticationException ex) {
                throw new IpcAuthenticationException("Pipe '" + this.name + "': " + ex.getMessage());
            }
            catch (IOException | RuntimeException ex) {
                logOnce(Level.WARNING, "the handshake with the peer failed: " + describe(ex) + "; retrying");
            }
        }
        // installed here, so that open returns connected when the peer is there
        PipeConnection initial = first != null && install(first) ? first : null;
        startThread(() -> connectLoop(initial), "connect");
    }

    private void becomeBinder(ServerSocketChannel bound) {
        this.server = bound;
        this.activeRole = PipeRole.BIND;
        if (this.closed) {
            closeQuietly(bound);
        }
    }

    /** Reads from {@code installed} (may be null), then reconnects for as long as the pipe is open. */
    private void connectLoop(PipeConnection installed) {
        if (installed != null) {
            this.inbound.serveInBackground(installed);
        }
        long backoff = this.options.reconnectMinBackoff().toNanos();
        PipeConnection connection = null;
        while (!this.closed) {
            if (connection == null) {
                try {
                    PipeSocketFile.Endpoint endpoint = this.socketFile.establish(
                            this.options.role() == PipeRole.CONNECT ? PipeRole.CONNECT : PipeRole.AUTO);
                    if (endpoint.server() != null) {
                        becomeBinder(endpoint.server());
                        LOG.log(Level.INFO, "Pipe '" + this.name + "': the binding process is gone; this process"
                                + " now listens on " + socketPath());
                        acceptLoop();
                        return;
                    }
                    if (endpoint.channel() != null) {
                        connection = handshake(endpoint.channel(), false);
                    }
                }
                catch (IpcPipeOccupiedException ex) {
                    if (this.refusal == null) {
                        LOG.log(Level.WARNING, "Pipe '" + this.name + "': " + ex.getMessage());
                    }
                    this.refusal = new IpcPipeOccupiedException("Pipe '" + this.name + "': " + ex.getMessage());
                    signalState();
                }
                catch (IOException | RuntimeException ex) {
                    if (!this.closed) {
                        logOnce(Level.WARNING, "could not connect to the peer: " + describe(ex) + "; retrying");
                    }
                }
                if (connection == null) {
                    pause(backoff);
                    backoff = Math.min(backoff * 2, this.options.reconnectMaxBackoff().toNanos());
                    continue;
                }
            }
            backoff = this.options.reconnectMinBackoff().toNanos();
            if (install(connection)) {
                this.inbound.serveInBackground(connection);
            }
            connection = null;
        }
    }

    private void acceptLoop() {
        ServerSocketChannel listening = this.server;
        while (!this.closed) {
            SocketChannel channel;
            try {
                channel = listening.accept();
            }
            catch (IOException ex) {
                if (!this.closed) {
                    LOG.log(Level.WARNING, "Pipe '" + this.name + "': accepting on " + socketPath() + " failed: "
                            + ex.getMessage());
                    pause(TimeUnit.MILLISECONDS.toNanos(100));
                }
                continue;
            }
            if (this.pendingHandshakes.incrementAndGet() > MAX_PENDING_HANDSHAKES) {
                this.pendingHandshakes.decrementAndGet();
                closeQuietly(channel);
                LOG.log(Level.WARNING, "Pipe '" + this.name + "': closed a connection attempt at once: "
                        + MAX_PENDING_HANDSHAKES + " others are still in their handshake (each has up to ipc.pipes."
                        + this.name + ".handshake-timeout)");
                continue;
            }
            try {
                startThread(() -> admit(channel), "handshake");
            }
            catch (RuntimeException | Error ex) {
                this.pendingHandshakes.decrementAndGet();
                closeQuietly(channel);
                throw ex;
            }
        }
    }

    /**
     * Runs on a thread of its own per connection attempt, so that one that stalls its handshake
     * delays no other; after a successful handshake the same thread serves the connection.
     */
    private void admit(SocketChannel channel) {
        PipeConnection connection;
        try {
            if (!awaitVacancy()) {
                refuse(channel);
                return;
            }
            try {
                connection = handshake(channel, true);
            }
            catch (IOException | RuntimeException ex) {
                closeQuietly(channel);
                if (!this.closed) {
                    LOG.log(Level.WARNING, "Pipe '" + this.name + "': refused a connecting peer: " + describe(ex)
                            + "; still waiting for a proper peer");
                }
                return;
            }
        }
        finally {
            this.pendingHandshakes.decrementAndGet();
        }
        if (install(connection)) {
            Thread.currentThread().setName("ipc-pipe-" + this.name + "-reader-" + connection.generation);
            this.inbound.serveInBackground(connection);
        }
    }

    private boolean awaitVacancy() {
        long deadline = System.nanoTime() + VACANCY_GRACE_NANOS;
        this.stateLock.lock();
        try {
            while (isConnected()) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    return false;
                }
                this.stateChanged.awaitNanos(remaining);
            }
            return true;
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return false;
        }
        finally {
            this.stateLock.unlock();
        }
    }

    private void refuse(SocketChannel channel) {
        String reason = "pipe '" + this.name + "' at " + socketPath() + " already has two ends connected;"
                + " a pipe connects exactly two processes (use a queue for more)";
        try {
            byte[] text = reason.getBytes(StandardCharsets.UTF_8);
            byte[] body = new byte[PipeFrameLayout.REFUSED.length + text.length];
            System.arraycopy(PipeFrameLayout.REFUSED, 0, body, 0, PipeFrameLayout.REFUSED.length);
            System.arraycopy(text, 0, body, PipeFrameLayout.REFUSED.length, text.length);
            HandshakeFrames.write(channel, body);
        }
        catch (IOException ignored) {
            // it is refused either way
        }
        finally {
            closeQuietly(channel);
        }
        LOG.log(Level.WARNING, "Pipe '" + this.name + "': refused a third process: the pipe already has two ends");
    }

    /**
     * Authenticates the peer and agrees on the format, within handshake-timeout: a watchdog closes
     * the socket when the peer stalls, which ends any blocking read.
     */
    private PipeConnection handshake(SocketChannel channel, boolean asBinder) throws IOException {
        AtomicInteger phase = new AtomicInteger(); // 0 running, 1 finished, 2 timed out
        Duration timeout = this.options.handshakeTimeout();
        CompletableFuture.delayedExecutor(timeout.toNanos(), TimeUnit.NANOSECONDS).execute(() -> {
            if (phase.compareAndSet(0, 2)) {
                closeQuietly(channel);
            }
        });
        try {
            String peerUser = PeerCredentialCheck.peerUser(channel);
            String refusedUser = this.credentialCheck.refusalReason(peerUser);
            if (refusedUser != null) {
                throw new IpcAuthenticationException(refusedUser.replace("<name>", this.name));
            }
            if (this.options.hasAuthkey()) {
                if (asBinder) {
                    PipeAuthentication.deliverChallenge(channel, this.options.authkeyInternal());
                    PipeAuthentication.answerChallenge(channel, this.options.authkeyInternal());
                }
                else {
                    PipeAuthentication.answerChallenge(channel, this.options.authkeyInternal());
                    PipeAuthentication.deliverChallenge(channel, this.options.authkeyInternal());
                }
            }
            boolean peerWantsAcks = false;
            if (this.options.wireFormat() == PipeWireFormat.ENVELOPE) {
                HandshakeFrames.write(channel, hello());
                byte[] hello = HandshakeFrames.read(channel, PipeFrameLayout.MAX_AUTH_FRAME, "hello");
                PipeConnection.throwIfRefusal(hello);
                peerWantsAcks = (checkHello(hello) & PipeFrameLayout.FLAG_CONFIRM) != 0;
            }
            if (!phase.compareAndSet(0, 1)) {
                throw new IOException("timed out");
            }
            return new PipeConnection(channel, this.options, this.name, this.generations.incrementAndGet(),
                    peerUser, peerWantsAcks);
        }
        catch (IOException | RuntimeException ex) {
            boolean timedOut = !phase.compareAndSet(0, 1) && phase.get() == 2;
            closeQuietly(channel);
            if (timedOut) {
                throw new IpcException("the handshake did not finish within " + timeout + " (ipc.pipes." + this.name
                        + ".handshake-timeout)", ex);
            }
            throw ex;
        }
    }

    private byte[] hello() {
        ByteBuffer hello = ByteBuffer.allocate(PipeFrameLayout.HELLO_LENGTH);
        hello.putInt(PipeFrameLayout.HELLO_MAGIC).put((byte) PipeFrameLayout.VERSION)
                .put((byte) (this.options.confirmDelivery() ? PipeFrameLayout.FLAG_CONFIRM : 0)).putShort((short) 0);
        return hello.array();
    }

    /** @return the peer's flags */
    private int checkHello(byte[] hello) {
        if (PipeFrameLayout.startsWith(hello, PipeFrameLayout.CHALLENGE)) {
            throw new IpcAuthenticationException("the peer requires an authkey and this end has none; set the same"
                    + " ipc.pipes." + this.name + ".authkey on both ends");
        }
        if (hello.length < PipeFrameLayout.HELLO_LENGTH || ByteBuffer.wrap(hello).getInt() != PipeFrameLayout.HELLO_MAGIC) {
            throw new IpcCorruptDataException("the peer sent no pipe hello: it is not a spring-ipc pipe end in"
                    + " ENVELOPE format (for a foreign peer such as Python set ipc.pipes." + this.name
                    + ".wire-format=RAW), or its authkey setting differs");
        }
        int version = hello[PipeFrameLayout.HELLO_VERSION_OFFSET] & 0xFF;
        if (version != PipeFrameLayout.VERSION) {
            throw new IpcCorruptDataException("the peer speaks pipe wire version " + version + ", this process "
                    + PipeFrameLayout.VERSION + "; use the same library version on both ends");
        }
        return hello[PipeFrameLayout.HELLO_FLAGS_OFFSET] & 0xFF;
    }

    private boolean install(PipeConnection connection) {
        long count;
        this.stateLock.lock();
        try {
            if (this.closed) {
                connection.close("the pipe is closed");
                return false;
            }
            if (isConnected()) {
                // two connection attempts finished their handshakes at the same time: the first one won
                connection.close("the pipe already has a peer");
                LOG.log(Level.WARNING, "Pipe '" + this.name + "': closed a second peer that connected while the"
                        + " first one's handshake finished; a pipe connects exactly two processes");
                return false;
            }
            this.current = connection;
            this.refusal = null;
            connection.writer.onFlusherFailure(
                    ex -> lost(connection, "writing failed: " + describe(ex), Level.INFO));
            count = this.established.incrementAndGet();
            this.stateChanged.signalAll();
            this.inbound.connected(connection);
        }
        finally {
            this.stateLock.unlock();
        }
        LOG.log(Level.INFO, "Pipe '" + this.name + "': connected to its peer (user " + connection.peerUser + ") as the "
                + (this.activeRole == PipeRole.BIND ? "binding" : "connecting") + " end"
                + (count > 1 ? " (reconnect " + (count - 1) + ")" : ""));
        return true;
    }

    /** Reading {@code connection} ended (called by whichever thread was reading): say why, once. */
    private void readEnded(PipeConnection connection, Throwable cause) {
        String reason;
        Level level = Level.WARNING;
        if (cause instanceof FrameReader.ConnectionEndedException) {
            reason = "the peer closed the connection";
            level = Level.INFO;
        }
        else if (cause instanceof IpcPipeOccupiedException ex) {
            this.refusal = new IpcPipeOccupiedException("Pipe '" + this.name + "': " + ex.getMessage());
            reason = "refused: " + ex.getMessage();
        }
        else if (this.closed || connection.isClosed()) {
            reason = connection.closeReason();
            level = Level.DEBUG;
        }
        else if (cause instanceof IOException) {
            reason = "the connection failed (" + cause.getMessage() + ")";
            level = Level.INFO;
        }
        else {
            reason = describe(cause);
        }
        lost(connection, reason, level);
    }

    private void lost(PipeConnection connection, String reason, Level level) {
        boolean wasCurrent;
        this.stateLock.lock();
        try {
            wasCurrent = this.current == connection;
            if (wasCurrent) {
                this.current = null;
                this.stateChanged.signalAll();
            }
        }
        finally {
            this.stateLock.unlock();
        }
        connection.close(reason);
        IpcException failure = this.closed ? new IpcClosedException("Pipe '" + this.name + "' is closed")
                : new IpcException("Pipe '" + this.name + "': the peer went away before replying (" + reason + ")");
        for (PendingReply pending : this.pendingReplies.values()) {
            if (pending.connection == connection) {
                pending.future.completeExceptionally(failure);
            }
        }
        synchronized (this.rawPendingReplies) {
            for (Iterator<PendingReply> it = this.rawPendingReplies.iterator(); it.hasNext();) {
                PendingReply pending = it.next();
                if (pending.connection == connection) {
                    pending.future.completeExceptionally(failure);
                    it.remove();
                }
            }
        }
        this.inbound.disconnected(connection);
        if (wasCurrent && !this.closed) {
            LOG.log(level, "Pipe '" + this.name + "': closed the connection to its peer: " + reason
                    + "; waiting for a peer");
        }
    }

    /** Closes this end: the peer sees the connection end; a socket file this end bound is removed. */
    @Override
    public void close() {
        this.stateLock.lock();
        try {
            if (this.closed) {
                return;
            }
            this.closed = true;
            this.stateChanged.signalAll();
        }
        finally {
            this.stateLock.unlock();
        }
        ServerSocketChannel listening = this.server;
        if (listening != null) {
            closeQuietly(listening);
        }
        PipeConnection connection = this.current;
        if (connection != null) {
            connection.writer.drain(TimeUnit.SECONDS.toNanos(1));
            lost(connection, "this process closed the pipe", Level.DEBUG);
        }
        this.inbound.close();
        IpcClosedException closedException = new IpcClosedException("Pipe '" + this.name + "' is closed");
        this.pendingReplies.values().forEach(p -> p.future.completeExceptionally(closedException));
        synchronized (this.rawPendingReplies) {
            this.rawPendingReplies.forEach(p -> p.future.completeExceptionally(closedException));
            this.rawPendingReplies.clear();
        }
        this.inbound.wakeAll();
        this.socketFile.close();
    }

    // ---------------------------------------------------------------- helpers

    private void startThread(Runnable body, String role) {
        Thread thread = new Thread(body, "ipc-pipe-" + this.name + "-" + role);
        thread.setDaemon(true);
        thread.start();
    }

    private void pause(long nanos) {
        this.stateLock.lock();
        try {
            if (!this.closed) {
                this.stateChanged.awaitNanos(nanos);
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        finally {
            this.stateLock.unlock();
        }
    }

    private void signalState() {
        this.stateLock.lock();
        try {
            this.stateChanged.signalAll();
        }
        finally {
            this.stateLock.unlock();
        }
    }

    private String lastLogged;

    /** Logs a retry problem once until it changes, so a peer that stays away does not flood the log. */
    private void logOnce(Level level, String what) {
        if (!what.equals(this.lastLogged)) {
            this.lastLogged = what;
            LOG.log(level, "Pipe '" + this.name + "': " + what);
        }
    }

    private static String describe(Throwable ex) {
        String message = ex.getMessage();
        return message == null ? ex.getClass().getSimpleName() : message;
    }

    private static void closeQuietly(java.io.Closeable closeable) {
        try {
            closeable.close();
        }
        catch (IOException ignored) {
            // nothing more to do
        }
    }

    @Override
    public String toString() {
        return "IpcPipe[" + this.name + ", " + state() + ", " + socketPath() + "]";
    }

    /** A request waiting for its reply, and the connection it went out on. */
    private static final class PendingReply {

        final CompletableFuture<IpcMessage> future = new CompletableFuture<>();

        volatile PipeConnection connection;
    }
}

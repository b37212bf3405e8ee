package io.github.springipc.test;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import io.github.springipc.transport.IpcChannel;
import io.github.springipc.transport.IpcClosedException;
import io.github.springipc.transport.IpcDelivery;
import io.github.springipc.transport.IpcException;
import io.github.springipc.transport.IpcMessage;
import io.github.springipc.transport.IpcTimeoutException;

/**
 * An {@link IpcChannel} inside one JVM, for tests: register it as a bean named like the channel
 * and {@code IpcTemplate} reaches your {@code @IpcListener} in-process, with the same
 * conversion, replies, retries and dead-lettering as over a real channel.
 *
 * <pre>{@code
 * @TestConfiguration
 * class IpcTestChannels {
 *     @Bean
 *     InMemoryIpcChannel control() { return new InMemoryIpcChannel("control"); }
 * }
 *
 * @Autowired IpcTemplate ipcTemplate;
 *
 * @Test
 * void answersStatus() {
 *     assertThat(ipcTemplate.convertSendAndReceive("control", "status", String.class)).isEqualTo("ok:status");
 * }
 * }</pre>
 *
 * <p>Messages are kept in order; a {@linkplain IpcDelivery#release() released} message goes back
 * to the head with its delivery attempt increased. A test can also {@link #receive} from it
 * directly (for example from a dead-letter channel) and read the settle counters.
 */
public class InMemoryIpcChannel implements IpcChannel {

    private final String name;

    private final LinkedBlockingDeque<Entry> messages;

    private final Map<String, CompletableFuture<IpcMessage>> pendingReplies = new ConcurrentHashMap<>();

    private final AtomicLong acknowledged = new AtomicLong();

    private final AtomicLong released = new AtomicLong();

    private volatile boolean closed;

    /** An unbounded channel. */
    public InMemoryIpcChannel(String name) {
        this(name, Integer.MAX_VALUE);
    }

    /** A channel holding at most {@code capacity} messages; a send to a full channel waits, then times out. */
    public InMemoryIpcChannel(String name, int capacity) {
        this.name = name;
        this.messages = new LinkedBlockingDeque<>(capacity);
    }

    @Override
    public String name() {
        return this.name;
    }

    @Override
    public void send(IpcMessage message, Duration timeout) {
        enqueue(new Entry(message, 1, null), timeout);
    }

    @Override
    public IpcMessage request(IpcMessage message, Duration timeout) {
        String correlationId = message.header(IpcMessage.CORRELATION_ID);
        if (correlationId == null) {
            correlationId = UUID.randomUUID().toString();
        }
        CompletableFuture<IpcMessage> reply = new CompletableFuture<>();
        this.pendingReplies.put(correlationId, reply);
        try {
            IpcMessage request = message.withHeader(IpcMessage.CORRELATION_ID, correlationId)
                    .withHeader(IpcMessage.REPLY_TO, this.name);
            enqueue(new Entry(request, 1, correlationId), timeout);
            return reply.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        }
        catch (TimeoutException ex) {
            throw new IpcTimeoutException("No reply on in-memory channel '" + this.name + "' within "
                    + timeout.toMillis() + " ms");
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IpcException("Interrupted while waiting for a reply on '" + this.name + "'", ex);
        }
        catch (ExecutionException ex) {
            throw new IpcException("Reply failed on '" + this.name + "'", ex.getCause());
        }
        finally {
            this.pendingReplies.remove(correlationId);
        }
    }

    @Override
    public IpcDelivery receive(Duration timeout) throws InterruptedException {
        checkOpen();
        Entry entry = this.messages.pollFirst(timeout.toNanos(), TimeUnit.NANOSECONDS);
        return (entry != null) ? new InMemoryDelivery(entry) : null;
    }

    @Override
    public void close() {
        this.closed = true;
    }

    /** Messages waiting to be received. */
    public int size() {
        return this.messages.size();
    }

    /** How many deliveries were acknowledged. */
    public long acknowledgedCount() {
        return this.acknowledged.get();
    }

    /** How many deliveries were released (handed back unprocessed). */
    public long releasedCount() {
        return this.released.get();
    }

    private void enqueue(Entry entry, Duration timeout) {
        checkOpen();
        try {
            if (!this.messages.offerLast(entry, timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                throw new IpcTimeoutException("In-memory channel '" + this.name + "' is full ("
                        + this.messages.size() + " messages); no room within " + timeout.toMillis() + " ms");
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IpcException("Interrupted while sending to '" + this.name + "'", ex);
        }
    }

    private void checkOpen() {
        if (this.closed) {
            throw new IpcClosedException("In-memory channel '" + this.name + "' is closed");
        }
    }

    private record Entry(IpcMessage message, int attempt, String correlationId) {
    }

    private final class InMemoryDelivery implements IpcDelivery {

        private final Entry entry;

        private final AtomicBoolean settled = new AtomicBoolean();

        InMemoryDelivery(Entry entry) {
            this.entry = entry;
        }

        @Override
        public IpcMessage message() {
            return this.entry.message();
        }

        @Override
        public int deliveryAttempt() {
            return this.entry.attempt();
        }

        @Override
        public boolean expectsReply() {
            return this.entry.correlationId() != null;
        }

        @Override
        public void reply(IpcMessage reply) {
            if (!expectsReply()) {
                throw new IllegalStateException("The message on '" + name + "' is not a request");
            }
            CompletableFuture<IpcMessage> future = pendingReplies.get(this.entry.correlationId());
            if (future != null) {   // null: the requester already gave up
                future.complete(reply.withHeader(IpcMessage.CORRELATION_ID, this.entry.correlationId()));
            }
        }

        @Override
        public void acknowledge() {
            settle();
            acknowledged.incrementAndGet();
        }

        @Override
        public void release() {
            settle();
            released.incrementAndGet();
            messages.offerFirst(new Entry(this.entry.message(), this.entry.attempt() + 1, this.entry.correlationId()));
        }

        private void settle() {
            if (!this.settled.compareAndSet(false, true)) {
                throw new IllegalStateException("Delivery on '" + name + "' was already settled");
            }
        }
    }
}

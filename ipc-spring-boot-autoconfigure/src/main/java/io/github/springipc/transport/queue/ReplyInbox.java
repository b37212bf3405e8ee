package io.github.springipc.transport.queue;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.github.springipc.transport.IpcDelivery;
import io.github.springipc.transport.IpcException;
import io.github.springipc.transport.IpcMessage;
import io.github.springipc.transport.IpcTimeoutException;
import io.github.springipc.transport.liveness.ProcessIdentity;

/**
 * Where replies to one attachment's requests arrive: a private queue
 * {@code <name>.reply-<pid>-<start>-<n>} that this process creates, names in
 * {@link IpcMessage#REPLY_TO}, reads on one daemon thread and deletes on close. Reply queues of
 * processes that died are deleted when the next one is created.
 */
final class ReplyInbox implements AutoCloseable {

    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final IpcQueue replies;

    private final Path directory;

    private final Map<String, CompletableFuture<IpcMessage>> pending = new ConcurrentHashMap<>();

    private final AtomicLong ids = new AtomicLong();

    private final Thread reader;

    private volatile boolean closed;

    private ReplyInbox(IpcQueue replies, Path directory) {
        this.replies = replies;
        this.directory = directory;
        this.reader = new Thread(this::readReplies, "ipc-queue-" + replies.name());
        this.reader.setDaemon(true);
        this.reader.start();
    }

    static ReplyInbox create(Path directory, String queueName, QueueOptions options) {
        deleteStaleReplyQueues(directory, queueName);
        String name = queueName + ".reply-" + ProcessIdentity.current().fileNameToken() + "-"
                + INSTANCES.incrementAndGet();
        QueueOptions replyOptions = options.toBuilder().waitStrategy(WaitStrategy.BLOCKING).slots(16).build();
        return new ReplyInbox(IpcQueue.open(directory, name, replyOptions), directory);
    }

    IpcMessage request(IpcQueue requests, IpcMessage message, Duration timeout) {
        String correlationId = this.replies.name() + ":" + this.ids.incrementAndGet();
        CompletableFuture<IpcMessage> reply = new CompletableFuture<>();
        this.pending.put(correlationId, reply);
        try {
            requests.send(message.withHeader(IpcMessage.CORRELATION_ID, correlationId)
                    .withHeader(IpcMessage.REPLY_TO, this.replies.name()), timeout);
            return reply.get(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS);
        }
        catch (TimeoutException ex) {
            throw new IpcTimeoutException("No reply to a request on queue '" + requests.name() + "' within " + timeout
                    + " (correlation id " + correlationId + "); is a consumer running and replying?");
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IpcException("Interrupted while waiting for a reply on queue '" + requests.name() + "'", ex);
        }
        catch (ExecutionException ex) {
            throw new IpcException("Request on queue '" + requests.name() + "' failed: " + ex.getCause(), ex.getCause());
        }
        finally {
            this.pending.remove(correlationId);
        }
    }

    private void readReplies() {
        while (!this.closed) {
            try {
                IpcDelivery delivery = this.replies.receive(Duration.ofMillis(500));
                if (delivery == null) {
                    continue;
                }
                String id = delivery.message().header(IpcMessage.CORRELATION_ID);
                CompletableFuture<IpcMessage> waiting = id == null ? null : this.pending.remove(id);
                if (waiting != null) {
                    waiting.complete(delivery.message());
                }
                delivery.acknowledge(); // a late reply to a request that timed out is dropped
            }
            catch (InterruptedException ex) {
                return;
            }
            catch (RuntimeException ex) {
                if (this.closed) {
                    return;
                }
            }
        }
    }

    /** Deletes reply queues (and their side files) of processes that are no longer running. */
    static void deleteStaleReplyQueues(Path directory, String queueName) {
        String prefix = queueName + ".reply-";
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, prefix + "*")) {
            for (Path file : files) {
                String fileName = file.getFileName().toString();
                int end = fileName.indexOf(".queue");
                if (end < 0) {
                    continue;
                }
                String token = fileName.substring(prefix.length(), end);
                int lastDash = token.lastIndexOf('-');
                Optional<ProcessIdentity> owner = lastDash < 0 ? Optional.empty()
                        : ProcessIdentity.parseFileNameToken(token.substring(0, lastDash));
                if (owner.isPresent() && !owner.get().isAlive()) {
                    Files.deleteIfExists(file);
                }
            }
        }
        catch (IOException ex) {
            // stale files only cost disk space; never fail a request for them
        }
    }

    @Override
    public void close() {
        this.closed = true;
        this.reader.interrupt();
        try {
            this.reader.join(2_000);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        String name = this.replies.name();
        this.replies.close();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(this.directory, name + ".queue*")) {
            for (Path file : files) {
                Files.deleteIfExists(file);
            }
        }
        catch (IOException ignored) {
            // a leftover is deleted as stale by the next requester
        }
        this.pending.values().forEach(f -> f.completeExceptionally(new IpcException("Queue '" + name + "' closed")));
    }
}

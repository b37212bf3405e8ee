package io.github.springipc.transport.queue;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import io.github.springipc.transport.IpcDelivery;
import io.github.springipc.transport.IpcMessage;

/** A record claimed by this process from {@link IpcQueue#receive}; holds the claim until settled. */
final class QueueDelivery implements IpcDelivery {

    private static final VarHandle SETTLED;

    static {
        try {
            SETTLED = MethodHandles.lookup().findVarHandle(QueueDelivery.class, "settled", boolean.class);
        }
        catch (ReflectiveOperationException ex) {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final IpcQueue queue;

    private final long position;

    private final long claim;

    private final IpcMessage message;

    /** Set once by the first settlement, through {@link #SETTLED} (no AtomicBoolean per message). */
    @SuppressWarnings("unused")
    private volatile boolean settled;

    QueueDelivery(IpcQueue queue, long position, long claim, IpcMessage message) {
        this.queue = queue;
        this.position = position;
        this.claim = claim;
        this.message = message;
    }

    @Override
    public IpcMessage message() {
        return this.message;
    }

    @Override
    public int deliveryAttempt() {
        return QueueLayout.attempt(this.claim);
    }

    @Override
    public boolean expectsReply() {
        return this.message.header(IpcMessage.REPLY_TO) != null;
    }

    @Override
    public void reply(IpcMessage reply) {
        String replyTo = this.message.header(IpcMessage.REPLY_TO);
        if (replyTo == null) {
            throw new IllegalStateException("The message from queue '" + this.queue.name()
                    + "' was sent without a reply address (use IpcChannel.request to expect a reply)");
        }
        this.queue.sendReply(replyTo, this.message.header(IpcMessage.CORRELATION_ID), reply);
    }

    @Override
    public void acknowledge() {
        settle();
        this.queue.acknowledge(this.position, this.claim);
    }

    @Override
    public void release() {
        settle();
        this.queue.release(this.position, this.claim);
    }

    private void settle() {
        if (!SETTLED.compareAndSet(this, false, true)) {
            throw new IllegalStateException("Delivery from queue '" + this.queue.name() + "' was already settled");
        }
    }

    @Override
    public String toString() {
        return "QueueDelivery[" + this.queue.name() + "@" + this.position + ", attempt " + deliveryAttempt() + "]";
    }
}

package io.github.springipc.transport.pipe;

import io.github.springipc.transport.IpcDelivery;
import io.github.springipc.transport.IpcMessage;

/** A message received over a pipe. A pipe can not redeliver to another process: see {@link #release()}. */
final class PipeDelivery implements IpcDelivery {

    private final IpcPipe pipe;

    private final PipeConnection connection;

    private final long sequence;

    private final IpcMessage message;

    private final boolean expectsReply;

    private boolean settled;

    PipeDelivery(IpcPipe pipe, PipeConnection connection, long sequence, IpcMessage message, boolean expectsReply) {
        this.pipe = pipe;
        this.connection = connection;
        this.sequence = sequence;
        this.message = message;
        this.expectsReply = expectsReply;
    }

    PipeConnection connection() {
        return this.connection;
    }

    @Override
    public IpcMessage message() {
        return this.message;
    }

    @Override
    public int deliveryAttempt() {
        return 1;
    }

    /**
     * For an {@link PipeWireFormat#ENVELOPE} pipe: whether the sender used {@code request}. For
     * {@link PipeWireFormat#RAW} always {@code true}: a foreign peer's protocol decides, and a
     * reply is simply a message back.
     */
    @Override
    public boolean expectsReply() {
        return this.expectsReply;
    }

    @Override
    public void reply(IpcMessage reply) {
        if (!this.expectsReply) {
            throw new IllegalStateException("Pipe '" + this.pipe.name() + "': the sender of this message did not"
                    + " send a request and expects no reply");
        }
        this.pipe.sendReply(this.message, reply);
    }

    @Override
    public void acknowledge() {
        settle();
    }

    /** Hands the message to the next {@code receive} of this process. */
    @Override
    public void release() {
        this.pipe.redeliver(this);
    }

    void settle() {
        if (!this.settled) {
            this.settled = true;
            this.pipe.settled(this);
        }
    }

    long sequence() {
        return this.sequence;
    }
}

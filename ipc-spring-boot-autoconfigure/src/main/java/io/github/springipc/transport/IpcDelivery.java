package io.github.springipc.transport;

/**
 * One received message, held by its consumer until settled. Exactly one of
 * {@link #acknowledge()} or {@link #release()} must be called.
 */
public interface IpcDelivery {

    /** The message. */
    IpcMessage message();

    /**
     * How many times this message has been delivered, this time included: 1 on the first
     * delivery, more after its consumer died or released it.
     */
    int deliveryAttempt();

    /** Whether the sender waits for a reply (it used {@link IpcChannel#request}). */
    boolean expectsReply();

    /**
     * Sends the reply to the requester. Call before {@link #acknowledge()}.
     *
     * @throws IllegalStateException when the sender does not expect a reply
     */
    void reply(IpcMessage reply);

    /** The message was handled (or its failure was dealt with): it leaves the channel. */
    void acknowledge();

    /**
     * The message was not handled and should be delivered again, to this or another consumer
     * (used on shutdown). Channels that can not redeliver (a pipe) hand it to the next
     * {@code receive} of this process.
     */
    void release();
}

package io.github.springipc.listener;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import io.github.springipc.messaging.IpcChannelResolver;
import io.github.springipc.messaging.IpcHeaders;
import io.github.springipc.transport.IpcChannel;
import io.github.springipc.transport.IpcMessage;

/**
 * Sends a failed message to a dead-letter channel: the original payload and headers unchanged
 * (no re-conversion), plus {@link IpcHeaders#EXCEPTION_CLASS},
 * {@link IpcHeaders#EXCEPTION_MESSAGE}, {@link IpcHeaders#ORIGINAL_CHANNEL},
 * {@link IpcHeaders#LISTENER_ID} and {@link #FAILED_ATTEMPTS} (how often the listener tried).
 * The reply-to header is dropped: nobody waits on the dead letter.
 */
public class DeadLetterPublisher {

    /** Header on a dead letter: how many times the listener was given the message. */
    public static final String FAILED_ATTEMPTS = IpcHeaders.PREFIX + "failedAttempts";

    /** Exception messages are cut to this many characters to keep headers small. */
    public static final int MAX_EXCEPTION_MESSAGE_LENGTH = 1024;

    private final IpcChannelResolver channelResolver;

    private final Duration sendTimeout;

    public DeadLetterPublisher(IpcChannelResolver channelResolver, Duration sendTimeout) {
        this.channelResolver = channelResolver;
        this.sendTimeout = sendTimeout;
    }

    /**
     * Publishes the failed message.
     *
     * @param deadLetterChannel where to
     * @param failed the message as received
     * @param originalChannel the channel it was received from
     * @param listenerId the listener that failed
     * @param error the listener's exception
     * @param attempts how many times the listener was given the message
     */
    public void publish(String deadLetterChannel, IpcMessage failed, String originalChannel, String listenerId,
            Throwable error, int attempts) {
        Map<String, String> headers = new LinkedHashMap<>(failed.headers());
        headers.remove(IpcHeaders.REPLY_TO);
        headers.put(IpcHeaders.EXCEPTION_CLASS, error.getClass().getName());
        headers.put(IpcHeaders.EXCEPTION_MESSAGE, exceptionMessage(error));
        headers.put(IpcHeaders.ORIGINAL_CHANNEL, originalChannel);
        headers.put(IpcHeaders.LISTENER_ID, listenerId);
        headers.put(FAILED_ATTEMPTS, Integer.toString(attempts));
        IpcChannel target = this.channelResolver.resolve(deadLetterChannel);
        IpcMessage deadLetter = IpcMessage.of(headers, failed.payload());
        if (this.sendTimeout != null) {
            target.send(deadLetter, this.sendTimeout);
        }
        else {
            target.send(deadLetter);
        }
    }

    /** The exception's message, cut to {@link #MAX_EXCEPTION_MESSAGE_LENGTH}; never {@code null}. */
    public static String exceptionMessage(Throwable error) {
        String message = String.valueOf(error.getMessage());
        return (message.length() <= MAX_EXCEPTION_MESSAGE_LENGTH) ? message
                : message.substring(0, MAX_EXCEPTION_MESSAGE_LENGTH) + "...";
    }
}

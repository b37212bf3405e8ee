package io.github.springipc.listener;

import org.springframework.messaging.Message;
import org.springframework.messaging.MessagingException;

/**
 * A listener's return value could not be converted or sent. Not retried: the listener method
 * already ran, and running it again would repeat its effects.
 */
public class ReplyFailureException extends MessagingException {

    private static final long serialVersionUID = 1L;

    public ReplyFailureException(Message<?> message, String description, Throwable cause) {
        super(message, description, cause);
    }
}

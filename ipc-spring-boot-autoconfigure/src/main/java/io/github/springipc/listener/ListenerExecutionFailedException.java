package io.github.springipc.listener;

import org.springframework.messaging.Message;
import org.springframework.messaging.MessagingException;

/** A listener method threw; the cause is its exception. */
public class ListenerExecutionFailedException extends MessagingException {

    private static final long serialVersionUID = 1L;

    public ListenerExecutionFailedException(Message<?> message, String description, Throwable cause) {
        super(message, description, cause);
    }
}

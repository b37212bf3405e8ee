package io.github.springipc.listener;

import org.springframework.messaging.Message;

/**
 * Per-listener error handler, named by {@code @IpcListener(errorHandler = "beanName")}. Called
 * when the listener method throws, before the container retries.
 *
 * <pre>{@code
 * @Bean
 * IpcListenerErrorHandler fallbackStatus() {
 *     return (message, ex) -> new Status("unavailable");   // becomes the reply
 * }
 * }</pre>
 */
@FunctionalInterface
public interface IpcListenerErrorHandler {

    /**
     * Handles the failure.
     *
     * @param message the message the listener was given (payload still {@code byte[]})
     * @param exception the listener's exception, wrapped
     * @return a value to send as the reply like a listener return value, or {@code null}; the
     *         message counts as handled
     * @throws Exception to fail the message: the container retries it and then takes its
     *         failure path (container error handler, dead-letter channel)
     */
    Object handleError(Message<?> message, ListenerExecutionFailedException exception) throws Exception;
}

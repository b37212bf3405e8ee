package io.github.springipc.listener;

import org.springframework.messaging.Message;

/**
 * Container-level error handler, set on the container factory: told about every message whose
 * listener failed for good (all attempts used, or a failure that is not retried), before the
 * message goes to the dead-letter channel or is logged and counted. For alerting or custom
 * bookkeeping; it cannot stop the dead-lettering, and if it throws, that is logged.
 *
 * <pre>{@code
 * factory.setErrorHandler((message, error) -> alerts.raise(
 *         message.getHeaders().get(IpcHeaders.CHANNEL), error));
 * }</pre>
 */
@FunctionalInterface
public interface IpcErrorHandler {

    /**
     * @param message the failed message (payload {@code byte[]}; headers include
     *        {@code ipc_channel}, {@code ipc_listenerId}, {@code ipc_deliveryAttempt})
     * @param error the listener's exception (unwrapped from the retry and listener wrappers)
     */
    void handleError(Message<?> message, Throwable error);
}

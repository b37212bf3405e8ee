package io.github.springipc.listener;

import io.github.springipc.transport.IpcDelivery;

import org.springframework.messaging.Message;

/**
 * Receives messages from a listener container. The container settles the delivery (acknowledge
 * or release) itself: an implementation uses it only to {@linkplain IpcDelivery#reply reply}.
 *
 * <pre>{@code
 * registrar.registerEndpoint(new SimpleIpcListenerEndpoint("audit", "audit-channel",
 *         (message, delivery) -> log.info("{}", new String((byte[]) message.getPayload()))));
 * }</pre>
 */
@FunctionalInterface
public interface IpcMessageListener {

    /**
     * Handles one message. Throwing makes the container retry and then take its failure path.
     *
     * @param message the received message (payload {@code byte[]}, headers from the wire plus
     *        {@code ipc_channel}, {@code ipc_listenerId}, {@code ipc_deliveryAttempt})
     * @param delivery the delivery, for replies only
     */
    void onMessage(Message<?> message, IpcDelivery delivery) throws Exception;
}

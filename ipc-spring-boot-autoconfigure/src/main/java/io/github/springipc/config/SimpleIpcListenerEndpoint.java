package io.github.springipc.config;

import java.util.List;

import io.github.springipc.listener.IpcListenerContainer;
import io.github.springipc.listener.IpcMessageListener;

import org.springframework.util.Assert;

/**
 * An endpoint for a listener given as code, for {@code IpcListenerConfigurer}s:
 *
 * <pre>{@code
 * @Bean
 * IpcListenerConfigurer auditListener() {
 *     return (registrar) -> registrar.registerEndpoint(new SimpleIpcListenerEndpoint("audit", "audit",
 *             (message, delivery) -> auditLog.write((byte[]) message.getPayload())));
 * }
 * }</pre>
 */
public class SimpleIpcListenerEndpoint extends AbstractIpcListenerEndpoint {

    private final IpcMessageListener messageListener;

    public SimpleIpcListenerEndpoint(String id, String channel, IpcMessageListener messageListener) {
        Assert.notNull(messageListener, "messageListener must not be null");
        setId(id);
        setChannels(List.of(channel));
        this.messageListener = messageListener;
    }

    @Override
    protected IpcMessageListener createMessageListener(IpcListenerContainer container) {
        return this.messageListener;
    }
}

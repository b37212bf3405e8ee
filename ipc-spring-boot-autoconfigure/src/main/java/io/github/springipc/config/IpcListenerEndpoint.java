package io.github.springipc.config;

import java.util.List;

import io.github.springipc.listener.IpcListenerContainer;

/**
 * What a listener container is made from: the channels, the id and the per-listener overrides
 * of the container factory's defaults ({@code null} = use the factory's). Register one with
 * {@link IpcListenerEndpointRegistrar#registerEndpoint} from an {@code IpcListenerConfigurer}.
 */
public interface IpcListenerEndpoint {

    /** Unique id of the listener (container). */
    String getId();

    /** Names of the channels to receive from; at least one. */
    List<String> getChannels();

    /** Consumer threads per channel, as text (a placeholder may have produced it), or {@code null}. */
    String getConcurrency();

    /** Whether the container starts with the context, or {@code null}. */
    Boolean getAutoStartup();

    /** Dead-letter channel name, or {@code null}. */
    String getDeadLetterChannel();

    /** Attempts per message including the first (1 = no retry), or {@code null}. */
    Integer getMaxAttempts();

    /** Gives the container its message listener. */
    void setupListenerContainer(IpcListenerContainer container);
}

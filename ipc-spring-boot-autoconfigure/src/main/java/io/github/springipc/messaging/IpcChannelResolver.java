package io.github.springipc.messaging;

import io.github.springipc.transport.IpcChannel;

/**
 * Finds the {@link IpcChannel} for a channel name, as used by {@link IpcTemplate},
 * {@code @IpcListener}, {@code @SendTo} and dead-letter publishing.
 *
 * @see BeanFactoryIpcChannelResolver
 */
@FunctionalInterface
public interface IpcChannelResolver {

    /**
     * Returns the channel with the given name.
     *
     * @throws UnknownIpcChannelException when there is no such channel; its message lists the
     *         known ones
     */
    IpcChannel resolve(String channelName);
}

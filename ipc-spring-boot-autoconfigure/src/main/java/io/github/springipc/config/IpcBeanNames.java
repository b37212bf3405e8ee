package io.github.springipc.config;

/** Bean names of the IPC infrastructure, for lookups and overrides. */
public final class IpcBeanNames {

    /** The {@code IpcListenerAnnotationBeanPostProcessor}. */
    public static final String LISTENER_ANNOTATION_PROCESSOR = "io.github.springipc.config.internalIpcListenerAnnotationProcessor";

    /** The {@link IpcListenerEndpointRegistry}. */
    public static final String ENDPOINT_REGISTRY = "io.github.springipc.config.internalIpcListenerEndpointRegistry";

    /** The default {@link IpcListenerContainerFactory}; define a bean with this name to replace it. */
    public static final String CONTAINER_FACTORY = "ipcListenerContainerFactory";

    /** The {@code MessageConverter} of the IPC layer; define a bean with this name to replace it. */
    public static final String MESSAGE_CONVERTER = "ipcMessageConverter";

    /** The default {@code IpcChannelResolver}. */
    public static final String CHANNEL_RESOLVER = "ipcChannelResolver";

    /** The default {@code IpcTemplate}. */
    public static final String TEMPLATE = "ipcTemplate";

    private IpcBeanNames() {
    }
}

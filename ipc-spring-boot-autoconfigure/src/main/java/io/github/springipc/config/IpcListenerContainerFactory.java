package io.github.springipc.config;

import io.github.springipc.listener.IpcListenerContainer;

/**
 * Creates the container for an endpoint, applying the factory's defaults and the endpoint's
 * overrides. Name one with {@code @IpcListener(containerFactory = "beanName")}; the default is
 * the bean named {@value IpcBeanNames#CONTAINER_FACTORY}.
 */
@FunctionalInterface
public interface IpcListenerContainerFactory {

    /** A new, not yet started container with the endpoint's listener set up. */
    IpcListenerContainer createListenerContainer(IpcListenerEndpoint endpoint);
}

package io.github.springipc.annotation;

import io.github.springipc.config.IpcListenerEndpointRegistrar;

/**
 * Implemented by beans that register listener endpoints in code or change the registrar's
 * defaults (container factory, argument resolution).
 *
 * <pre>{@code
 * @Bean
 * IpcListenerConfigurer auditListener() {
 *     return (registrar) -> registrar.registerEndpoint(
 *             new SimpleIpcListenerEndpoint("audit", "audit", (message, delivery) -> audit(message)));
 * }
 * }</pre>
 */
@FunctionalInterface
public interface IpcListenerConfigurer {

    /** Called once, after all singletons exist and before the listeners are registered. */
    void configureIpcListeners(IpcListenerEndpointRegistrar registrar);
}

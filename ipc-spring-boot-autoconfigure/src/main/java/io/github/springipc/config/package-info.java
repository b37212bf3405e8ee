/**
 * Listener endpoints and their life cycle: endpoint descriptions
 * ({@link io.github.springipc.config.MethodIpcListenerEndpoint} for {@code @IpcListener}
 * methods), the registrar that collects them, the registry that owns the running containers,
 * and the container factory holding the defaults.
 */
package io.github.springipc.config;

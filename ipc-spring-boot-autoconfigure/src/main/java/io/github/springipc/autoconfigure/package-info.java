/**
 * Spring Boot auto-configuration: binds {@code ipc.*}, registers one bean per configured
 * channel, the listener infrastructure, the {@code IpcTemplate}, health and metrics.
 */
package io.github.springipc.autoconfigure;

/**
 * Listener containers: threads that pull messages from an
 * {@link io.github.springipc.transport.IpcChannel}, invoke the listener with retries, and deal
 * with failures (error handlers, dead-letter channel, counting); and the adapter that invokes an
 * {@code @IpcListener} method and sends its reply.
 */
package io.github.springipc.listener;

/**
 * Spring messaging on top of the IPC channels: {@link io.github.springipc.messaging.IpcTemplate}
 * for sending and request-reply, the mapping between Spring {@code Message}s and
 * {@link io.github.springipc.transport.IpcMessage}s, header names, channel lookup, conversion
 * and observation.
 */
package io.github.springipc.messaging;

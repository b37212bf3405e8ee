/**
 * Spring-free transports: pipes over Unix domain sockets, shared-memory regions and
 * shared-memory queues, with their file, layout and liveness helpers.
 */
package io.github.springipc.transport;

/**
 * Test support for applications: an in-memory {@link io.github.springipc.transport.IpcChannel}
 * that lets a unit test drive {@code @IpcListener}s through {@code IpcTemplate} without a
 * sibling process. See {@link io.github.springipc.test.InMemoryIpcChannel}.
 */
package io.github.springipc.test;

/**
 * The shared-memory queue: {@link io.github.springipc.transport.queue.IpcQueue}, a bounded,
 * persistent, multi-producer multi-consumer, at-least-once queue in one memory-mapped file,
 * configured by {@link io.github.springipc.transport.queue.QueueOptions}. The binary layout is
 * described in {@code QueueLayout} and {@code docs/queue-layout.md}, the algorithm in
 * {@code docs/queue-design.md}. Nothing here depends on Spring.
 */
package io.github.springipc.transport.queue;

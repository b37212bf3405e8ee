/**
 * Files behind the channels: the private directory that holds sockets and regions, memory-mapped
 * region files that are created whole or not at all, and lock files whose bytes serve as
 * inter-process locks and as liveness the kernel keeps.
 */
package io.github.springipc.transport.file;

/**
 * Telling a live process from a dead one: the process id and start time that a process records
 * beside the byte it holds in a side lock file ({@code LockFile.tryHold}, which the kernel
 * releases when the process dies, even after {@code kill -9}), so that a reused process id is
 * not mistaken for the dead process.
 */
package io.github.springipc.transport.liveness;

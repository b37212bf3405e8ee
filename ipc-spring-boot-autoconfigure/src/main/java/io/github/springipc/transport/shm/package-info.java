/**
 * Shared-memory regions: named atomic values, arrays, byte slots, snapshots and locks that
 * every process on the host sees, in a memory-mapped file. Start at
 * {@link io.github.springipc.transport.shm.IpcSharedMemory}; the binary layout is in
 * {@link io.github.springipc.transport.shm.SharedRegionLayout}.
 */
package io.github.springipc.transport.shm;

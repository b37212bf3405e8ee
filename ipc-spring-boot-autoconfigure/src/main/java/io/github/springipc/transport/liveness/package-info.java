/**
 * Process liveness that the operating system keeps honest: each live process holds an
 * exclusive byte-range lock on its own byte of a side lock file, which the kernel drops when the
 * process dies (even after {@code kill -9}); the process id and start time recorded beside it
 * keep a reused process id from being mistaken for the dead process.
 */
package io.github.springipc.transport.liveness;

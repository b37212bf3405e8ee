/**
 * The benchmark harness: two-process cases, each in fresh JVMs, with baselines (raw Unix domain
 * sockets, Python multiprocessing) measured in the same run so that results read as ratios.
 */
package io.github.springipc.benchmarks;

/** JMH microbenchmarks of the hot paths, run with {@code -prof gc} to show allocation per operation. */
package io.github.springipc.benchmarks.jmh;

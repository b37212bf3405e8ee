/**
 * Starting sibling JVMs: the JVM counterpart of Python's {@code multiprocessing.Process}.
 * Used by applications that spawn their peers, by the sample and by the tests.
 */
package io.github.springipc.process;

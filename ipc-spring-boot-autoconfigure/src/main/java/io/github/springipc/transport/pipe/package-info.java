/**
 * Pipes: a duplex, ordered, framed message channel between exactly two processes over a Unix
 * domain socket, compatible with Python's {@code multiprocessing.connection}. Start with
 * {@link io.github.springipc.transport.pipe.IpcPipe} and
 * {@link io.github.springipc.transport.pipe.PipeOptions}; the bytes are described by
 * {@link io.github.springipc.transport.pipe.PipeFrameLayout} and {@code docs/pipe-wire-format.md}.
 */
package io.github.springipc.transport.pipe;

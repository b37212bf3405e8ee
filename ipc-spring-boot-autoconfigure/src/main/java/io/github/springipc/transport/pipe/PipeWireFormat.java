package io.github.springipc.transport.pipe;

/**
 * What a pipe's frames carry after the connection is set up. See {@code docs/pipe-wire-format.md}.
 */
public enum PipeWireFormat {

    /**
     * Java peers: both ends exchange a hello frame, then every frame is a typed record carrying
     * an {@link io.github.springipc.transport.IpcMessageCodec} envelope (headers and payload),
     * so requests and replies are matched by correlation id. The default.
     */
    ENVELOPE,

    /**
     * Foreign peers, such as Python's {@code multiprocessing.connection}: each frame is one
     * message's payload, nothing else. There are no headers; a request's reply is the next frame
     * that comes back (replies strictly in request order).
     */
    RAW
}

package io.github.springipc.transport.pipe;

/** Where a pipe is in its life, as health indicators and metrics show it. */
public enum PipeState {

    /** No peer is connected: the pipe listens or retries connecting; sends wait for a peer. */
    WAITING_FOR_PEER,

    /** A peer is connected and has passed authentication and the handshake. */
    CONNECTED,

    /** This process closed the pipe. */
    CLOSED
}

package io.github.springipc.transport.pipe;

/** Which end of a pipe binds its socket file and which one connects to it. */
public enum PipeRole {

    /**
     * Decide at run time: connect when a live process listens on the socket file, otherwise
     * (no file, or a file left by a dead process) bind it. The default; either process may start
     * first, and the survivor of a crash takes over the binding when needed.
     */
    AUTO,

    /** Always bind the socket file and accept the peer (needed when a foreign peer connects). */
    BIND,

    /** Always connect to a socket file bound by the peer, retrying until it is there. */
    CONNECT
}

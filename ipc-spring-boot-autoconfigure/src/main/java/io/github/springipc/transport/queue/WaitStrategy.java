package io.github.springipc.transport.queue;

/** How a consumer waits for the next message of a queue. */
public enum WaitStrategy {

    /**
     * Sleep on a doorbell (a Unix domain socket) that producers ring only while someone sleeps:
     * an idle consumer costs well under 1 % of a core and wakes within tens of microseconds.
     */
    BLOCKING,

    /**
     * Poll the queue in a tight loop: the lowest latency, at the price of a whole core per
     * waiting thread. Producers then skip the doorbell's fence.
     */
    BUSY_SPIN
}

package io.github.springipc.transport.queue;

/** How a consumer waits for the next message of a queue. */
public enum WaitStrategy {

    /**
     * Poll briefly (2 µs spinning, then yielding the core up to 50 µs in all), then sleep on a
     * doorbell (a Unix domain socket) that producers ring only while someone sleeps: a reply or
     * the next message of a conversation is usually caught while polling (microseconds), a
     * sleeping consumer wakes within tens of microseconds, and an idle consumer costs well under
     * 1 % of a core. A consumer that gets a message every few tens of microseconds polls most
     * of the time (yielding to anything else that wants the core).
     */
    BLOCKING,

    /**
     * Poll the queue in a tight loop: the lowest latency, at the price of a whole core per
     * waiting thread. The strategy is each attachment's own: producers ring the doorbells of
     * sleeping consumers whatever their own strategy (one load of a line nobody writes while
     * nobody sleeps), so a busy-spinning producer may feed blocking consumers in other processes.
     */
    BUSY_SPIN
}

package io.github.springipc.transport.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

/**
 * The producer path's lock, a primitive inside one process (the queue's behaviour between
 * processes is proven by the other queue tests, which take it on every send).
 */
class ProducerLockTest {

    private final ProducerLock lock = new ProducerLock();

    /** Written only under the lock, with a read-modify-write a lost exclusion would show. */
    private long counter;

    @Test
    void threadsTakingItInTurnNeverOverlapAndLoseNoUpdate() throws Exception {
        int threads = 4;
        int rounds = 200_000;
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            workers.add(new Thread(() -> {
                for (int i = 0; i < rounds; i++) {
                    this.lock.lock();
                    try {
                        if (inside.incrementAndGet() != 1) {
                            overlaps.incrementAndGet();
                        }
                        this.counter++;
                        inside.decrementAndGet();
                    }
                    finally {
                        this.lock.unlock();
                    }
                }
            }));
        }
        workers.forEach(Thread::start);
        for (Thread worker : workers) {
            worker.join(60_000);
            assertThat(worker.isAlive()).as("worker finished").isFalse();
        }
        assertThat(overlaps).hasValue(0);
        assertThat(this.counter).isEqualTo((long) threads * rounds);
        assertThat(this.lock.isLocked()).isFalse();
    }

    @Test
    void aWaiterThatWentToNapGetsItSoonAfterTheRelease() throws Exception {
        this.lock.lock();
        CountDownLatch acquired = new CountDownLatch(1);
        Thread waiter = new Thread(() -> {
            this.lock.lock();
            acquired.countDown();
            this.lock.unlock();
        });
        waiter.start();
        // long enough for the waiter to spin, yield and nap several times
        assertThat(acquired.await(50, TimeUnit.MILLISECONDS)).as("waiter got a held lock").isFalse();
        long released = System.nanoTime();
        this.lock.unlock();
        assertThat(acquired.await(5, TimeUnit.SECONDS)).isTrue();
        // naps are bounded: the hand-over takes at most about one nap (generous for a loaded machine)
        assertThat(System.nanoTime() - released).isLessThan(TimeUnit.SECONDS.toNanos(1));
        waiter.join(5_000);
    }

    @Test
    void askingAgainForTheLockItHoldsFailsInsteadOfWaitingForever() {
        this.lock.lock();
        try {
            org.assertj.core.api.Assertions.assertThatIllegalStateException().isThrownBy(this.lock::lock)
                    .withMessageContaining("not reentrant");
        }
        finally {
            this.lock.unlock();
        }
        this.lock.lock(); // released properly: free again
        this.lock.unlock();
    }

    @Test
    void anInterruptDoesNotEndTheWaitAndIsKeptForTheCaller() throws Exception {
        this.lock.lock();
        AtomicBoolean interruptedAfterwards = new AtomicBoolean();
        CountDownLatch acquired = new CountDownLatch(1);
        Thread waiter = new Thread(() -> {
            this.lock.lock();
            try {
                interruptedAfterwards.set(Thread.currentThread().isInterrupted());
                acquired.countDown();
            }
            finally {
                this.lock.unlock();
            }
        });
        waiter.start();
        waiter.interrupt();
        assertThat(acquired.await(100, TimeUnit.MILLISECONDS)).as("an interrupt ended the wait").isFalse();
        this.lock.unlock();
        assertThat(acquired.await(5, TimeUnit.SECONDS)).isTrue();
        waiter.join(5_000);
        assertThat(interruptedAfterwards).isTrue();
    }
}

package io.github.springipc.transport.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

/**
 * Which thread writes through which producer lane, a primitive inside one process (the
 * queue's behaviour between processes, through both lanes, is proven by the other queue tests).
 */
class ProducerLanesTest {

    private final ProducerLanes lanes = new ProducerLanes(0);

    @Test
    void theFirstProducingThreadOwnsTheLockFreeLaneAndKeepsIt() throws Exception {
        ProducerLane first = enterAndExit();
        ProducerLane again = enterAndExit();

        assertThat(this.lanes.isOwned(first)).isTrue();
        assertThat(again).isSameAs(first);
        assertThat(this.lanes.owner()).isSameAs(Thread.currentThread());
    }

    @Test
    void otherThreadsShareTheOtherLaneOneAtATime() throws Exception {
        enterAndExit(); // this thread owns lane 1
        int threads = 3;
        int rounds = 50_000;
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        AtomicInteger ownedEntries = new AtomicInteger();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            workers.add(new Thread(() -> {
                for (int i = 0; i < rounds; i++) {
                    ProducerLane lane = this.lanes.enter();
                    try {
                        if (this.lanes.isOwned(lane)) {
                            ownedEntries.incrementAndGet();
                        }
                        if (inside.incrementAndGet() != 1) {
                            overlaps.incrementAndGet();
                        }
                        inside.decrementAndGet();
                    }
                    finally {
                        this.lanes.exit(lane);
                    }
                }
            }));
        }
        workers.forEach(Thread::start);
        for (Thread worker : workers) {
            worker.join(60_000);
            assertThat(worker.isAlive()).as("worker finished").isFalse();
        }
        assertThat(ownedEntries).as("entries of lane 1 by threads that do not own it").hasValue(0);
        assertThat(overlaps).as("threads inside lane 0 at once").hasValue(0);
    }

    @Test
    void anotherThreadTakesTheLockFreeLaneOverOnceItsOwnerHasEnded() throws Exception {
        Thread first = new Thread(this::enterAndExit);
        first.start();
        first.join(10_000);
        assertThat(this.lanes.owner()).isSameAs(first);

        // the ended owner is noticed on a later entry of lane 0, at most every 256 entries
        ProducerLane lane = null;
        for (int i = 0; i < 1_000 && (lane == null || !this.lanes.isOwned(lane)); i++) {
            lane = enterAndExit();
        }

        assertThat(this.lanes.isOwned(lane)).isTrue();
        assertThat(this.lanes.owner()).isSameAs(Thread.currentThread());
    }

    @Test
    void quiesceWaitsUntilTheOwnerEndsItsOperationAndHoldsOffTheSharedLane() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        AtomicReference<ProducerLane> ownerLane = new AtomicReference<>();
        Thread owner = new Thread(() -> {
            ProducerLane lane = this.lanes.enter();
            ownerLane.set(lane);
            entered.countDown();
            try {
                finish.await(30, TimeUnit.SECONDS);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
            this.lanes.exit(lane);
        });
        owner.start();
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(this.lanes.isOwned(ownerLane.get())).isTrue();

        // own threads, not the common pool: one pool thread could quiesce and then enter lane 0
        ExecutorService closer = Executors.newSingleThreadExecutor();
        ExecutorService sender = Executors.newSingleThreadExecutor();
        try {
            Future<?> quiesced = closer.submit(this.lanes::quiesce);
            assertThat(doneWithin(quiesced, 200)).as("quiesced while the owner is inside").isFalse();

            finish.countDown();
            quiesced.get(10, TimeUnit.SECONDS);
            Future<ProducerLane> shared = sender.submit(this::enterAndExit);
            assertThat(doneWithin(shared, 200)).as("lane 0 entered while quiesced").isFalse();

            closer.submit(this.lanes::release).get(10, TimeUnit.SECONDS);
            ProducerLane lane = shared.get(10, TimeUnit.SECONDS);
            assertThat(this.lanes.isOwned(lane)).isFalse();
            owner.join(10_000);
        }
        finally {
            closer.shutdownNow();
            sender.shutdownNow();
        }
    }

    private ProducerLane enterAndExit() {
        ProducerLane lane = this.lanes.enter();
        this.lanes.exit(lane);
        return lane;
    }

    private static boolean doneWithin(Future<?> future, long millis) throws Exception {
        try {
            future.get(millis, TimeUnit.MILLISECONDS);
            return true;
        }
        catch (java.util.concurrent.TimeoutException ex) {
            return false;
        }
    }
}

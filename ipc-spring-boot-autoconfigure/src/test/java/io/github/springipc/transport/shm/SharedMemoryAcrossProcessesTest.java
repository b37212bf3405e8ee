package io.github.springipc.transport.shm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.springipc.process.SiblingJvm;

/** Shared-memory regions between this JVM and sibling JVMs. */
class SharedMemoryAcrossProcessesTest {

    private static final long SIZE = 64 * 1024;

    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private SiblingJvm startPeer(String region, boolean deleteWhenLastUserCloses) {
        SiblingJvm peer = SiblingJvm.builder(SharedMemoryPeer.class)
                .name("peer")
                .arguments(this.dir.toString(), region, Long.toString(SIZE), Boolean.toString(deleteWhenLastUserCloses))
                .start();
        peer.awaitLineContaining(SharedMemoryPeer.READY, WAIT);
        return peer;
    }

    private IpcSharedMemory open(String region) {
        return IpcSharedMemory.open(this.dir, region, SharedMemoryOptions.builder().size(SIZE).build());
    }

    @Test
    void twoProcessesIncrementingOneCounterMillionTimesEachReachExactlyTwoMillion() {
        try (IpcSharedMemory region = open("counter"); SiblingJvm peer = startPeer("counter", false)) {
            SharedLong hits = region.longValue("hits", true);
            peer.writeLine("increment hits 1000000");
            long start = System.nanoTime();
            for (int i = 0; i < 1_000_000; i++) {
                hits.incrementAndGet();
            }
            long mine = System.nanoTime() - start;
            peer.awaitLineContaining("incremented 1000000", WAIT);
            assertThat(hits.get()).isEqualTo(2_000_000L);
            System.out.printf("1 M increments in this JVM took %.1f ms (%.1f M/s) while the peer incremented too%n",
                    mine / 1e6, 1e3 / (mine / 1e6));
        }
    }

    @Test
    void twoProcessesAllocatingAtOnceGetDistinctSlotsAndShareSameNames() {
        int n = 60;
        try (IpcSharedMemory region = open("allocation"); SiblingJvm peer = startPeer("allocation", false)) {
            peer.writeLine("allocate peer " + n);
            for (int i = 0; i < n; i++) {
                region.longValue("test" + i).incrementAndGet();
                region.longValue("shared" + i).incrementAndGet();
            }
            peer.awaitLineContaining("allocated " + n, WAIT);
            assertThat(region.slotNames()).hasSize(3 * n).doesNotHaveDuplicates();
            for (int i = 0; i < n; i++) {
                assertThat(region.longValue("shared" + i).get()).as("shared%d", i).isEqualTo(2);
                assertThat(region.longValue("peer" + i).get()).as("peer%d", i).isEqualTo(1);
                assertThat(region.longValue("test" + i).get()).as("test%d", i).isEqualTo(1);
            }
        }
    }

    @Test
    void arraysWrittenByOneProcessAreReadByAnother() {
        try (IpcSharedMemory region = open("arrays"); SiblingJvm peer = startPeer("arrays", false)) {
            peer.writeLine("writeArrays");
            peer.awaitLineContaining("arrays written", WAIT);
            SharedLongArray longs = region.longArray("longs", 4);
            SharedIntArray ints = region.intArray("ints", 3);
            SharedDoubleArray doubles = region.doubleArray("doubles", 2);
            assertThat(new long[] { longs.get(0), longs.get(1), longs.get(2), longs.get(3) })
                    .containsExactly(1, -2, 3, Long.MAX_VALUE);
            assertThat(new int[] { ints.get(0), ints.get(1), ints.get(2) }).containsExactly(-1, 0, Integer.MIN_VALUE);
            assertThat(new double[] { doubles.get(0), doubles.get(1) }).containsExactly(0.5, -2.25);
        }
    }

    @Test
    void valueSetBeforeAnotherProcessAttachesIsSeenByIt() {
        try (IpcSharedMemory region = open("attach")) {
            region.longValue("config").set(42);
            try (SiblingJvm peer = startPeer("attach", false)) {
                peer.writeLine("getLong config");
                assertThat(peer.awaitLineContaining("long config", WAIT)).isEqualTo("long config 42");
            }
        }
    }

    @Test
    void lockHeldByProcessKilledWithSigkillIsAcquirableAtOnce() throws Exception {
        try (IpcSharedMemory region = open("killed")) {
            SiblingJvm peer = startPeer("killed", false);
            peer.writeLine("lock rebalance");
            peer.awaitLineContaining("locked rebalance", WAIT);
            SharedLock lock = region.lock("rebalance");
            assertThat(lock.tryLock()).isFalse();
            assertThat(lock.tryLock(50, TimeUnit.MILLISECONDS)).isFalse();

            peer.kill();
            long start = System.nanoTime();
            assertThat(lock.tryLock(5, TimeUnit.SECONDS)).isTrue();
            long waitedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            lock.unlock();
            assertThat(waitedMillis).isLessThan(1000);
        }
    }

    @Test
    void lockIsReentrantWithinThreadAndExcludesOtherProcessUntilFullyReleased() {
        try (IpcSharedMemory region = open("reentrant"); SiblingJvm peer = startPeer("reentrant", false)) {
            SharedLock lock = region.lock("guard");
            lock.lock();
            lock.lock();
            lock.unlock();
            peer.writeLine("tryLock guard");
            assertThat(peer.awaitLineContaining("tryLock guard", WAIT)).isEqualTo("tryLock guard false");
            lock.unlock();
            peer.writeLine("tryLock guard");
            assertThat(peer.awaitLineContaining("tryLock guard", WAIT)).isEqualTo("tryLock guard true");
        }
    }

    @Test
    void lockMakesPlainIncrementsOfTwoProcessesExact() {
        int each = 5_000;
        try (IpcSharedMemory region = open("mutex"); SiblingJvm peer = startPeer("mutex", false)) {
            SharedLock lock = region.lock("guard");
            SharedLong value = region.longValue("value");
            peer.writeLine("lockedIncrement guard value " + each);
            long start = System.nanoTime();
            for (int i = 0; i < each; i++) {
                SharedMemoryPeer.lockedIncrement(lock, value);
            }
            peer.awaitLineContaining("lockedIncrement done", WAIT);
            System.out.printf("%d locked increments here took %.1f ms%n", each, (System.nanoTime() - start) / 1e6);
            assertThat(value.get()).isEqualTo(2L * each);
        }
    }

    @Test
    void snapshotReaderInAnotherProcessNeverSeesTornRecord() {
        try (IpcSharedMemory region = open("snap"); SiblingJvm peer = startPeer("snap", false)) {
            SharedSnapshot snapshot = region.snapshot("status", SharedMemoryPeer.SnapshotRecords.MAX_LENGTH);
            peer.writeLine("publish status 1500");
            long reads = 0;
            long torn = 0;
            long distinct = 0;
            long lastVersion = -1;
            byte[] sample = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!peer.output().stream().anyMatch(line -> line.startsWith("published"))
                    && System.nanoTime() < deadline) {
                for (int i = 0; i < 1000; i++) {
                    long version = snapshot.version();
                    byte[] record = snapshot.read();
                    reads++;
                    if (!SharedMemoryPeer.SnapshotRecords.isWhole(record)) {
                        torn++;
                        sample = record;
                    }
                    if (version != lastVersion) {
                        distinct++;
                        lastVersion = version;
                    }
                }
            }
            peer.awaitLineContaining("published", WAIT);
            System.out.printf("%d snapshot reads, %d while the version changed, %d torn%n", reads, distinct, torn);
            assertThat(torn).as("torn records, e.g. one of %d bytes", sample == null ? 0 : sample.length).isZero();
            assertThat(distinct).as("the reader overlapped the writer").isGreaterThan(10);
            assertThat(SharedMemoryPeer.SnapshotRecords.isWhole(snapshot.read())).isTrue();
        }
    }

    @Test
    void regionIsDeletedWhenLastUserClosesButNotBefore() {
        SharedMemoryOptions options = SharedMemoryOptions.builder().size(SIZE).deleteWhenLastUserCloses(true).build();
        IpcSharedMemory region = IpcSharedMemory.open(this.dir, "temporary", options);
        Path path = region.path();
        try (SiblingJvm peer = startPeer("temporary", true)) {
            region.close();
            assertThat(path).exists();
            peer.writeLine("close");
            peer.awaitLineContaining("closed", WAIT);
            assertThat(path).doesNotExist();
            assertThat(this.dir.resolve("temporary" + IpcSharedMemory.LOCK_FILE_SUFFIX)).doesNotExist();
        }
    }

    @Test
    void processKilledWithSigkillDoesNotCountAsUser() {
        SharedMemoryOptions options = SharedMemoryOptions.builder().size(SIZE).deleteWhenLastUserCloses(true).build();
        IpcSharedMemory region = IpcSharedMemory.open(this.dir, "abandoned", options);
        SiblingJvm peer = startPeer("abandoned", true);
        peer.kill();
        region.close();
        assertThat(Files.exists(region.path())).isFalse();
    }
}

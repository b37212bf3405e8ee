package io.github.springipc.transport.shm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.springipc.transport.IpcClosedException;
import io.github.springipc.transport.IpcCorruptDataException;
import io.github.springipc.transport.IpcException;
import io.github.springipc.transport.IpcMessageTooLargeException;

/** A shared-memory region within one JVM: slots, errors, header validation and lifecycle. */
class IpcSharedMemoryTest {

    private static final SharedMemoryOptions SMALL = SharedMemoryOptions.builder().size(16 * 1024).maxSlots(16).build();

    @TempDir
    Path dir;

    private IpcSharedMemory open(String name) {
        return IpcSharedMemory.open(this.dir, name, SMALL);
    }

    @Test
    void sameNameGivesSameSlotAndNewSlotsStartAtZero() {
        try (IpcSharedMemory region = open("stats"); IpcSharedMemory other = open("stats")) {
            SharedLong hits = region.longValue("hits");
            assertThat(hits.get()).isZero();
            assertThat(region.longValue("hits")).isSameAs(hits);
            hits.addAndGet(5);
            assertThat(other.longValue("hits").incrementAndGet()).isEqualTo(6);
            assertThat(region.slotNames()).containsExactly("hits");
        }
    }

    @Test
    void valuesBehaveLikeJavaUtilConcurrentAtomics() {
        try (IpcSharedMemory region = open("atomics")) {
            SharedLong l = region.longValue("l");
            assertThat(l.getAndSet(7)).isZero();
            assertThat(l.compareAndSet(7, 8)).isTrue();
            assertThat(l.compareAndSet(7, 9)).isFalse();
            assertThat(l.getAndIncrement()).isEqualTo(8);
            assertThat(l.decrementAndGet()).isEqualTo(8);
            assertThat(l.updateAndGet(x -> x * 3)).isEqualTo(24);
            assertThat(l.accumulateAndGet(4, Math::max)).isEqualTo(24);
            l.setRelease(-1);
            assertThat(l.getAcquire()).isEqualTo(-1);
            l.setPlain(2);
            assertThat(l.getPlain()).isEqualTo(2);

            SharedInt i = region.intValue("i");
            assertThat(i.addAndGet(Integer.MAX_VALUE)).isEqualTo(Integer.MAX_VALUE);
            assertThat(i.incrementAndGet()).isEqualTo(Integer.MIN_VALUE);

            SharedDouble d = region.doubleValue("d");
            assertThat(d.addAndGet(0.25)).isEqualTo(0.25);
            assertThat(d.getAndAdd(1.0)).isEqualTo(0.25);
            assertThat(d.compareAndSet(1.25, Double.NaN)).isTrue();
            assertThat(d.compareAndSet(Double.NaN, -0.0)).isTrue();
            assertThat(d.compareAndSet(0.0, 1.0)).as("0.0 has other bits than -0.0").isFalse();

            SharedDoubleArray a = region.doubleArray("a", 3);
            assertThat(a.addAndGet(2, 1.5)).isEqualTo(1.5);
            assertThatThrownBy(() -> a.get(3)).isInstanceOf(IndexOutOfBoundsException.class);
            SharedIntArray ia = region.intArray("ia", 2);
            ia.set(1, 9);
            assertThat(ia.getAndAdd(1, 1)).isEqualTo(9);
            assertThat(ia.toString()).isEqualTo("[0, 10]");
        }
    }

    @Test
    void hotPathOperationsAllocateNothing() {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        try (IpcSharedMemory region = open("alloc")) {
            SharedLong l = region.longValue("l");
            SharedInt i = region.intValue("i");
            SharedDouble d = region.doubleValue("d");
            SharedLongArray a = region.longArray("a", 4);
            long sink = 0;
            for (int round = 0; round < 3; round++) {
                long before = threads.getCurrentThreadAllocatedBytes();
                for (int n = 0; n < 200_000; n++) {
                    l.set(n);
                    sink += l.get() + l.getAndAdd(2) + l.incrementAndGet();
                    sink += i.addAndGet(1) + i.getAcquire();
                    d.setRelease(n);
                    sink += (long) d.addAndGet(1.0);
                    sink += a.getAndAdd(n & 3, 1) + a.getPlain(1);
                }
                long allocated = threads.getCurrentThreadAllocatedBytes() - before;
                if (round == 2) {
                    assertThat(allocated).as("bytes allocated by 200k rounds of operations").isLessThan(1024);
                }
            }
            assertThat(sink).isNotZero();
        }
    }

    @Test
    void paddedValueGetsItsOwnTwoCacheLines() {
        try (IpcSharedMemory region = open("padded")) {
            region.longValue("before");
            region.longValue("hot", true);
            region.longValue("after");
            SlotDirectory directory = new SlotDirectory(mapped(region), "padded", region.path(), null);
            SlotDirectory.Entry hot = directory.find("hot");
            assertThat(hot.offset() % 128).isZero();
            assertThat(hot.dataBytes()).isEqualTo(128);
            assertThat(directory.find("after").offset()).isEqualTo(hot.offset() + 128);
        }
    }

    private static ByteBuffer mapped(IpcSharedMemory region) {
        try (FileChannel channel = FileChannel.open(region.path(), StandardOpenOption.READ)) {
            return channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size()).order(ByteOrder.LITTLE_ENDIAN);
        }
        catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
    }

    @Test
    void askingForExistingNameWithAnotherTypeFailsClearly() {
        try (IpcSharedMemory region = open("types"); IpcSharedMemory other = open("types")) {
            region.longValue("hits");
            assertThatThrownBy(() -> region.intValue("hits")).isInstanceOf(SharedSlotMismatchException.class)
                    .hasMessageContaining("'types'").hasMessageContaining("'hits' as a long value")
                    .hasMessageContaining("asked for as a int value");
            assertThatThrownBy(() -> other.doubleArray("hits", 2)).isInstanceOf(SharedSlotMismatchException.class)
                    .hasMessageContaining("asked for as a double array of 2 elements");
        }
    }

    @Test
    void askingForExistingArrayWithAnotherLengthFailsClearly() {
        try (IpcSharedMemory region = open("lengths"); IpcSharedMemory other = open("lengths")) {
            region.longArray("load", 8);
            assertThatThrownBy(() -> other.longArray("load", 16)).isInstanceOf(SharedSlotMismatchException.class)
                    .hasMessageContaining("long array of 8 elements").hasMessageContaining("of 16 elements");
            assertThatThrownBy(() -> region.longArray("load", 4)).isInstanceOf(SharedSlotMismatchException.class);
        }
    }

    @Test
    void fullRegionNamesRegionAndItsSizeSetting() {
        try (IpcSharedMemory region = open("full")) {
            assertThatThrownBy(() -> region.bytes("big", 64 * 1024)).isInstanceOf(SharedRegionFullException.class)
                    .hasMessageContaining("'full'").hasMessageContaining(region.path().toString())
                    .hasMessageContaining("ipc.shared-memory.full.size").hasMessageContaining("16384 bytes");
            assertThat(region.bytes("fits", 1024).length()).isEqualTo(1024);
        }
    }

    @Test
    void fullDirectoryNamesMaxSlotsSetting() {
        try (IpcSharedMemory region = open("crowded")) {
            for (int i = 0; i < 16; i++) {
                region.intValue("v" + i);
            }
            assertThatThrownBy(() -> region.lock("one-more")).isInstanceOf(SharedRegionFullException.class)
                    .hasMessageContaining("all 16 slots").hasMessageContaining("ipc.shared-memory.crowded.max-slots");
        }
    }

    @Test
    void bytesSlotCopiesArraysAndBuffers() {
        try (IpcSharedMemory region = open("bulk")) {
            SharedBytes bytes = region.bytes("blob", 10);
            bytes.put(2, "hello".getBytes(StandardCharsets.US_ASCII));
            byte[] out = new byte[5];
            bytes.get(2, out, 0, 5);
            assertThat(new String(out, StandardCharsets.US_ASCII)).isEqualTo("hello");
            bytes.put(7, ByteBuffer.wrap(new byte[] { 1, 2, 3 }));
            ByteBuffer target = ByteBuffer.allocate(3);
            bytes.get(7, target);
            assertThat(target.array()).containsExactly(1, 2, 3);
            assertThat(target.remaining()).isZero();
            assertThatThrownBy(() -> bytes.put(8, new byte[3])).isInstanceOf(IndexOutOfBoundsException.class);
        }
    }

    @Test
    void snapshotReturnsLastPublishedRecordAndRefusesOversizedOne() {
        try (IpcSharedMemory region = open("snapshots")) {
            SharedSnapshot status = region.snapshot("status", 16);
            assertThat(status.read()).isEmpty();
            status.publish("up".getBytes(StandardCharsets.US_ASCII));
            status.publish("degraded".getBytes(StandardCharsets.US_ASCII));
            assertThat(new String(status.read(), StandardCharsets.US_ASCII)).isEqualTo("degraded");
            byte[] target = new byte[16];
            assertThat(status.read(target)).isEqualTo(8);
            assertThatThrownBy(() -> status.publish(new byte[17])).isInstanceOf(IpcMessageTooLargeException.class)
                    .hasMessageContaining("at most 16 bytes");
            assertThatThrownBy(() -> status.read(new byte[4])).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void lockIsReentrantAndExcludesOtherThreads() throws Exception {
        try (IpcSharedMemory region = open("locks")) {
            SharedLock lock = region.lock("guard");
            lock.lock();
            assertThat(lock.tryLock()).isTrue();
            assertThat(CompletableFuture.supplyAsync(() -> region.lock("guard").tryLock()).get(10, TimeUnit.SECONDS))
                    .isFalse();
            lock.unlock();
            lock.unlock();
            assertThat(CompletableFuture.supplyAsync(() -> {
                boolean locked = lock.tryLock();
                lock.unlock();
                return locked;
            }).get(10, TimeUnit.SECONDS)).isTrue();
            assertThatThrownBy(lock::unlock).isInstanceOf(IllegalMonitorStateException.class);
            assertThatThrownBy(lock::newCondition).isInstanceOf(UnsupportedOperationException.class);
        }
    }

    @Test
    void lockInterruptiblyGivesUpWhenInterrupted() throws Exception {
        try (IpcSharedMemory region = open("interrupt")) {
            SharedLock lock = region.lock("guard");
            lock.lock();
            try {
                CompletableFuture<Throwable> waiter = new CompletableFuture<>();
                Thread thread = new Thread(() -> {
                    try {
                        lock.lockInterruptibly();
                        waiter.complete(null);
                    }
                    catch (InterruptedException ex) {
                        waiter.complete(ex);
                    }
                });
                thread.start();
                thread.interrupt();
                assertThat(waiter.get(10, TimeUnit.SECONDS)).isInstanceOf(InterruptedException.class);
            }
            finally {
                lock.unlock();
            }
        }
    }

    @Test
    void valuesSurviveClosingAndOpeningAgain() {
        try (IpcSharedMemory region = open("durable")) {
            region.longValue("kept").set(123);
            region.snapshot("config", 8).publish(new byte[] { 4, 2 });
        }
        try (IpcSharedMemory region = open("durable")) {
            assertThat(region.created()).isFalse();
            assertThat(region.longValue("kept").get()).isEqualTo(123);
            assertThat(region.snapshot("config", 8).read()).containsExactly(4, 2);
        }
    }

    @Test
    void regionFileIsPrivateToItsOwnerAndFullyAllocated() throws IOException {
        try (IpcSharedMemory region = open("private")) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(region.path()))).isEqualTo("rw-------");
            assertThat(Files.size(region.path())).isEqualTo(16 * 1024);
        }
    }

    @Test
    void wrongMagicIsRefusedWithClearError() throws IOException {
        open("magic").close();
        patch("magic", SharedRegionLayout.MAGIC_OFFSET, 0x1234L);
        assertThatThrownBy(() -> open("magic")).isInstanceOf(IpcCorruptDataException.class)
                .hasMessageContaining("magic.shm").hasMessageContaining("not a shared-memory region")
                .hasMessageContaining("ipc.shared-memory.magic.recreate-on-mismatch");
    }

    @Test
    void wrongLayoutVersionIsRefusedWithClearError() throws IOException {
        open("version").close();
        patchInt("version", SharedRegionLayout.VERSION_OFFSET, 99);
        assertThatThrownBy(() -> open("version")).isInstanceOf(IpcCorruptDataException.class)
                .hasMessageContaining("layout version 99").hasMessageContaining("version 1");
    }

    @Test
    void regionOfAnotherSizeIsRefusedNamingTheSizeSetting() {
        open("sized").close();
        SharedMemoryOptions bigger = SMALL.toBuilder().size(32 * 1024).build();
        assertThatThrownBy(() -> IpcSharedMemory.open(this.dir, "sized", bigger))
                .isInstanceOf(IpcCorruptDataException.class).hasMessageContaining("has 16384 bytes")
                .hasMessageContaining("ipc.shared-memory.sized.size=32768");
    }

    @Test
    void corruptHeaderFieldIsRefused() throws IOException {
        open("header").close();
        patchInt("header", SharedRegionLayout.SLOT_COUNT_OFFSET, 1000);
        assertThatThrownBy(() -> open("header")).isInstanceOf(IpcCorruptDataException.class)
                .hasMessageContaining("corrupt header");
    }

    @Test
    void recreateOnMismatchReplacesRegionWithFreshOne() throws IOException {
        try (IpcSharedMemory region = open("recreated")) {
            region.longValue("old").set(1);
        }
        patch("recreated", SharedRegionLayout.MAGIC_OFFSET, 0L);
        try (IpcSharedMemory region = IpcSharedMemory.open(this.dir, "recreated",
                SMALL.toBuilder().recreateOnMismatch(true).build())) {
            assertThat(region.created()).isTrue();
            assertThat(region.slotNames()).isEmpty();
        }
    }

    @Test
    void recreateOnMismatchIsRefusedWhileRegionIsInUse() {
        try (IpcSharedMemory inUse = open("busy")) {
            SharedMemoryOptions other = SMALL.toBuilder().size(32 * 1024).recreateOnMismatch(true).build();
            assertThatThrownBy(() -> IpcSharedMemory.open(this.dir, "busy", other)).isInstanceOf(IpcException.class)
                    .hasMessageContaining("while other processes have it open");
            assertThat(inUse.longValue("still").incrementAndGet()).isEqualTo(1);
        }
    }

    @Test
    void deleteRemovesRegionWhileOpenInstancesKeepWorking() {
        try (IpcSharedMemory region = open("doomed")) {
            region.longValue("v").set(5);
            assertThat(IpcSharedMemory.delete(this.dir, "doomed")).isTrue();
            assertThat(region.path()).doesNotExist();
            assertThat(region.longValue("v").incrementAndGet()).isEqualTo(6);
            try (IpcSharedMemory fresh = open("doomed")) {
                assertThat(fresh.created()).isTrue();
                assertThat(fresh.longValue("v").get()).isZero();
            }
        }
        assertThat(IpcSharedMemory.delete(this.dir, "doomed")).as("the fresh region outlived its user").isTrue();
        assertThat(IpcSharedMemory.delete(this.dir, "doomed")).isFalse();
    }

    @Test
    void closedRegionRefusesNewSlots() {
        IpcSharedMemory region = open("closed");
        region.close();
        assertThatThrownBy(() -> region.longValue("late")).isInstanceOf(IpcClosedException.class)
                .hasMessageContaining("'closed'");
    }

    @Test
    void badNamesAreRefused() {
        assertThatThrownBy(() -> open("../escape")).isInstanceOf(IllegalArgumentException.class);
        try (IpcSharedMemory region = open("names")) {
            assertThatThrownBy(() -> region.longValue("x".repeat(41))).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("40 bytes");
            assertThatThrownBy(() -> region.longArray("empty", 0)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    private void patch(String name, int offset, long value) throws IOException {
        ByteBuffer bytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, value);
        write(name, offset, bytes);
    }

    private void patchInt(String name, int offset, int value) throws IOException {
        ByteBuffer bytes = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, value);
        write(name, offset, bytes);
    }

    private void write(String name, int offset, ByteBuffer bytes) throws IOException {
        try (FileChannel channel = FileChannel.open(this.dir.resolve(name + ".shm"), StandardOpenOption.WRITE)) {
            channel.write(bytes, offset);
        }
    }
}

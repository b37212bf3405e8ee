package io.github.springipc.transport.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.concurrent.locks.Lock;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.springipc.process.SiblingJvm;
import io.github.springipc.transport.IpcClosedException;

/** Held bytes as the kernel keeps them: a byte stays held exactly as long as its holder lives. */
public class LockFileHoldTest {

    @TempDir
    Path dir;

    @Test
    void byteHeldByAnotherProcessIsHeldUntilThatProcessIsKilled() throws Exception {
        Path file = this.dir.resolve("x.queue.lock");
        try (SiblingJvm holder = SiblingJvm.builder(LockFileHoldTest.class).name("holder")
                .arguments(file.toString(), "3").start();
                LockFile locks = LockFile.open(file, MappedRegionFile.OWNER_ONLY)) {
            holder.awaitLineContaining("HOLDING", Duration.ofSeconds(30));
            assertThat(locks.isHeld(3)).isTrue();
            assertThat(locks.tryHold(3)).isNull();
            assertThat(locks.isHeldHere(3)).isFalse();
            assertThat(locks.isHeld(4)).isFalse();
            holder.kill();
            assertThat(locks.isHeld(3)).as("byte 3 after kill -9 of its holder").isFalse();
            assertThat(locks.tryHold(3)).isNotNull();
        }
    }

    @Test
    void bytesHeldInThisJvmAreHeldForEveryUserUntilReleasedAndOnlyTheLastCloseDropsThem() {
        Path file = this.dir.resolve("y.queue.lock");
        LockFile first = LockFile.open(file, MappedRegionFile.OWNER_ONLY);
        LockFile second = LockFile.open(file, MappedRegionFile.OWNER_ONLY);
        LockFile.HeldByte held = first.tryHold(1);
        assertThat(held).isNotNull();
        assertThat(held.position()).isEqualTo(1);
        assertThat(first.tryHold(1)).as("not reentrant").isNull();
        assertThat(second.tryHold(1)).isNull();
        assertThat(second.isHeld(1)).isTrue();
        assertThat(second.isHeldHere(1)).isTrue();
        second.close(); // must not drop the byte that `first` holds through the shared channel
        assertThat(first.isHeldHere(1)).isTrue();
        held.release();
        held.release(); // idempotent
        assertThat(first.isHeld(1)).isFalse();
        assertThat(first.isHeldHere(1)).isFalse();
        first.close();
    }

    @Test
    void aByteIsHeldForRangeLocksOfThisJvmAndTheOtherWayRound() {
        try (LockFile locks = LockFile.open(this.dir.resolve("z.lock"), MappedRegionFile.OWNER_ONLY)) {
            Lock lock = locks.rangeLock(7);
            lock.lock();
            try {
                assertThat(locks.tryHold(7)).isNull();
                assertThat(locks.isHeld(7)).isTrue();
            }
            finally {
                lock.unlock();
            }
            assertThat(locks.isHeld(7)).isFalse();

            LockFile.HeldByte held = locks.tryHold(7);
            assertThat(held).isNotNull();
            assertThat(lock.tryLock()).as("range lock on a held byte").isFalse();
            held.release();
            assertThat(lock.tryLock()).isTrue();
            lock.unlock();
        }
    }

    @Test
    void afterTheLastCloseHeldBytesAreGoneAndUseFailsClearly() {
        LockFile locks = LockFile.open(this.dir.resolve("w.lock"), MappedRegionFile.OWNER_ONLY);
        LockFile.HeldByte held = locks.tryHold(2);
        assertThat(held).isNotNull();

        locks.close();

        assertThat(locks.isHeldHere(2)).isFalse();
        assertThatExceptionOfType(IpcClosedException.class).isThrownBy(() -> locks.tryHold(2));
        held.release(); // harmless after the close
        try (LockFile reopened = LockFile.open(this.dir.resolve("w.lock"), MappedRegionFile.OWNER_ONLY)) {
            assertThat(reopened.isHeld(2)).as("the close dropped the OS lock").isFalse();
        }
    }

    /**
     * Sibling: holds byte {@code args[1]} of lock file {@code args[0]} until killed, or until its
     * parent closes its standard input (or dies), so that an orphan never lingers.
     */
    public static void main(String[] args) throws Exception {
        LockFile locks = LockFile.open(Paths.get(args[0]), MappedRegionFile.OWNER_ONLY);
        if (locks.tryHold(Integer.parseInt(args[1])) == null) {
            throw new IllegalStateException("byte busy");
        }
        System.out.println("HOLDING");
        while (System.in.read() >= 0) {
            // the parent never writes: wait for the end of its input
        }
    }
}

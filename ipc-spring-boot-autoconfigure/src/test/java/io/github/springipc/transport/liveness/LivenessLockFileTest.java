package io.github.springipc.transport.liveness;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.springipc.process.SiblingJvm;

/** Liveness as the kernel keeps it: a slot lock lives exactly as long as its process. */
public class LivenessLockFileTest {

    @TempDir
    Path dir;

    @Test
    void slotHeldByAnotherProcessIsAliveUntilThatProcessIsKilled() throws Exception {
        Path file = this.dir.resolve("x.queue.lock");
        try (SiblingJvm holder = SiblingJvm.builder(LivenessLockFileTest.class).name("holder")
                .arguments(file.toString(), "3").start(); LivenessLockFile locks = LivenessLockFile.open(file)) {
            holder.awaitLineContaining("HOLDING", Duration.ofSeconds(30));
            assertThat(locks.isHeld(3)).isTrue();
            assertThat(locks.tryAcquire(3)).isNull();
            assertThat(locks.isHeld(4)).isFalse();
            holder.kill();
            assertThat(locks.isHeld(3)).as("slot 3 after kill -9 of its holder").isFalse();
            assertThat(locks.tryAcquire(3)).isNotNull();
        }
    }

    @Test
    void slotsHeldInThisJvmAreAliveAndSharedChannelKeepsThemUntilTheLastClose() {
        Path file = this.dir.resolve("y.queue.lock");
        LivenessLockFile first = LivenessLockFile.open(file);
        LivenessLockFile second = LivenessLockFile.open(file);
        LivenessLockFile.SlotLock lock = first.tryAcquire(1);
        assertThat(lock).isNotNull();
        assertThat(second.tryAcquire(1)).isNull();
        assertThat(second.isHeld(1)).isTrue();
        assertThat(second.isHeldByThisProcess(1)).isTrue();
        second.close(); // must not drop the lock that `first` took through the shared channel
        assertThat(first.isHeldByThisProcess(1)).isTrue();
        lock.release();
        assertThat(first.isHeld(1)).isFalse();
        first.close();
    }

    @Test
    void reusedProcessIdWithAnotherStartTimeIsNotAlive() {
        ProcessIdentity me = ProcessIdentity.current();
        assertThat(me.isAlive()).isTrue();
        assertThat(new ProcessIdentity(me.pid(), me.startMillis() - 3_600_000).isAlive()).isFalse();
        assertThat(ProcessIdentity.parseFileNameToken(me.fileNameToken())).contains(me);
        assertThat(ProcessIdentity.parseFileNameToken("nonsense")).isEmpty();
    }

    /** Sibling: holds byte {@code args[1]} of lock file {@code args[0]} until killed. */
    public static void main(String[] args) throws Exception {
        LivenessLockFile locks = LivenessLockFile.open(Paths.get(args[0]));
        if (locks.tryAcquire(Integer.parseInt(args[1])) == null) {
            throw new IllegalStateException("slot busy");
        }
        System.out.println("HOLDING");
        Thread.sleep(60_000);
    }
}

package io.github.springipc.transport.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.springipc.process.SiblingJvm;
import io.github.springipc.transport.IpcDelivery;
import io.github.springipc.transport.IpcMessage;

/**
 * A process killed with kill -9 at each step where it leaves shared state half-changed: the
 * others take over within a liveness interval and lose nothing.
 */
class QueueCrashRecoveryTest {

    private static final QueueOptions OPTIONS = QueueOptions.builder().capacity(8192).build();

    @TempDir
    Path dir;

    @Test
    void producerKilledAfterClaimingSpaceButBeforeWritingTheHeaderDoesNotBlockTheQueue() throws Exception {
        try (IpcQueue queue = IpcQueue.open(this.dir, "q", OPTIONS)) {
            killAt("after-tail-claim");
            queue.send(message("after"), Duration.ofSeconds(1));
            long killed = System.nanoTime();
            IpcDelivery delivery = queue.receive(Duration.ofSeconds(5));
            assertThat(text(delivery)).isEqualTo("after");
            assertThat(Duration.ofNanos(System.nanoTime() - killed)).isLessThan(Duration.ofSeconds(1));
            delivery.acknowledge();
            assertThat(queue.receive(Duration.ofMillis(50))).isNull();
        }
    }

    @Test
    void producerKilledWhileWritingInBothOfItsLanesDoesNotBlockTheQueue() throws Exception {
        try (IpcQueue queue = IpcQueue.open(this.dir, "q", OPTIONS)) {
            try (SiblingJvm sibling = SiblingJvm.builder(QueueSibling.class).name("two-lanes")
                    .jvmArguments("-Dspringipc.queue.test-hooks=true")
                    .arguments("crash-two-lanes", this.dir.toString(), "q", Integer.toString(OPTIONS.capacity())).start()) {
                sibling.awaitLineContaining("CRASH-POINT lane of shared", Duration.ofSeconds(30));
                sibling.awaitLineContaining("CRASH-POINT lane of main", Duration.ofSeconds(30));
                sibling.kill();
            }
            queue.send(message("after"), Duration.ofSeconds(1));
            long killed = System.nanoTime();
            List<String> received = new ArrayList<>();
            IpcDelivery delivery;
            while (!received.contains("after") && (delivery = queue.receive(Duration.ofSeconds(2))) != null) {
                received.add(text(delivery));
                delivery.acknowledge();
            }
            assertThat(received).containsExactly("owned-0", "after");
            assertThat(Duration.ofNanos(System.nanoTime() - killed)).isLessThan(Duration.ofSeconds(1));
            assertThat(queue.corruptRecords()).isZero();
        }
    }

    @Test
    void consumerKilledBetweenMovingTheCursorAndStampingItsClaimsLosesNothing() throws Exception {
        try (IpcQueue queue = IpcQueue.open(this.dir, "q", OPTIONS)) {
            for (int i = 0; i < 5; i++) {
                queue.send(message("m" + i), Duration.ofSeconds(1));
            }
            killAt("after-dispatch-claim");
            List<String> received = new ArrayList<>();
            IpcDelivery delivery;
            while ((delivery = queue.receive(Duration.ofMillis(500))) != null) {
                assertThat(delivery.deliveryAttempt()).isEqualTo(2);
                received.add(text(delivery));
                delivery.acknowledge();
            }
            assertThat(received).containsExactlyInAnyOrder("m0", "m1", "m2", "m3", "m4");
        }
    }

    @Test
    void producerKilledInTheMiddleOfABatchKeepsWhatItPublishedAndDoesNotBlockTheQueue() throws Exception {
        try (IpcQueue queue = IpcQueue.open(this.dir, "q", OPTIONS)) {
            killAt("mid-run");
            queue.send(message("after"), Duration.ofSeconds(1));
            List<String> received = new ArrayList<>();
            IpcDelivery delivery;
            while ((delivery = queue.receive(Duration.ofSeconds(2))) != null) {
                received.add(text(delivery));
                delivery.acknowledge();
                if (received.contains("after")) {
                    break;
                }
            }
            assertThat(received).containsExactly("run-0", "after");
            assertThat(queue.corruptRecords()).isZero();
        }
    }

    @Test
    void reclaimerKilledWhileZeroingLeavesTheRingWhole() throws Exception {
        try (IpcQueue queue = IpcQueue.open(this.dir, "q", OPTIONS)) {
            queue.send(message("first"), Duration.ofSeconds(1));
            killAt("mid-reclaim");
            queue.housekeeping();
            assertThat(queue.pendingBytes()).as("head moved over the reclaimed record").isZero();
            assertTheWholeRingIsUsable(queue, 500);
        }
    }

    @Test
    void reclaimerKilledRightAfterMarkingTheHeadRecordLeavesItToTheNextReclaimer() throws Exception {
        try (IpcQueue queue = IpcQueue.open(this.dir, "q", OPTIONS)) {
            queue.send(message("first"), Duration.ofSeconds(1));
            killAt("after-reclaim-mark");
            queue.housekeeping(); // puts the settled state back, then reclaims the record itself
            assertThat(queue.pendingBytes()).as("head moved over the settled record").isZero();
            assertTheWholeRingIsUsable(queue, 200);
        }
    }

    @Test
    void aKilledProcessWhoseTwoThreadsReclaimedAtOnceLeavesItsReclaimToRecovery() throws Exception {
        try (IpcQueue queue = IpcQueue.open(this.dir, "q", OPTIONS)) {
            queue.send(message("first"), Duration.ofSeconds(1));
            killAt("two-reclaimers"); // one thread zeroing, the other's failed attempt done
            queue.housekeeping();
            assertThat(queue.pendingBytes()).as("recovery finished the reclaim: the head moved").isZero();
            assertTheWholeRingIsUsable(queue, 200);
        }
    }

    /** Sends and takes {@code messages} messages of varied sizes: the ring laps many times. */
    private static void assertTheWholeRingIsUsable(IpcQueue queue, int messages) throws InterruptedException {
        for (int i = 0; i < messages; i++) {
            queue.send(message("n" + i + "x".repeat(i % 100)), Duration.ofSeconds(1));
            IpcDelivery delivery = queue.receive(Duration.ofSeconds(1));
            assertThat(text(delivery)).startsWith("n" + i);
            delivery.acknowledge();
        }
        assertThat(queue.corruptRecords()).isZero();
    }

    private void killAt(String point) {
        try (SiblingJvm sibling = SiblingJvm.builder(QueueSibling.class).name(point)
                .jvmArguments("-Dspringipc.queue.test-hooks=true")
                .arguments("crash", this.dir.toString(), "q", Integer.toString(OPTIONS.capacity()), point).start()) {
            sibling.awaitLineContaining("CRASH-POINT " + point, Duration.ofSeconds(30));
            sibling.kill();
        }
    }

    private static IpcMessage message(String text) {
        return IpcMessage.of(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String text(IpcDelivery delivery) {
        return new String(delivery.message().payload(), StandardCharsets.UTF_8);
    }
}

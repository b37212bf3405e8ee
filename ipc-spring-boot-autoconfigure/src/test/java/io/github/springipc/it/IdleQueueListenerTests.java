package io.github.springipc.it;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.github.springipc.annotation.IpcListener;
import io.github.springipc.messaging.IpcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An {@code @IpcListener} on a queue with the auto-configured defaults (1 s poll timeout,
 * blocking waits, 100 ms liveness interval), measured on its own consumer thread: the thread's
 * CPU clock counts nanoseconds, unlike the process clock (10 ms ticks on Linux), and leaves out
 * what the rest of the test JVM does. The goal is under 1 % of a core for the whole process;
 * the listener's own thread must stay well below it.
 */
class IdleQueueListenerTests {

    @TempDir
    Path dir;

    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class IdleApp {

        final CountDownLatch received = new CountDownLatch(1);

        @Bean
        Object idleListener() {
            return new Object() {

                @IpcListener(id = "idle", value = "jobs")
                void onJob(String job) {
                    IdleApp.this.received.countDown();
                }
            };
        }
    }

    @Test
    void idleListenerThreadUsesUnderHalfAPercentOfACoreAndStillGetsTheNextMessage() throws Exception {
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(IdleApp.class)
                .web(WebApplicationType.NONE)
                .properties("ipc.directory=" + this.dir, "ipc.queues.jobs.capacity=64KB",
                        "ipc.queues.jobs.max-message-size=1KB")
                .run()) {
            Thread consumer = awaitThread("idle-1");
            Thread.sleep(500); // past the first receive's polling and the doorbell's bind
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            long cpuBefore = threads.getThreadCpuTime(consumer.getId());
            long wallBefore = System.nanoTime();
            Thread.sleep(3000);
            long wall = System.nanoTime() - wallBefore;
            double share = (double) (threads.getThreadCpuTime(consumer.getId()) - cpuBefore) / wall;
            System.out.println(String.format("idle listener thread CPU: %.4f %% over %d ms", share * 100,
                    wall / 1_000_000));
            assertThat(consumer.isAlive()).as("consumer thread still running").isTrue();
            assertThat(cpuBefore).as("thread CPU time measured").isPositive();
            // ~0.04 % on a quiet machine, up to ~0.15 % under a loaded build (its wake-ups run
            // interpreted and slower); a listener that polls instead of sleeping costs several %.
            // How often an idle consumer wakes is pinned exactly by the queue's own tests.
            assertThat(share).as("consumer thread's CPU share").isLessThan(0.005);

            context.getBean(IpcTemplate.class).convertAndSend("jobs", "wake up");
            assertThat(context.getBean(IdleApp.class).received.await(5, TimeUnit.SECONDS)).isTrue();
        }
    }

    private static Thread awaitThread(String name) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            for (Thread thread : Thread.getAllStackTraces().keySet()) {
                if (thread.getName().equals(name)) {
                    return thread;
                }
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no listener thread named " + name);
    }
}

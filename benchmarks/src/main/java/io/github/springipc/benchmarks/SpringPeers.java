package io.github.springipc.benchmarks;

import java.lang.management.ManagementFactory;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.github.springipc.annotation.IpcListener;
import io.github.springipc.messaging.IpcTemplate;

/**
 * Spring Boot peers: POJOs through {@code IpcTemplate} → {@code @IpcListener}, the idle CPU of
 * a waiting listener, and the start-up cost of the starter.
 *
 * <pre>
 * listener dir count        counts POJOs on queue "pojos", reports the rate at the listener
 * producer dir count        sends POJOs with IpcTemplate.convertAndSend
 * idle     dir seconds      an idle @IpcListener: process CPU over the given seconds
 * startup  dir bare|ipc     time to start a context, bare or with 3 channels
 * </pre>
 */
public final class SpringPeers {

    /** The POJO of the POJO case: five fields, as in the Jackson anchor. */
    public record Order(long id, String customer, double amount, int quantity, boolean express) {
    }

    static final AtomicLong RECEIVED = new AtomicLong();

    static volatile CountDownLatch done = new CountDownLatch(1);

    static volatile long expected;

    static volatile long firstNanos;

    static volatile long halfNanos;

    private SpringPeers() {
    }

    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class Listening {

        @Bean
        OrderListener orderListener() {
            return new OrderListener();
        }
    }

    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class Bare {
    }

    static class OrderListener {

        @IpcListener("pojos")
        void onOrder(Order order) {
            long n = RECEIVED.incrementAndGet();
            if (n == 1) {
                firstNanos = System.nanoTime();
            }
            if (n == expected / 2) {
                halfNanos = System.nanoTime();
            }
            if (n == expected) {
                done.countDown();
            }
        }
    }

    public static void main(String[] args) throws Exception {
        String role = args[0];
        String dir = args[1];
        String[] queue = { "--ipc.directory=" + dir, "--ipc.queues.pojos.capacity=16MB",
                "--ipc.queues.pojos.max-message-size=4KB", "--spring.main.banner-mode=off",
                "--logging.level.root=warn" };
        switch (role) {
            case "listener" -> {
                expected = Long.parseLong(args[2]);
                try (ConfigurableApplicationContext context = run(Listening.class, queue)) {
                    Peer.ready();
                    if (!done.await(5, TimeUnit.MINUTES)) {
                        throw new IllegalStateException("received only " + RECEIVED.get());
                    }
                    long end = System.nanoTime();
                    Peer.result("oneway.msgs_per_s", (expected - 1) / ((end - firstNanos) / 1e9));
                    // the second half runs on compiled code: the first pays for JIT compiling Spring and Jackson
                    Peer.result("oneway.second_half_msgs_per_s", (expected - expected / 2) / ((end - halfNanos) / 1e9));
                }
            }
            case "producer" -> {
                long count = Long.parseLong(args[2]);
                try (ConfigurableApplicationContext context = run(Bare.class, queue)) {
                    IpcTemplate template = context.getBean(IpcTemplate.class);
                    for (long i = 0; i < count; i++) {
                        template.convertAndSend("pojos", new Order(i, "customer-" + (i % 100), 12.5, 3, (i & 1) == 0));
                    }
                }
            }
            case "idle" -> {
                expected = Long.MAX_VALUE;
                try (ConfigurableApplicationContext context = run(Listening.class, queue)) {
                    Peer.ready();
                    // loading the management classes (and the JIT compiling them) cost more than the
                    // idle listener: done before the window, not in it
                    var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
                    os.getProcessCpuTime();
                    Thread.sleep(3000); // let start-up work (JIT, GC) settle before measuring
                    long cpu0 = os.getProcessCpuTime();
                    long wall0 = System.nanoTime();
                    Thread.sleep(Long.parseLong(args[2]) * 1000);
                    double percent = 100.0 * (os.getProcessCpuTime() - cpu0) / (System.nanoTime() - wall0);
                    Peer.result("cpu.percent", percent);
                }
            }
            case "startup" -> {
                boolean withChannels = args[2].equals("ipc");
                String[] properties = withChannels ? new String[] { "--ipc.directory=" + dir,
                        "--ipc.pipes.control.role=bind", "--ipc.shared-memory.stats.size=1MB",
                        "--ipc.queues.jobs.capacity=8MB", "--spring.main.banner-mode=off", "--logging.level.root=warn" }
                        : new String[] { "--spring.main.banner-mode=off", "--logging.level.root=warn",
                                "--spring.autoconfigure.exclude=io.github.springipc.autoconfigure.IpcAutoConfiguration,"
                                        + "io.github.springipc.autoconfigure.IpcHealthContributorAutoConfiguration,"
                                        + "io.github.springipc.autoconfigure.IpcMetricsAutoConfiguration" };
                long start = System.nanoTime();
                try (ConfigurableApplicationContext context = run(Bare.class, properties)) {
                    Peer.result("startup_ms", (System.nanoTime() - start) / 1e6);
                }
            }
            default -> throw new IllegalArgumentException(role);
        }
    }

    private static ConfigurableApplicationContext run(Class<?> source, String... args) {
        SpringApplication application = new SpringApplication(source);
        application.setWebApplicationType(WebApplicationType.NONE);
        return application.run(args);
    }
}

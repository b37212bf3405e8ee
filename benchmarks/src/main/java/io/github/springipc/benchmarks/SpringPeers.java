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
 * listener dir count [record] counts POJOs (or records) on queue "pojos", reports the rate at the listener
 * producer dir count [record] sends POJOs (or records) with IpcTemplate.convertAndSend
 * idle     dir seconds      an idle @IpcListener: process CPU over the given seconds
 * startup  dir bare|ipc     time to start a context, bare or with 3 channels
 * </pre>
 */
public final class SpringPeers {

    /**
     * The POJO of the POJO case: a JavaBean with five fields, like the Jackson anchor's POJO
     * (its 626 ns per serialize + deserialize matches this shape, not a record's).
     */
    public static final class Order {

        private long id;

        private String customer;

        private double amount;

        private int quantity;

        private boolean express;

        public Order() {
        }

        /** A filled-in order. A factory, not a constructor: Jackson 3 would take a constructor with every property as its creator. */
        public static Order of(long id, String customer, double amount, int quantity, boolean express) {
            Order order = new Order();
            order.id = id;
            order.customer = customer;
            order.amount = amount;
            order.quantity = quantity;
            order.express = express;
            return order;
        }

        public long getId() {
            return this.id;
        }

        public void setId(long id) {
            this.id = id;
        }

        public String getCustomer() {
            return this.customer;
        }

        public void setCustomer(String customer) {
            this.customer = customer;
        }

        public double getAmount() {
            return this.amount;
        }

        public void setAmount(double amount) {
            this.amount = amount;
        }

        public int getQuantity() {
            return this.quantity;
        }

        public void setQuantity(int quantity) {
            this.quantity = quantity;
        }

        public boolean isExpress() {
            return this.express;
        }

        public void setExpress(boolean express) {
            this.express = express;
        }
    }

    /**
     * The same five fields as a record. Jackson 3.1 builds a record through
     * {@code MethodHandle.invokeWithArguments} on every read, which costs ~170 ns more than
     * setting a bean's fields on this machine; case {@code queue.pojo.record} shows what that
     * does to the rate.
     */
    public record OrderRecord(long id, String customer, double amount, int quantity, boolean express) {
    }

    static final AtomicLong RECEIVED = new AtomicLong();

    static volatile CountDownLatch done = new CountDownLatch(1);

    static volatile long expected;

    static volatile long firstNanos;

    static volatile OneWayRate rate;

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
    static class ListeningToRecords {

        @Bean
        OrderRecordListener orderRecordListener() {
            return new OrderRecordListener();
        }
    }

    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class Bare {
    }

    static class OrderListener {

        @IpcListener("pojos")
        void onOrder(Order order) {
            counted();
        }
    }

    static class OrderRecordListener {

        @IpcListener("pojos")
        void onOrder(OrderRecord order) {
            counted();
        }
    }

    private static void counted() {
        long n = RECEIVED.incrementAndGet();
        if (n == 1) {
            firstNanos = System.nanoTime();
        }
        rate.received(n);
        if (n == expected) {
            done.countDown();
        }
    }

    public static void main(String[] args) throws Exception {
        String role = args[0];
        String dir = args[1];
        String[] queue = { "--ipc.directory=" + dir, "--ipc.queues.pojos.max-message-size=4KB", "--spring.main.banner-mode=off",
                "--logging.level.root=warn" };
        switch (role) {
            case "listener" -> {
                expected = Long.parseLong(args[2]);
                rate = new OneWayRate(expected);
                boolean records = args.length > 3 && args[3].equals("record");
                try (ConfigurableApplicationContext context = run(records ? ListeningToRecords.class : Listening.class,
                        queue)) {
                    Peer.ready();
                    if (!done.await(5, TimeUnit.MINUTES)) {
                        throw new IllegalStateException("received only " + RECEIVED.get());
                    }
                    // steady state, as in the other one-way cases: the first fifth pays for JIT
                    // compiling Spring and Jackson on the same two cores
                    rate.report("oneway.msgs_per_s");
                    Peer.result("oneway.with_warmup_msgs_per_s", (expected - 1) / ((System.nanoTime() - firstNanos) / 1e9));
                }
            }
            case "producer" -> {
                long count = Long.parseLong(args[2]);
                boolean records = args.length > 3 && args[3].equals("record");
                try (ConfigurableApplicationContext context = run(Bare.class, queue)) {
                    IpcTemplate template = context.getBean(IpcTemplate.class);
                    for (long i = 0; i < count; i++) {
                        String customer = "customer-" + (i % 100);
                        boolean express = (i & 1) == 0;
                        template.convertAndSend("pojos", records ? new OrderRecord(i, customer, 12.5, 3, express)
                                : Order.of(i, customer, 12.5, 3, express));
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

package io.github.springipc.benchmarks;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.github.springipc.annotation.IpcListener;
import io.github.springipc.benchmarks.SpringPeers.Order;
import io.github.springipc.messaging.IpcTemplate;
import io.github.springipc.transport.IpcChannel;
import io.github.springipc.transport.IpcDelivery;
import io.github.springipc.transport.IpcMessage;
import io.github.springipc.transport.IpcMessageCodec;

/**
 * The POJO path of {@code queue.pojo} inside one JVM, without the queue: what the messaging
 * layer costs per message on each side, as CPU time and bytes allocated by the thread doing the
 * work. CPU time per thread is what a noisy shared machine can not inflate much (wall-clock
 * rates can).
 *
 * <pre>
 * send:    IpcTemplate.convertAndSend(order) → channel that encodes the envelope into a buffer
 *          (the queue's work minus the ring)
 * receive: channel that decodes the same envelope bytes per delivery (the queue's work minus
 *          the ring) → listener container → @IpcListener method(Order)
 * </pre>
 *
 * Run: {@code java -cp ... io.github.springipc.benchmarks.PojoPathProfile [messagesPerRound] [rounds]}
 */
public final class PojoPathProfile {

    private static final AtomicLong RECEIVED = new AtomicLong();

    private PojoPathProfile() {
    }

    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class InProcess {

        @Bean
        SinkChannel sink() {
            return new SinkChannel();
        }

        @Bean
        ReplayChannel pojos() {
            return new ReplayChannel();
        }

        @Bean
        Listener listener() {
            return new Listener();
        }
    }

    static class Listener {

        @IpcListener("pojos")
        void onOrder(Order order) {
            if (order.getQuantity() != 3) {
                throw new IllegalStateException("wrong order " + order);
            }
            RECEIVED.incrementAndGet();
        }
    }

    /** Encodes each message into one reused buffer, as the queue writes into its ring. */
    static final class SinkChannel implements IpcChannel {

        private final ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 16);

        volatile byte[] last;

        long sent;

        @Override
        public String name() {
            return "sink";
        }

        @Override
        public void send(IpcMessage message, Duration timeout) {
            this.buffer.clear();
            int length = IpcMessageCodec.encodedLength(message);
            IpcMessageCodec.encode(message, this.buffer);
            if (this.sent++ == 0) {
                byte[] copy = new byte[length];
                this.buffer.get(0, copy);
                this.last = copy;
            }
        }

        @Override
        public IpcMessage request(IpcMessage message, Duration timeout) {
            throw new UnsupportedOperationException();
        }

        @Override
        public IpcDelivery receive(Duration timeout) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void close() {
        }
    }

    /** Hands out {@code permits} deliveries decoded from the same envelope, as the queue decodes its records. */
    static final class ReplayChannel implements IpcChannel {

        private final AtomicLong permits = new AtomicLong();

        volatile ByteBuffer envelope;

        volatile Thread consumer;

        @Override
        public String name() {
            return "pojos";
        }

        @Override
        public void send(IpcMessage message, Duration timeout) {
            throw new UnsupportedOperationException();
        }

        @Override
        public IpcMessage request(IpcMessage message, Duration timeout) {
            throw new UnsupportedOperationException();
        }

        @Override
        public IpcDelivery receive(Duration timeout) throws InterruptedException {
            this.consumer = Thread.currentThread();
            long deadline = System.nanoTime() + timeout.toNanos();
            while (this.permits.get() <= 0 || this.envelope == null) {
                if (System.nanoTime() - deadline >= 0) {
                    return null;
                }
                LockSupport.parkNanos(200_000);
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
            }
            this.permits.decrementAndGet();
            IpcMessage message = IpcMessageCodec.decode(this.envelope.duplicate());
            return new IpcDelivery() {
                @Override
                public IpcMessage message() {
                    return message;
                }

                @Override
                public int deliveryAttempt() {
                    return 1;
                }

                @Override
                public boolean expectsReply() {
                    return false;
                }

                @Override
                public void reply(IpcMessage reply) {
                    throw new IllegalStateException();
                }

                @Override
                public void acknowledge() {
                }

                @Override
                public void release() {
                }
            };
        }

        @Override
        public void close() {
        }
    }

    public static void main(String[] args) throws Exception {
        int perRound = args.length > 0 ? Integer.parseInt(args[0]) : 500_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 6;
        SpringApplication application = new SpringApplication(InProcess.class);
        application.setWebApplicationType(WebApplicationType.NONE);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        try (ConfigurableApplicationContext context = application.run("--spring.main.banner-mode=off",
                "--logging.level.root=warn")) {
            IpcTemplate template = context.getBean(IpcTemplate.class);
            SinkChannel sink = context.getBean(SinkChannel.class);
            ReplayChannel replay = context.getBean(ReplayChannel.class);
            for (int round = 1; round <= rounds; round++) {
                long me = Thread.currentThread().getId();
                long process0 = os.getProcessCpuTime();
                long cpu0 = threads.getThreadCpuTime(me);
                long alloc0 = threads.getThreadAllocatedBytes(me);
                long wall0 = System.nanoTime();
                for (int i = 0; i < perRound; i++) {
                    template.convertAndSend("sink", Order.of(i, "customer-" + (i % 100), 12.5, 3, (i & 1) == 0));
                }
                long wall = System.nanoTime() - wall0;
                long cpu = threads.getThreadCpuTime(me) - cpu0;
                long alloc = threads.getThreadAllocatedBytes(me) - alloc0;
                report(round, "send", perRound, cpu, os.getProcessCpuTime() - process0, alloc, wall);

                if (replay.envelope == null) {
                    // read-only and direct, like the queue's view of its mapped file
                    replay.envelope = ByteBuffer.allocateDirect(sink.last.length).put(sink.last).flip().asReadOnlyBuffer();
                }
                Thread consumer = awaitConsumer(replay);
                long target = RECEIVED.get() + perRound;
                process0 = os.getProcessCpuTime();
                cpu0 = threads.getThreadCpuTime(consumer.getId());
                alloc0 = threads.getThreadAllocatedBytes(consumer.getId());
                wall0 = System.nanoTime();
                replay.permits.addAndGet(perRound);
                while (RECEIVED.get() < target) {
                    LockSupport.parkNanos(1_000_000);
                }
                wall = System.nanoTime() - wall0;
                cpu = threads.getThreadCpuTime(consumer.getId()) - cpu0;
                alloc = threads.getThreadAllocatedBytes(consumer.getId()) - alloc0;
                report(round, "receive", perRound, cpu, os.getProcessCpuTime() - process0, alloc, wall);
            }
        }
    }

    private static Thread awaitConsumer(ReplayChannel replay) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (replay.consumer == null) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the listener never called receive");
            }
            LockSupport.parkNanos(1_000_000);
        }
        return replay.consumer;
    }

    private static void report(int round, String side, int messages, long cpuNanos, long processNanos, long allocated,
            long wallNanos) {
        System.out.printf(Locale.ROOT,
                "round %d %-8s thread cpu %5.0f ns/msg  process cpu %5.0f ns/msg  alloc %5.0f B/msg  wall %5.0f ns/msg (%.2f M/s)%n",
                round, side, (double) cpuNanos / messages, (double) processNanos / messages, (double) allocated / messages,
                (double) wallNanos / messages, messages * 1e3 / wallNanos);
    }
}

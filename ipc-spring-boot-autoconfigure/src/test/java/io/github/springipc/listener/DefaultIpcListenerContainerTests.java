package io.github.springipc.listener;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.springipc.messaging.IpcChannelResolver;
import io.github.springipc.messaging.IpcHeaders;
import io.github.springipc.messaging.IpcRemoteListenerException;
import io.github.springipc.messaging.IpcTemplate;
import io.github.springipc.test.InMemoryIpcChannel;
import io.github.springipc.transport.IpcChannel;
import io.github.springipc.transport.IpcDelivery;
import io.github.springipc.transport.IpcMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.core.retry.RetryPolicy;
import org.springframework.messaging.Message;
import org.springframework.messaging.converter.MessageConversionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class DefaultIpcListenerContainerTests {

    private final InMemoryIpcChannel jobs = new InMemoryIpcChannel("jobs");

    private final InMemoryIpcChannel deadLetters = new InMemoryIpcChannel("dlq");

    private final Map<String, IpcChannel> channels = Map.of("jobs", this.jobs, "dlq", this.deadLetters);

    private final IpcChannelResolver resolver = this.channels::get;

    private DefaultIpcListenerContainer container;

    @AfterEach
    void stopContainer() {
        if (this.container != null) {
            this.container.stop();
        }
    }

    private DefaultIpcListenerContainer container(IpcMessageListener listener) {
        this.container = new DefaultIpcListenerContainer("worker", List.of(this.jobs), this.resolver);
        this.container.setPollTimeout(Duration.ofMillis(50));
        this.container.setupMessageListener(listener);
        return this.container;
    }

    private static RetryPolicy attempts(int max) {
        return RetryPolicy.builder().maxRetries(max - 1).delay(Duration.ofMillis(1)).build();
    }

    private void send(String text) {
        this.jobs.send(IpcMessage.of(text.getBytes(StandardCharsets.UTF_8)), Duration.ofSeconds(1));
    }

    @Test
    void handledMessageIsAcknowledgedAndCounted() {
        container((message, delivery) -> { }).start();
        send("a");
        await().atMost(Duration.ofSeconds(5)).until(() -> this.container.getHandledCount() == 1);
        assertThat(this.jobs.acknowledgedCount()).isEqualTo(1);
    }

    @Test
    void retriesWithIncreasingDeliveryAttemptUntilTheListenerSucceeds() {
        List<Object> seenAttempts = new CopyOnWriteArrayList<>();
        container((message, delivery) -> {
            seenAttempts.add(message.getHeaders().get(IpcHeaders.DELIVERY_ATTEMPT));
            if (seenAttempts.size() < 3) {
                throw new IllegalStateException("not yet");
            }
        });
        this.container.setRetryPolicy(attempts(3));
        this.container.start();
        send("a");
        await().atMost(Duration.ofSeconds(5)).until(() -> this.container.getHandledCount() == 1);
        assertThat(seenAttempts).containsExactly(1, 2, 3);
        assertThat(this.container.getFailedCount()).isZero();
    }

    @Test
    void exhaustedMessageGoesToTheDeadLetterChannelWithExceptionHeaders() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        container((message, delivery) -> {
            calls.incrementAndGet();
            throw new IllegalArgumentException("bad job");
        });
        this.container.setRetryPolicy(attempts(2));
        this.container.setDeadLetterChannel("dlq");
        this.container.start();
        this.jobs.send(IpcMessage.of(Map.of("trace", "t1"), "payload".getBytes(StandardCharsets.UTF_8)),
                Duration.ofSeconds(1));
        IpcDelivery dead = this.deadLetters.receive(Duration.ofSeconds(5));
        assertThat(dead).isNotNull();
        IpcMessage letter = dead.message();
        assertThat(new String(letter.payload(), StandardCharsets.UTF_8)).isEqualTo("payload");
        assertThat(letter.header(IpcHeaders.EXCEPTION_CLASS)).isEqualTo(IllegalArgumentException.class.getName());
        assertThat(letter.header(IpcHeaders.EXCEPTION_MESSAGE)).isEqualTo("bad job");
        assertThat(letter.header(IpcHeaders.ORIGINAL_CHANNEL)).isEqualTo("jobs");
        assertThat(letter.header("trace")).isEqualTo("t1");
        assertThat(letter.header(DeadLetterPublisher.FAILED_ATTEMPTS)).isEqualTo("2");
        assertThat(calls).hasValue(2);
        await().atMost(Duration.ofSeconds(5)).until(() -> this.jobs.acknowledgedCount() == 1);
        assertThat(this.container.getDeadLetteredCount()).isEqualTo(1);
        assertThat(this.container.getUnhandledFailureCount()).isZero();
    }

    @Test
    void failureWithoutDeadLetterChannelIsCountedAndAcknowledged() {
        container((message, delivery) -> {
            throw new IllegalStateException("boom");
        }).start();
        send("a");
        await().atMost(Duration.ofSeconds(5)).until(() -> this.container.getUnhandledFailureCount() == 1);
        assertThat(this.container.getFailedCount()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(5)).until(() -> this.jobs.acknowledgedCount() == 1);
        assertThat(this.jobs.size()).isZero();
    }

    @Test
    void conversionFailuresAreNotRetried() {
        AtomicInteger calls = new AtomicInteger();
        container((message, delivery) -> {
            calls.incrementAndGet();
            throw new MessageConversionException("not JSON");
        });
        this.container.setRetryPolicy(attempts(5));
        this.container.start();
        send("a");
        await().atMost(Duration.ofSeconds(5)).until(() -> this.container.getFailedCount() == 1);
        assertThat(calls).hasValue(1);
    }

    @Test
    void containerErrorHandlerIsToldAboutTheUnwrappedFailure() {
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        container((message, delivery) -> {
            throw new ListenerExecutionFailedException(message, "wrapped", new IllegalStateException("root"));
        });
        this.container.setErrorHandler((message, error) -> errors.add(error));
        this.container.start();
        send("a");
        await().atMost(Duration.ofSeconds(5)).until(() -> errors.size() == 1);
        assertThat(errors.get(0)).isInstanceOf(IllegalStateException.class).hasMessage("root");
    }

    @Test
    void failedRequestIsAnsweredWithAnErrorReply() {
        container((message, delivery) -> {
            throw new IllegalStateException("cannot do that");
        }).start();
        IpcTemplate template = new IpcTemplate(this.resolver);
        assertThatThrownBy(() -> template.convertSendAndReceive("jobs", "x", String.class, Duration.ofSeconds(5)))
                .isInstanceOf(IpcRemoteListenerException.class)
                .hasMessageContaining("IllegalStateException").hasMessageContaining("cannot do that");
    }

    @Test
    void concurrencyRunsThatManyThreadsPerChannel() throws Exception {
        Set<String> threads = ConcurrentHashMap.newKeySet();
        CountDownLatch allInside = new CountDownLatch(3);
        container((message, delivery) -> {
            threads.add(Thread.currentThread().getName());
            allInside.countDown();
            allInside.await(5, TimeUnit.SECONDS);
        });
        this.container.setConcurrency(3);
        this.container.start();
        for (int i = 0; i < 3; i++) {
            send("m" + i);
        }
        assertThat(allInside.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(threads).hasSize(3).allMatch((name) -> name.startsWith("worker-"));
    }

    @Test
    void virtualThreadsAreUsedOnJdk21AndPlatformThreadsBelow() throws Exception {
        CountDownLatch handled = new CountDownLatch(1);
        Thread[] thread = new Thread[1];
        container((message, delivery) -> {
            thread[0] = Thread.currentThread();
            handled.countDown();
        });
        this.container.setVirtualThreads(true);
        this.container.start();
        send("a");
        assertThat(handled.await(5, TimeUnit.SECONDS)).isTrue();
        if (Runtime.version().feature() >= 21) {
            assertThat((boolean) Thread.class.getMethod("isVirtual").invoke(thread[0])).isTrue();
        }
        else {
            assertThat(thread[0].getName()).as("platform fallback").startsWith("worker-");
        }
    }

    @Test
    void stopWaitsForTheMessageInFlightToFinish() throws Exception {
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch proceed = new CountDownLatch(1);
        container((message, delivery) -> {
            inside.countDown();
            proceed.await(5, TimeUnit.SECONDS);
        }).start();
        send("a");
        assertThat(inside.await(5, TimeUnit.SECONDS)).isTrue();
        CountDownLatch stopped = new CountDownLatch(1);
        this.container.stop(stopped::countDown);
        assertThat(stopped.await(200, TimeUnit.MILLISECONDS)).as("stop waits for the message").isFalse();
        proceed.countDown();
        assertThat(stopped.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(this.jobs.acknowledgedCount()).isEqualTo(1);
        assertThat(this.jobs.releasedCount()).isZero();
    }

    @Test
    void messageStillInFlightAfterTheShutdownTimeoutIsReleasedNotLost() throws Exception {
        CountDownLatch inside = new CountDownLatch(1);
        container((message, delivery) -> {
            inside.countDown();
            new CountDownLatch(1).await(10, TimeUnit.SECONDS);   // a listener too slow for shutdown
        });
        this.container.setShutdownTimeout(Duration.ofMillis(100));
        this.container.start();
        send("a");
        assertThat(inside.await(5, TimeUnit.SECONDS)).isTrue();
        this.container.stop();
        assertThat(this.jobs.releasedCount()).isEqualTo(1);
        assertThat(this.jobs.size()).as("back in the channel").isEqualTo(1);
        assertThat(this.container.getFailedCount()).isZero();
    }

    @Test
    void pausedContainerTakesNoMessagesUntilResumed() {
        container((message, delivery) -> { }).start();
        this.container.pause();
        await().pollDelay(Duration.ofMillis(150)).atMost(Duration.ofSeconds(1)).until(() -> true);
        send("a");
        await().pollDelay(Duration.ofMillis(200)).atMost(Duration.ofSeconds(1)).until(() -> true);
        assertThat(this.jobs.size()).isEqualTo(1);
        this.container.resume();
        await().atMost(Duration.ofSeconds(5)).until(() -> this.container.getHandledCount() == 1);
    }

    @Test
    void consumerSurvivesAReceiveFailure() {
        AtomicInteger receives = new AtomicInteger();
        IpcChannel flaky = new InMemoryIpcChannel("jobs") {
            @Override
            public IpcDelivery receive(Duration timeout) throws InterruptedException {
                if (receives.incrementAndGet() == 1) {
                    throw new io.github.springipc.transport.IpcException("peer not up yet");
                }
                return super.receive(timeout);
            }
        };
        this.container = new DefaultIpcListenerContainer("worker", List.of(flaky), this.resolver);
        this.container.setPollTimeout(Duration.ofMillis(50));
        this.container.setupMessageListener((message, delivery) -> { });
        this.container.start();
        flaky.send(IpcMessage.of(new byte[] { 1 }), Duration.ofSeconds(1));
        await().atMost(Duration.ofSeconds(5)).until(() -> this.container.getHandledCount() == 1);
    }

    @Test
    void listenerSeesChannelAndListenerIdHeaders() throws Exception {
        List<Message<?>> seen = new CopyOnWriteArrayList<>();
        container((message, delivery) -> seen.add(message)).start();
        send("a");
        await().atMost(Duration.ofSeconds(5)).until(() -> seen.size() == 1);
        assertThat(seen.get(0).getHeaders()).containsEntry(IpcHeaders.CHANNEL, "jobs")
                .containsEntry(IpcHeaders.LISTENER_ID, "worker").containsEntry(IpcHeaders.DELIVERY_ATTEMPT, 1);
    }

    /** The jobs channel, recording the timeout of every single receive the container makes. */
    private IpcChannel recordingTimeouts(List<Duration> timeouts) {
        return new InMemoryIpcChannel("jobs") {
            @Override
            public IpcDelivery receive(Duration timeout) throws InterruptedException {
                IpcDelivery delivery = DefaultIpcListenerContainerTests.this.jobs.receive(timeout);
                if (delivery != null) {
                    timeouts.add(timeout);
                }
                return delivery;
            }
        };
    }

    /** The jobs channel, noting the size of every batch it hands out. */
    private IpcChannel recordingBatches(List<Integer> batchSizes) {
        return new InMemoryIpcChannel("jobs") {
            @Override
            public List<IpcDelivery> receive(int maxMessages, Duration timeout) throws InterruptedException {
                List<IpcDelivery> batch = DefaultIpcListenerContainerTests.this.jobs.receive(maxMessages, timeout);
                if (!batch.isEmpty()) {
                    batchSizes.add(batch.size());
                }
                return batch;
            }
        };
    }

    @Test
    void burstIsTakenWithoutWaitingInReceiveBetweenMessages() {
        List<Duration> timeouts = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 50; i++) {
            send("m" + i);
        }
        this.container = new DefaultIpcListenerContainer("worker", List.of(recordingTimeouts(timeouts)), this.resolver);
        this.container.setPollTimeout(Duration.ofMillis(50));
        this.container.setSpinBeforeWait(Duration.ofSeconds(5)); // long: the test must not depend on speed
        this.container.setupMessageListener((message, delivery) -> { });
        this.container.start();

        await().atMost(Duration.ofSeconds(5)).until(() -> this.container.getHandledCount() == 50);
        assertThat(timeouts).hasSize(50);
        assertThat(timeouts.subList(1, 50)).containsOnly(Duration.ZERO);
    }

    @Test
    void withoutSpinBeforeWaitEveryMessageIsAwaitedInReceive() {
        List<Duration> timeouts = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 5; i++) {
            send("m" + i);
        }
        this.container = new DefaultIpcListenerContainer("worker", List.of(recordingTimeouts(timeouts)), this.resolver);
        this.container.setPollTimeout(Duration.ofMillis(50));
        this.container.setSpinBeforeWait(Duration.ZERO);
        this.container.setMaxMessagesPerReceive(1);
        this.container.setupMessageListener((message, delivery) -> { });
        this.container.start();

        await().atMost(Duration.ofSeconds(5)).until(() -> this.container.getHandledCount() == 5);
        assertThat(timeouts).containsOnly(Duration.ofMillis(50));
    }

    @Test
    void idleSpinEndsInABlockingReceive() {
        List<Duration> timeouts = new CopyOnWriteArrayList<>();
        AtomicInteger blockingCalls = new AtomicInteger();
        IpcChannel counting = new InMemoryIpcChannel("jobs") {
            @Override
            public IpcDelivery receive(Duration timeout) throws InterruptedException {
                if (!timeout.isZero()) {
                    blockingCalls.incrementAndGet();
                }
                return DefaultIpcListenerContainerTests.this.jobs.receive(timeout);
            }
        };
        this.container = new DefaultIpcListenerContainer("worker", List.of(counting), this.resolver);
        this.container.setPollTimeout(Duration.ofMillis(50));
        this.container.setSpinBeforeWait(Duration.ofMillis(1));
        this.container.setupMessageListener((message, delivery) -> { });
        this.container.start();
        send("a");
        await().atMost(Duration.ofSeconds(5)).until(() -> this.container.getHandledCount() == 1);
        int before = blockingCalls.get();

        await().atMost(Duration.ofSeconds(5)).until(() -> blockingCalls.get() >= before + 2);
    }

    @Test
    void consumerTakesUpToMaxMessagesPerReceiveAndHandlesThemInOrder() {
        List<Integer> batchSizes = new CopyOnWriteArrayList<>();
        List<String> handled = new CopyOnWriteArrayList<>();
        IpcChannel batching = recordingBatches(batchSizes);
        for (int i = 0; i < 10; i++) {
            send("m" + i);
        }
        this.container = new DefaultIpcListenerContainer("worker", List.of(batching), this.resolver);
        this.container.setPollTimeout(Duration.ofMillis(50));
        this.container.setMaxMessagesPerReceive(4);
        this.container.batchBudgetNanos = Long.MAX_VALUE; // every listener counts as fast
        this.container.setupMessageListener(
                (message, delivery) -> handled.add(new String((byte[]) message.getPayload(), StandardCharsets.UTF_8)));
        this.container.start();

        await().atMost(Duration.ofSeconds(5)).until(() -> this.container.getHandledCount() == 10);
        // one at first, then as many as the listener's pace allows, never more than the bound
        assertThat(batchSizes).containsExactly(1, 4, 4, 1);
        assertThat(handled).containsExactly("m0", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9");
        assertThat(this.jobs.acknowledgedCount()).isEqualTo(10);
    }

    @Test
    void messagesOfABatchNotYetHandledAtStopAreReleasedNotLost() throws Exception {
        CountDownLatch firstStarted = new CountDownLatch(1);
        CountDownLatch finishFirst = new CountDownLatch(1);
        for (int i = 0; i < 6; i++) {
            send("m" + i);
        }
        container((message, delivery) -> {
            if (new String((byte[]) message.getPayload(), StandardCharsets.UTF_8).equals("m1")) {
                firstStarted.countDown(); // the first of a batch of 5 (m0 came alone)
                finishFirst.await(5, TimeUnit.SECONDS);
            }
        });
        this.container.setMaxMessagesPerReceive(5);
        this.container.batchBudgetNanos = Long.MAX_VALUE;
        this.container.start();
        assertThat(firstStarted.await(5, TimeUnit.SECONDS)).isTrue();

        CountDownLatch stopped = new CountDownLatch(1);
        this.container.stop(stopped::countDown);
        finishFirst.countDown();

        assertThat(stopped.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(this.container.getHandledCount()).isEqualTo(2);
        assertThat(this.container.getReleasedCount()).isEqualTo(4);
        assertThat(this.jobs.releasedCount()).isEqualTo(4);
        assertThat(this.jobs.size()).isEqualTo(4);
    }

    @Test
    void aSlowListenerTakesOneMessageAtATime() {
        List<Integer> batchSizes = new CopyOnWriteArrayList<>();
        IpcChannel batching = recordingBatches(batchSizes);
        for (int i = 0; i < 10; i++) {
            send("m" + i);
        }
        this.container = new DefaultIpcListenerContainer("worker", List.of(batching), this.resolver);
        this.container.setMaxMessagesPerReceive(64);
        this.container.batchBudgetNanos = 0; // every listener counts as slower than the budget
        this.container.setupMessageListener((message, delivery) -> { });
        this.container.start();

        await().atMost(Duration.ofSeconds(5)).until(() -> this.container.getHandledCount() == 10);
        assertThat(batchSizes).hasSize(10).containsOnly(1);
    }

    @Test
    void theRestOfABatchIsGivenBackLastFirstSoThatAPipeKeepsItsOrder() throws Exception {
        List<String> released = new CopyOnWriteArrayList<>();
        CountDownLatch secondStarted = new CountDownLatch(1);
        CountDownLatch finishSecond = new CountDownLatch(1);
        IpcChannel recording = new InMemoryIpcChannel("jobs") {
            @Override
            public List<IpcDelivery> receive(int maxMessages, Duration timeout) throws InterruptedException {
                List<IpcDelivery> batch = new java.util.ArrayList<>();
                for (IpcDelivery delivery : DefaultIpcListenerContainerTests.this.jobs.receive(maxMessages, timeout)) {
                    batch.add(new IpcDelivery() {
                        @Override
                        public IpcMessage message() {
                            return delivery.message();
                        }

                        @Override
                        public int deliveryAttempt() {
                            return delivery.deliveryAttempt();
                        }

                        @Override
                        public boolean expectsReply() {
                            return false;
                        }

                        @Override
                        public void reply(IpcMessage reply) {
                        }

                        @Override
                        public void acknowledge() {
                            delivery.acknowledge();
                        }

                        @Override
                        public void release() {
                            released.add(new String(delivery.message().payload(), StandardCharsets.UTF_8));
                            delivery.release();
                        }
                    });
                }
                return batch;
            }
        };
        for (int i = 0; i < 5; i++) {
            send("m" + i);
        }
        this.container = new DefaultIpcListenerContainer("worker", List.of(recording), this.resolver);
        this.container.setMaxMessagesPerReceive(4);
        this.container.batchBudgetNanos = Long.MAX_VALUE;
        this.container.setupMessageListener((message, delivery) -> {
            if (new String((byte[]) message.getPayload(), StandardCharsets.UTF_8).equals("m1")) {
                secondStarted.countDown();
                finishSecond.await(5, TimeUnit.SECONDS);
            }
        });
        this.container.start();
        assertThat(secondStarted.await(5, TimeUnit.SECONDS)).isTrue();

        CountDownLatch stopped = new CountDownLatch(1);
        this.container.stop(stopped::countDown);
        finishSecond.countDown();

        assertThat(stopped.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(released).containsExactly("m4", "m3", "m2");
    }

    @Test
    void loweringMaxMessagesPerReceiveWhileRunningTakesEffect() {
        List<Integer> asked = new CopyOnWriteArrayList<>();
        IpcChannel batching = new InMemoryIpcChannel("jobs") {
            @Override
            public List<IpcDelivery> receive(int maxMessages, Duration timeout) throws InterruptedException {
                asked.add(maxMessages);
                return DefaultIpcListenerContainerTests.this.jobs.receive(maxMessages, timeout);
            }
        };
        for (int i = 0; i < 10; i++) {
            send("m" + i);
        }
        this.container = new DefaultIpcListenerContainer("worker", List.of(batching), this.resolver);
        this.container.setPollTimeout(Duration.ofMillis(20));
        this.container.setMaxMessagesPerReceive(8);
        this.container.batchBudgetNanos = Long.MAX_VALUE;
        this.container.setupMessageListener((message, delivery) -> { });
        this.container.start();
        await().atMost(Duration.ofSeconds(5)).until(() -> this.container.getHandledCount() == 10);
        assertThat(asked).contains(8);

        this.container.setMaxMessagesPerReceive(1);
        int before = asked.size();
        // the call in progress may still ask for 8; the ones it is followed by must not
        await().atMost(Duration.ofSeconds(5)).until(() -> asked.size() >= before + 2);
        for (int i = 0; i < 5; i++) {
            send("n" + i);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> this.container.getHandledCount() == 15);
        assertThat(asked.subList(before + 1, asked.size())).containsOnly(1);
    }

    @Test
    void batchSizeFollowsTheListenersPace() {
        long budget = DefaultIpcListenerContainer.BATCH_BUDGET_NANOS;
        // one slow message in a fast batch: back to one at a time
        assertThat(DefaultIpcListenerContainer.nextBatchSize(64, 63_000 + 5_000_000, 64, budget)).isEqualTo(1);
        assertThat(DefaultIpcListenerContainer.nextBatchSize(10, 10_000, 64, budget)).isEqualTo(64); // 1 µs each
        assertThat(DefaultIpcListenerContainer.nextBatchSize(4, 200_000, 64, budget)).isEqualTo(20); // 50 µs each
        assertThat(DefaultIpcListenerContainer.nextBatchSize(1, 5_000_000, 64, budget)).isEqualTo(1); // 5 ms
        assertThat(DefaultIpcListenerContainer.nextBatchSize(3, 0, 64, budget)).isEqualTo(64); // below the clock's grain
        assertThat(DefaultIpcListenerContainer.nextBatchSize(1, 10, 1, budget)).isEqualTo(1);
    }

    @Test
    void listenerThatSucceedsAtOnceIsCalledOnceUnderARetryPolicy() {
        AtomicInteger calls = new AtomicInteger();
        container((message, delivery) -> calls.incrementAndGet());
        this.container.setRetryPolicy(attempts(3));
        this.container.start();
        send("a");
        await().atMost(Duration.ofSeconds(5)).until(() -> this.container.getHandledCount() == 1);
        assertThat(calls).hasValue(1);
    }

    @Test
    void retryWithATimeoutCountsAttemptsAsWithout() {
        List<Object> seenAttempts = new CopyOnWriteArrayList<>();
        container((message, delivery) -> {
            seenAttempts.add(message.getHeaders().get(IpcHeaders.DELIVERY_ATTEMPT));
            throw new IllegalStateException("always");
        });
        this.container.setRetryPolicy(RetryPolicy.builder().maxRetries(2).delay(Duration.ofMillis(1))
                .timeout(Duration.ofSeconds(30)).build());
        this.container.setDeadLetterChannel("dlq");
        this.container.start();
        send("a");
        await().atMost(Duration.ofSeconds(5)).until(() -> this.container.getDeadLetteredCount() == 1);
        assertThat(seenAttempts).containsExactly(1, 2, 3);
        assertThat(this.deadLetters.size()).isEqualTo(1);
    }
}

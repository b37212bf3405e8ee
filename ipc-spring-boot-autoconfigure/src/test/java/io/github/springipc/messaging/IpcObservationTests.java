package io.github.springipc.messaging;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import io.github.springipc.listener.DefaultIpcListenerContainer;
import io.github.springipc.test.InMemoryIpcChannel;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.tck.TestObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistryAssert;
import io.micrometer.observation.transport.ReceiverContext;
import io.micrometer.observation.transport.SenderContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class IpcObservationTests {

    private final TestObservationRegistry registry = TestObservationRegistry.create();

    private final InMemoryIpcChannel jobs = new InMemoryIpcChannel("jobs");

    private final IpcTemplate template = new IpcTemplate((name) -> this.jobs);

    private DefaultIpcListenerContainer container;

    @AfterEach
    void stop() {
        if (this.container != null) {
            this.container.stop();
        }
    }

    private void startListener(boolean fail) {
        this.container = new DefaultIpcListenerContainer("worker", List.of(this.jobs), (name) -> this.jobs);
        this.container.setPollTimeout(Duration.ofMillis(50));
        this.container.setObservationRegistry(this.registry);
        this.container.setupMessageListener((message, delivery) -> {
            if (fail) {
                throw new IllegalStateException("fails");
            }
        });
        this.container.start();
    }

    @Test
    void sendAndReceiveAreObservedWithLowCardinalityTags() {
        this.template.setObservationRegistry(this.registry);
        startListener(false);
        this.template.convertAndSend("jobs", "x");
        await().atMost(Duration.ofSeconds(5)).until(() -> this.container.getHandledCount() == 1);
        TestObservationRegistryAssert.assertThat(this.registry)
                .hasObservationWithNameEqualTo("ipc.template").that()
                .hasLowCardinalityKeyValue("ipc.channel", "jobs").hasLowCardinalityKeyValue("outcome", "SUCCESS")
                .hasBeenStarted().hasBeenStopped();
        TestObservationRegistryAssert.assertThat(this.registry)
                .hasObservationWithNameEqualTo("ipc.listener").that()
                .hasLowCardinalityKeyValue("ipc.channel", "jobs").hasLowCardinalityKeyValue("ipc.listener.id", "worker")
                .hasLowCardinalityKeyValue("outcome", "SUCCESS").hasBeenStopped();
    }

    @Test
    void failedMessageIsObservedWithFailureOutcome() {
        startListener(true);
        this.template.convertAndSend("jobs", "x");
        await().atMost(Duration.ofSeconds(5)).until(() -> this.container.getFailedCount() == 1);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> TestObservationRegistryAssert.assertThat(this.registry)
                .hasObservationWithNameEqualTo("ipc.listener").that()
                .hasLowCardinalityKeyValue("outcome", "FAILURE").hasError());
    }

    @Test
    void traceContextInjectedBySenderIsReadByTheListener() {
        List<String> extracted = new CopyOnWriteArrayList<>();
        this.registry.observationConfig().observationHandler(new PropagatingHandler(extracted));
        this.template.setObservationRegistry(this.registry);
        startListener(false);
        this.template.convertAndSend("jobs", "x");
        await().atMost(Duration.ofSeconds(5)).until(() -> extracted.size() == 1);
        assertThat(extracted).containsExactly("trace-42");
    }

    @Test
    void traceContextTravelsWithObjectsSentAsJson() throws Exception {
        List<String> extracted = new CopyOnWriteArrayList<>();
        this.registry.observationConfig().observationHandler(new PropagatingHandler(extracted));
        this.template.setObservationRegistry(this.registry);

        this.template.convertAndSend("jobs", (Object) Map.of("a", 1)); // the direct JSON route

        io.github.springipc.transport.IpcMessage sent = this.jobs.receive(Duration.ofSeconds(1)).message();
        assertThat(sent.headers()).containsEntry("traceparent", "trace-42").containsEntry("contentType", "application/json");
        TestObservationRegistryAssert.assertThat(this.registry).hasObservationWithNameEqualTo("ipc.template");
    }

    @Test
    void withoutRegistryNothingIsObserved() {
        InMemoryIpcChannel plain = new InMemoryIpcChannel("plain");
        new IpcTemplate((name) -> plain).convertAndSend("plain", (Object) Map.of("a", 1));
        TestObservationRegistryAssert.assertThat(this.registry).doesNotHaveAnyObservation();
    }

    /** Stands in for a tracer's propagating handlers: injects on send, extracts on receive. */
    private record PropagatingHandler(List<String> extracted) implements ObservationHandler<Observation.Context> {

        @Override
        @SuppressWarnings({ "unchecked", "rawtypes" })
        public void onStart(Observation.Context context) {
            if (context instanceof SenderContext sender) {
                sender.getSetter().set(sender.getCarrier(), "traceparent", "trace-42");
            }
            else if (context instanceof ReceiverContext receiver) {
                String value = (String) receiver.getGetter().get(receiver.getCarrier(), "traceparent");
                if (value != null) {
                    this.extracted.add(value);
                }
            }
        }

        @Override
        public boolean supportsContext(Observation.Context context) {
            return true;
        }
    }
}

package io.github.springipc.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

import io.github.springipc.annotation.IpcListener;
import io.github.springipc.config.FastIpcTestConfig;
import io.github.springipc.test.InMemoryIpcChannel;
import io.github.springipc.transport.IpcMessage;

/**
 * A JSON payload that names a class ({@code "@class"}, a wrapper-array type hint, a type-id
 * header) never makes a real {@code @IpcListener} instantiate that class: the target type is the
 * listener parameter's, and its untyped parts become maps and lists.
 */
class GadgetPayloadTest {

    private static final String GADGET = Gadget.class.getName();

    /** Hostile bodies: the class name as a property, as a wrapper array, nested in an untyped field. */
    private static final List<String> HOSTILE = List.of(
            "{\"@class\":\"" + GADGET + "\",\"command\":\"touch /tmp/pwned\"}",
            "[\"" + GADGET + "\",{\"command\":\"touch /tmp/pwned\"}]",
            "{\"name\":\"job\",\"details\":{\"@class\":\"" + GADGET + "\",\"command\":\"x\"}}",
            "{\"name\":\"job\",\"details\":[\"" + GADGET + "\",{\"command\":\"x\"}]}",
            "{\"@type\":\"" + GADGET + "\",\"@c\":\".Gadget\",\"name\":\"job\"}");

    record Job(String name, Object details) {
    }

    static final List<Object> SEEN = new CopyOnWriteArrayList<>();

    static class Listeners {

        @IpcListener("jobs")
        void onJob(Job job) {
            SEEN.add(job);
        }

        @IpcListener("anything")
        void onAnything(Object payload) {
            SEEN.add(payload);
        }
    }

    @Configuration(proxyBeanMethods = false)
    @Import(FastIpcTestConfig.class)
    static class Channels {

        @Bean
        InMemoryIpcChannel jobs() {
            return new InMemoryIpcChannel("jobs");
        }

        @Bean
        InMemoryIpcChannel anything() {
            return new InMemoryIpcChannel("anything");
        }

        @Bean
        Listeners listeners() {
            return new Listeners();
        }
    }

    @BeforeEach
    void reset() {
        SEEN.clear();
        Gadget.INSTANCES.set(0);
    }

    @Test
    void hostileTypeHintsNeverInstantiateTheNamedClass() {
        new ApplicationContextRunner().withUserConfiguration(Channels.class).run(context -> {
            InMemoryIpcChannel jobs = context.getBean("jobs", InMemoryIpcChannel.class);
            InMemoryIpcChannel anything = context.getBean("anything", InMemoryIpcChannel.class);
            for (String body : HOSTILE) {
                IpcMessage message = IpcMessage.of(Map.of(IpcMessage.CONTENT_TYPE, "application/json",
                        "__TypeId__", GADGET, "ipc_type", GADGET), body.getBytes(StandardCharsets.UTF_8));
                jobs.send(message, Duration.ofSeconds(1));
                anything.send(message, Duration.ofSeconds(1));
            }
            int sent = 2 * HOSTILE.size();
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> jobs.acknowledgedCount() + anything.acknowledgedCount() == sent);
            assertThat(Gadget.INSTANCES).as("Gadget instances").hasValue(0);
            assertThat(SEEN).as("what the listeners got").isNotEmpty().noneMatch(Gadget.class::isInstance);
            SEEN.stream().filter(Job.class::isInstance).map(job -> ((Job) job).details())
                    .filter(java.util.Objects::nonNull).forEach(details -> assertThat(details).isNotInstanceOf(Gadget.class));
            System.out.println("GadgetPayloadTest: " + sent + " hostile payloads, " + SEEN.size()
                    + " reached a listener (as maps, lists and Job records), 0 Gadgets: " + SEEN);
        });
    }
}

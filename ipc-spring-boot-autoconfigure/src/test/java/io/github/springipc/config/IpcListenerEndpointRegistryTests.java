package io.github.springipc.config;

import java.time.Duration;

import io.github.springipc.annotation.IpcListener;
import io.github.springipc.annotation.IpcListenerConfigurer;
import io.github.springipc.listener.IpcListenerContainer;
import io.github.springipc.messaging.IpcTemplate;
import io.github.springipc.test.InMemoryIpcChannel;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

class IpcListenerEndpointRegistryTests {

    @Configuration(proxyBeanMethods = false)
    @Import(FastIpcTestConfig.class)
    static class Setup {

        @Bean
        InMemoryIpcChannel control() {
            return new InMemoryIpcChannel("control");
        }

        @Bean
        InMemoryIpcChannel jobs() {
            return new InMemoryIpcChannel("jobs");
        }
    }

    static class Listeners {

        @IpcListener(value = "control", id = "ctl", autoStartup = "false")
        String onCommand(String command) {
            return "ok:" + command;
        }

        @IpcListener(value = "jobs", id = "worker")
        void onJob(String job) {
        }
    }

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withUserConfiguration(Setup.class).withBean(Listeners.class);

    @Test
    void autoStartupListenersRunAfterRefresh() {
        this.runner.run((context) -> {
            IpcListenerEndpointRegistry registry = context.getBean(IpcListenerEndpointRegistry.class);
            assertThat(registry.getListenerContainer("worker").isRunning()).isTrue();
            assertThat(registry.getListenerContainerIds()).containsExactlyInAnyOrder("ctl", "worker");
        });
    }

    @Test
    void listenerWithAutoStartupFalseWaitsUntilStartedById() {
        this.runner.run((context) -> {
            IpcListenerEndpointRegistry registry = context.getBean(IpcListenerEndpointRegistry.class);
            InMemoryIpcChannel control = context.getBean("control", InMemoryIpcChannel.class);
            assertThat(registry.getListenerContainer("ctl").isRunning()).isFalse();
            context.getBean(IpcTemplate.class).convertAndSend("control", "early");
            registry.start("ctl");
            await().atMost(Duration.ofSeconds(5)).until(() -> control.acknowledgedCount() == 1);
            assertThat(context.getBean(IpcTemplate.class).convertSendAndReceive("control", "status", String.class))
                    .isEqualTo("ok:status");
        });
    }

    @Test
    void pausedListenerLeavesMessagesInTheChannelUntilResumed() {
        this.runner.run((context) -> {
            IpcListenerEndpointRegistry registry = context.getBean(IpcListenerEndpointRegistry.class);
            InMemoryIpcChannel jobs = context.getBean("jobs", InMemoryIpcChannel.class);
            registry.pause("worker");
            assertThat(registry.getListenerContainer("worker").isPaused()).isTrue();
            await().pollDelay(Duration.ofMillis(120)).atMost(Duration.ofSeconds(1)).until(() -> true);
            context.getBean(IpcTemplate.class).convertAndSend("jobs", "j1");
            await().pollDelay(Duration.ofMillis(150)).atMost(Duration.ofSeconds(1)).until(() -> true);
            assertThat(jobs.size()).isEqualTo(1);
            registry.resume("worker");
            await().atMost(Duration.ofSeconds(5)).until(() -> jobs.acknowledgedCount() == 1);
        });
    }

    @Test
    void stoppedListenerCanBeStartedAgain() {
        this.runner.run((context) -> {
            IpcListenerEndpointRegistry registry = context.getBean(IpcListenerEndpointRegistry.class);
            registry.stop("worker");
            assertThat(registry.getListenerContainer("worker").isRunning()).isFalse();
            registry.start("worker");
            context.getBean(IpcTemplate.class).convertAndSend("jobs", "j1");
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> registry.getListenerContainer("worker").getHandledCount() == 1);
        });
    }

    @Test
    void unknownIdNamesTheKnownOnes() {
        this.runner.run((context) -> assertThatIllegalArgumentException()
                .isThrownBy(() -> context.getBean(IpcListenerEndpointRegistry.class).start("clt"))
                .withMessageContaining("'clt'").withMessageContaining("[ctl, worker]"));
    }

    @Test
    void duplicateIdIsRejected() {
        this.runner.run((context) -> {
            IpcListenerEndpointRegistry registry = context.getBean(IpcListenerEndpointRegistry.class);
            IpcListenerContainerFactory factory = context.getBean(IpcListenerContainerFactory.class);
            assertThatIllegalStateException().isThrownBy(() -> registry.registerListenerContainer(
                    new SimpleIpcListenerEndpoint("worker", "jobs", (m, d) -> { }), factory, false))
                    .withMessageContaining("'worker'");
        });
    }

    @Test
    void endpointRegisteredAfterRefreshStartsAtOnce() {
        IpcListenerEndpointRegistrar[] captured = new IpcListenerEndpointRegistrar[1];
        this.runner.withBean(IpcListenerConfigurer.class, () -> (registrar) -> captured[0] = registrar)
                .run((context) -> {
                    captured[0].registerEndpoint(new SimpleIpcListenerEndpoint("late", "jobs", (m, d) -> { }));
                    IpcListenerContainer late = context.getBean(IpcListenerEndpointRegistry.class)
                            .getListenerContainer("late");
                    assertThat(late).isNotNull();
                    assertThat(late.isRunning()).isTrue();
                });
    }

    @Test
    void contextCloseStopsEveryListener() {
        IpcListenerEndpointRegistry[] registry = new IpcListenerEndpointRegistry[1];
        this.runner.run((context) -> registry[0] = context.getBean(IpcListenerEndpointRegistry.class));
        assertThat(registry[0].getListenerContainers()).noneMatch(IpcListenerContainer::isRunning);
    }

    @Configuration(proxyBeanMethods = false)
    static class SecondFactory {

        @Bean
        DefaultIpcListenerContainerFactory slowFactory(io.github.springipc.messaging.IpcChannelResolver channels) {
            DefaultIpcListenerContainerFactory factory = new DefaultIpcListenerContainerFactory(channels);
            factory.setDeadLetterChannel("factory-dlq");
            factory.setConcurrency(2);
            factory.setPollTimeout(Duration.ofMillis(50));
            return factory;
        }
    }

    static class CustomFactoryListener {

        @IpcListener(value = "jobs", id = "custom", containerFactory = "slowFactory", concurrency = "3")
        void handle(String text) {
        }
    }

    @Test
    void namedContainerFactorySuppliesDefaultsThatTheAnnotationOverrides() {
        new ApplicationContextRunner().withUserConfiguration(Setup.class, SecondFactory.class)
                .withBean(CustomFactoryListener.class).run((context) -> {
                    var container = (io.github.springipc.listener.DefaultIpcListenerContainer) context
                            .getBean(IpcListenerEndpointRegistry.class).getListenerContainer("custom");
                    assertThat(container.getDeadLetterChannelFor("jobs")).isEqualTo("factory-dlq");
                    assertThat(container.getConcurrency()).isEqualTo(3);
                });
    }
}

package io.github.springipc.autoconfigure;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.messaging.converter.JacksonJsonMessageConverter;

import io.github.springipc.config.DefaultIpcListenerContainerFactory;
import io.github.springipc.messaging.DefaultIpcMessageConverter;
import io.github.springipc.config.IpcBeanNames;
import io.github.springipc.config.IpcListenerEndpointRegistry;
import io.github.springipc.messaging.IpcChannelResolver;
import io.github.springipc.messaging.IpcTemplate;
import io.github.springipc.transport.pipe.IpcPipe;
import io.github.springipc.transport.pipe.PipeState;
import io.github.springipc.transport.shm.IpcSharedMemory;

import static org.assertj.core.api.Assertions.assertThat;

class IpcAutoConfigurationTests {

    @TempDir
    Path dir;

    private ApplicationContextRunner runner() {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(IpcAutoConfiguration.class))
                .withPropertyValues("ipc.directory=" + this.dir);
    }

    @Test
    void withoutChannelsTheMessagingInfrastructureIsThere() {
        runner().run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context).hasSingleBean(IpcTemplate.class);
            assertThat(context).hasSingleBean(IpcChannelResolver.class);
            assertThat(context).hasSingleBean(IpcListenerEndpointRegistry.class);
            assertThat(context).hasBean(IpcBeanNames.CONTAINER_FACTORY);
            assertThat(context).doesNotHaveBean(IpcPipe.class);
            assertThat(context).doesNotHaveBean(IpcSharedMemory.class);
        });
    }

    @Test
    void theConverterUsesTheApplicationsJsonMapperOrMakesItsOwnOnFirstUse() {
        runner().run(context -> {
            DefaultIpcMessageConverter converter = context.getBean(DefaultIpcMessageConverter.class);
            // no mapper of the application: none is built while the context starts
            assertThat(converter.isJsonConverterMade()).isFalse();
            assertThat(converter.toMessage(java.util.Map.of("a", 1), null).getPayload())
                    .isEqualTo("{\"a\":1}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        });
        // the application's mapper, recognisable by its indented output
        JsonMapper applicationMapper = JsonMapper.builder().enable(tools.jackson.databind.SerializationFeature.INDENT_OUTPUT)
                .build();
        runner().withBean(JsonMapper.class, () -> applicationMapper).run(context -> {
            DefaultIpcMessageConverter converter = context.getBean(DefaultIpcMessageConverter.class);
            assertThat(converter.getConverters().get(2)).isInstanceOf(JacksonJsonMessageConverter.class);
            assertThat(new String((byte[]) converter.toMessage(java.util.Map.of("a", 1), null).getPayload(),
                    java.nio.charset.StandardCharsets.UTF_8)).contains("\n");
        });
    }

    @Test
    void eachConfiguredChannelIsABeanNamedAfterIt() {
        runner().withPropertyValues("ipc.pipes.control.role=bind", "ipc.shared-memory.stats.size=64KB")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    IpcPipe control = context.getBean("control", IpcPipe.class);
                    assertThat(control.name()).isEqualTo("control");
                    assertThat(control.state()).isEqualTo(PipeState.WAITING_FOR_PEER);
                    assertThat(this.dir.resolve("control.sock")).exists();
                    IpcSharedMemory stats = context.getBean("stats", IpcSharedMemory.class);
                    assertThat(stats.size()).isEqualTo(64 * 1024);
                    assertThat(stats.path()).isEqualTo(this.dir.resolve("stats.shm"));
                });
    }

    @Test
    void channelsCloseWithTheContext() {
        IpcPipe[] pipe = new IpcPipe[1];
        runner().withPropertyValues("ipc.pipes.control.role=bind")
                .run(context -> pipe[0] = context.getBean("control", IpcPipe.class));
        assertThat(pipe[0].state()).isEqualTo(PipeState.CLOSED);
        assertThat(this.dir.resolve("control.sock")).doesNotExist();
    }

    @Test
    void propertiesReachTheContainerFactoryAndTemplate() {
        runner().withPropertyValues("ipc.listener.concurrency=3", "ipc.listener.retry.max-attempts=5",
                "ipc.template.reply-timeout=7s", "ipc.queues.jobs.capacity=64KB", "ipc.queues.jobs.max-message-size=1KB",
                "ipc.queues.jobs.dead-letter=dlq", "ipc.queues.dlq.capacity=64KB", "ipc.queues.dlq.max-message-size=1KB")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context.getBean(IpcTemplate.class).getReplyTimeout()).isEqualTo(Duration.ofSeconds(7));
                    DefaultIpcListenerContainerFactory factory = context.getBean(IpcBeanNames.CONTAINER_FACTORY,
                            DefaultIpcListenerContainerFactory.class);
                    assertThat(factory).hasFieldOrPropertyWithValue("concurrency", 3)
                            .hasFieldOrPropertyWithValue("maxAttempts", 5);
                    assertThat(factory).extracting("deadLetterChannels").asString().contains("jobs=dlq");
                });
    }

    @Test
    void userBeansWin() {
        runner().withUserConfiguration(UserBeans.class).withPropertyValues("ipc.pipes.control.role=bind")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context.getBean(IpcTemplate.class)).isSameAs(UserBeans.TEMPLATE);
                    assertThat(context.getBean(IpcBeanNames.CONTAINER_FACTORY)).isSameAs(UserBeans.FACTORY);
                    assertThat(context.getBean("control")).isEqualTo("the user's own");
                    assertThat(this.dir.resolve("control.sock")).doesNotExist();
                });
    }

    @Configuration(proxyBeanMethods = false)
    static class UserBeans {

        static final IpcTemplate TEMPLATE = new IpcTemplate(name -> {
            throw new IllegalStateException(name);
        });

        static final DefaultIpcListenerContainerFactory FACTORY = new DefaultIpcListenerContainerFactory(name -> {
            throw new IllegalStateException(name);
        });

        @Bean
        IpcTemplate myTemplate() {
            return TEMPLATE;
        }

        @Bean(IpcBeanNames.CONTAINER_FACTORY)
        DefaultIpcListenerContainerFactory myFactory() {
            return FACTORY;
        }

        @Bean
        String control() {
            return "the user's own";
        }
    }

    @Test
    void sameNameInTwoKindsFailsStartupNamingBoth() {
        assertFailure(runner().withPropertyValues("ipc.pipes.stats.role=bind", "ipc.shared-memory.stats.size=1MB"),
                "ipc.shared-memory.stats", "ipc.pipes.stats");
    }

    @Test
    void negativeSizeFailsStartupNamingTheProperty() {
        assertFailure(runner().withPropertyValues("ipc.shared-memory.stats.size=-1MB"), "ipc.shared-memory.stats.size",
                "must be positive");
    }

    @Test
    void capacityThatIsNotAPowerOfTwoFailsStartup() {
        assertFailure(runner().withPropertyValues("ipc.queues.jobs.capacity=3MB"), "ipc.queues.jobs.capacity",
                "power of two");
    }

    @Test
    void unknownDeadLetterQueueFailsStartup() {
        assertFailure(runner().withPropertyValues("ipc.queues.jobs.dead-letter=nowhere"), "ipc.queues.jobs.dead-letter",
                "no queue of that name");
    }

    @Test
    void unwritableDirectoryFailsStartup() throws Exception {
        Path file = Files.createFile(this.dir.resolve("a-file"));
        assertFailure(new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(IpcAutoConfiguration.class))
                .withPropertyValues("ipc.directory=" + file.resolve("ipc")), "ipc.directory", "not a writable directory");
    }

    @Test
    void fileModeOpenToOthersFailsStartup() {
        assertFailure(runner().withPropertyValues("ipc.pipes.control.file-mode=rw-rw-rw-"), "ipc.pipes.control.file-mode",
                "other users");
    }

    private static void assertFailure(ApplicationContextRunner runner, String property, String reason) {
        runner.run(context -> {
            assertThat(context).hasFailed();
            Throwable failure = context.getStartupFailure();
            FailureAnalysis analysis = new InvalidIpcPropertyFailureAnalyzer().analyze(failure);
            assertThat(analysis).as("failure analysis of " + failure).isNotNull();
            assertThat(analysis.getDescription()).contains(property).contains(reason);
            assertThat(analysis.getAction()).startsWith("Change " + property);
        });
    }
}

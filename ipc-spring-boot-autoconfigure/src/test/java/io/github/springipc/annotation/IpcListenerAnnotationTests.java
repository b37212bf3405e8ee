package io.github.springipc.annotation;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import io.github.springipc.config.FastIpcTestConfig;
import io.github.springipc.config.IpcListenerEndpointRegistry;
import io.github.springipc.config.SimpleIpcListenerEndpoint;
import io.github.springipc.listener.IpcListenerErrorHandler;
import io.github.springipc.messaging.IpcHeaders;
import io.github.springipc.messaging.IpcTemplate;
import io.github.springipc.test.InMemoryIpcChannel;
import io.github.springipc.transport.IpcDelivery;
import io.github.springipc.transport.IpcMessage;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.BeanCreationException;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.messaging.Message;
import org.springframework.messaging.handler.annotation.Header;
import org.springframework.messaging.handler.annotation.Headers;
import org.springframework.messaging.handler.annotation.Payload;
import org.springframework.messaging.handler.annotation.SendTo;
import org.springframework.messaging.handler.annotation.support.MethodArgumentNotValidException;
import org.springframework.validation.Errors;
import org.springframework.validation.Validator;
import org.springframework.validation.annotation.Validated;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class IpcListenerAnnotationTests {

    record Job(String jobName, int priority) {
    }

    /** What listeners saw, for assertions. */
    static class Seen {

        final List<Object> values = new CopyOnWriteArrayList<>();

        Object awaitOne() {
            await().atMost(Duration.ofSeconds(5)).until(() -> !this.values.isEmpty());
            return this.values.get(0);
        }
    }

    @Configuration(proxyBeanMethods = false)
    @Import(FastIpcTestConfig.class)
    static class Channels {

        @Bean
        Seen seen() {
            return new Seen();
        }

        @Bean
        InMemoryIpcChannel jobs() {
            return new InMemoryIpcChannel("jobs");
        }

        @Bean
        InMemoryIpcChannel control() {
            return new InMemoryIpcChannel("control");
        }

        @Bean
        InMemoryIpcChannel results() {
            return new InMemoryIpcChannel("results");
        }

        @Bean
        InMemoryIpcChannel dlq() {
            return new InMemoryIpcChannel("dlq");
        }
    }

    private final ApplicationContextRunner runner = new ApplicationContextRunner().withUserConfiguration(Channels.class);

    static class PojoListener {

        final Seen seen;

        PojoListener(Seen seen) {
            this.seen = seen;
        }

        @IpcListener("jobs")
        void handle(Job job, @Header(IpcHeaders.DELIVERY_ATTEMPT) int attempt) {
            this.seen.values.add(job + "@" + attempt);
        }
    }

    @Test
    void listenerReceivesThePayloadConvertedToItsParameterType() {
        this.runner.withBean(PojoListener.class).run((context) -> {
            context.getBean(IpcTemplate.class).convertAndSend("jobs", new Job("build", 2));
            assertThat(context.getBean(Seen.class).awaitOne()).isEqualTo(new Job("build", 2) + "@1");
        });
    }

    static class ReplyingListener {

        @IpcListener(value = "control", id = "ctl", concurrency = "1")
        String onCommand(String command) {
            return "ok:" + command;
        }
    }

    @Test
    void returnValueIsTheReplyToTheRequester() {
        this.runner.withBean(ReplyingListener.class).run((context) -> {
            String reply = context.getBean(IpcTemplate.class).convertSendAndReceive("control", "status", String.class);
            assertThat(reply).isEqualTo("ok:status");
        });
    }

    static class PlaceholderListener {

        final Seen seen;

        PlaceholderListener(Seen seen) {
            this.seen = seen;
        }

        @IpcListener(value = "${app.channel}", id = "#{'spel-' + 'id'}")
        void handle(String text) {
            this.seen.values.add(text);
        }
    }

    @Test
    void placeholdersAndSpelAreResolved() {
        this.runner.withPropertyValues("app.channel=jobs").withBean(PlaceholderListener.class).run((context) -> {
            assertThat(context.getBean(IpcListenerEndpointRegistry.class).getListenerContainerIds()).contains("spel-id");
            context.getBean(IpcTemplate.class).convertAndSend("jobs", "hi");
            assertThat(context.getBean(Seen.class).awaitOne()).isEqualTo("hi");
        });
    }

    static class RepeatedListener {

        final Seen seen;

        RepeatedListener(Seen seen) {
            this.seen = seen;
        }

        @IpcListener("jobs")
        @IpcListener("control")
        void handle(String text, @Header(IpcHeaders.CHANNEL) String channel) {
            this.seen.values.add(channel + ":" + text);
        }
    }

    @Test
    void repeatedAnnotationListensOnEachChannel() {
        this.runner.withBean(RepeatedListener.class).run((context) -> {
            IpcTemplate template = context.getBean(IpcTemplate.class);
            template.convertAndSend("jobs", "a");
            template.convertAndSend("control", "b");
            Seen seen = context.getBean(Seen.class);
            await().atMost(Duration.ofSeconds(5)).until(() -> seen.values.size() == 2);
            assertThat(seen.values).containsExactlyInAnyOrder("jobs:a", "control:b");
            assertThat(context.getBean(IpcListenerEndpointRegistry.class).getListenerContainerIds()).hasSize(2);
        });
    }

    static class MessageListener {

        final Seen seen;

        MessageListener(Seen seen) {
            this.seen = seen;
        }

        @IpcListener("jobs")
        void handle(Message<Job> message, @Headers Map<String, Object> headers) {
            this.seen.values.add(message.getPayload().jobName() + "/" + headers.get("region"));
        }
    }

    @Test
    void messageAndHeadersArgumentsAreResolved() {
        this.runner.withBean(MessageListener.class).run((context) -> {
            context.getBean(IpcTemplate.class).convertAndSend("jobs", new Job("x", 1), Map.of("region", "eu"));
            assertThat(context.getBean(Seen.class).awaitOne()).isEqualTo("x/eu");
        });
    }

    static class ValidatingListener {

        final Seen seen;

        ValidatingListener(Seen seen) {
            this.seen = seen;
        }

        @IpcListener(value = "jobs", deadLetterChannel = "dlq", maxAttempts = "3")
        void handle(@Payload @Validated Job job) {
            this.seen.values.add(job);
        }
    }

    /** A plain Spring Validator: priority must be positive. */
    static class PositivePriority implements Validator {

        @Override
        public boolean supports(Class<?> clazz) {
            return Job.class.equals(clazz);
        }

        @Override
        public void validate(Object target, Errors errors) {
            if (((Job) target).priority() <= 0) {
                errors.rejectValue("priority", "positive", "priority must be > 0");
            }
        }
    }

    @Test
    void invalidPayloadIsDeadLetteredWithoutRetrying() {
        this.runner.withBean(ValidatingListener.class).withBean(PositivePriority.class).run((context) -> {
            IpcTemplate template = context.getBean(IpcTemplate.class);
            template.convertAndSend("jobs", new Job("bad", 0));
            IpcDelivery dead = context.getBean("dlq", InMemoryIpcChannel.class).receive(Duration.ofSeconds(5));
            assertThat(dead).isNotNull();
            assertThat(dead.message().header(IpcHeaders.EXCEPTION_CLASS))
                    .isEqualTo(MethodArgumentNotValidException.class.getName());
            assertThat(dead.message().header("ipc_failedAttempts")).isEqualTo("1");
            assertThat(context.getBean(Seen.class).values).isEmpty();
        });
    }

    @Test
    void validPayloadPassesValidation() {
        this.runner.withBean(ValidatingListener.class).withBean(PositivePriority.class).run((context) -> {
            context.getBean(IpcTemplate.class).convertAndSend("jobs", new Job("good", 1));
            assertThat(context.getBean(Seen.class).awaitOne()).isEqualTo(new Job("good", 1));
        });
    }

    static class ForwardingListener {

        @IpcListener("jobs")
        @SendTo("results")
        String handle(String text) {
            return text.toUpperCase();
        }
    }

    @Test
    void sendToForwardsTheReturnValueWhenNobodyWaits() throws Exception {
        this.runner.withBean(ForwardingListener.class).run((context) -> {
            context.getBean(IpcTemplate.class).convertAndSend("jobs", "abc");
            IpcDelivery forwarded = context.getBean("results", InMemoryIpcChannel.class).receive(Duration.ofSeconds(5));
            assertThat(forwarded).isNotNull();
            assertThat(new String(forwarded.message().payload(), StandardCharsets.UTF_8)).isEqualTo("ABC");
        });
    }

    @Test
    void returnValueWithoutRequesterOrSendToIsDroppedAndTheMessageHandled() {
        this.runner.withBean(ReplyingListener.class).run((context) -> {
            context.getBean(IpcTemplate.class).convertAndSend("control", "fire-and-forget");
            IpcListenerEndpointRegistry registry = context.getBean(IpcListenerEndpointRegistry.class);
            await().atMost(Duration.ofSeconds(5)).until(() -> registry.getListenerContainer("ctl").getHandledCount() == 1);
            assertThat(registry.getListenerContainer("ctl").getFailedCount()).isZero();
        });
    }

    static class FailingListener {

        @IpcListener(value = "control", errorHandler = "fallback")
        String handle(String text) {
            throw new IllegalStateException("down");
        }
    }

    @Test
    void listenerErrorHandlerCanAnswerWithAFallback() {
        this.runner.withBean(FailingListener.class)
                .withBean("fallback", IpcListenerErrorHandler.class,
                        () -> (message, ex) -> "fallback:" + ex.getCause().getMessage())
                .run((context) -> assertThat(context.getBean(IpcTemplate.class)
                        .convertSendAndReceive("control", "x", String.class)).isEqualTo("fallback:down"));
    }

    static class UnknownChannelListener {

        @IpcListener("nope")
        void handle(String text) {
        }
    }

    @Test
    void unknownChannelFailsStartupNamingTheKnownChannels() {
        this.runner.withBean("unknownChannelListener", UnknownChannelListener.class).run((context) -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).hasMessageContaining("listener 'unknownChannelListener.handle'")
                    .hasMessageContaining("'nope'").hasMessageContaining("[control, dlq, jobs, results]");
        });
    }

    static class NoChannelListener {

        @IpcListener(id = "x")
        void handle(String text) {
        }
    }

    @Test
    void listenerWithoutChannelFailsStartup() {
        this.runner.withBean(NoChannelListener.class).run((context) -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).isInstanceOf(BeanCreationException.class)
                    .hasStackTraceContaining("names no channel");
        });
    }

    @Test
    void configurerRegistersAProgrammaticEndpoint() {
        this.runner.withBean(IpcListenerConfigurer.class, () -> (registrar) -> registrar.registerEndpoint(
                new SimpleIpcListenerEndpoint("audit", "jobs", (message, delivery) -> { })))
                .run((context) -> {
                    context.getBean(IpcTemplate.class).convertAndSend("jobs", "a");
                    IpcListenerEndpointRegistry registry = context.getBean(IpcListenerEndpointRegistry.class);
                    await().atMost(Duration.ofSeconds(5))
                            .until(() -> registry.getListenerContainer("audit").getHandledCount() == 1);
                });
    }

    @Test
    void applicationJsonMapperIsUsedForConversion() throws Exception {
        this.runner.withBean(JsonMapper.class, () -> JsonMapper.builder()
                .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE).build())
                .run((context) -> {
                    context.getBean(IpcTemplate.class).convertAndSend("results", new Job("snake", 1));
                    IpcMessage sent = context.getBean("results", InMemoryIpcChannel.class)
                            .receive(Duration.ofSeconds(1)).message();
                    assertThat(new String(sent.payload(), StandardCharsets.UTF_8)).contains("\"job_name\":\"snake\"");
                });
    }

    static class LonePojoListener {

        final Seen seen;

        LonePojoListener(Seen seen) {
            this.seen = seen;
        }

        @IpcListener("jobs")
        void handle(Job job) {
            this.seen.values.add(job);
        }
    }

    @Test
    void loneParameterIsReadWithTheApplicationsJsonMapper() {
        this.runner.withBean(LonePojoListener.class).withBean(JsonMapper.class, () -> JsonMapper.builder()
                .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE).build())
                .run((context) -> {
                    context.getBean(IpcTemplate.class).convertAndSend("jobs", new Job("snake", 3));
                    assertThat(context.getBean(Seen.class).awaitOne()).isEqualTo(new Job("snake", 3));
                });
    }

    @Test
    void aConfiguredMethodFactoryResolvesEveryArgumentItself() {
        org.springframework.messaging.handler.annotation.support.DefaultMessageHandlerMethodFactory factory =
                new org.springframework.messaging.handler.annotation.support.DefaultMessageHandlerMethodFactory();
        factory.setCustomArgumentResolvers(List.of(
                new org.springframework.messaging.handler.invocation.HandlerMethodArgumentResolver() {
                    @Override
                    public boolean supportsParameter(org.springframework.core.MethodParameter parameter) {
                        return parameter.getParameterType() == Job.class;
                    }

                    @Override
                    public Object resolveArgument(org.springframework.core.MethodParameter parameter, Message<?> message) {
                        return new Job("resolved", 0);
                    }
                }));
        factory.afterPropertiesSet();
        this.runner.withBean(LonePojoListener.class)
                .withBean(IpcListenerConfigurer.class, () -> (registrar) -> registrar.setMessageHandlerMethodFactory(factory))
                .run((context) -> {
                    context.getBean(IpcTemplate.class).convertAndSend("jobs", new Job("sent", 3));
                    assertThat(context.getBean(Seen.class).awaitOne()).isEqualTo(new Job("resolved", 0));
                });
    }

    @Test
    void applicationTemplateReplacesTheDefault() {
        this.runner.withBean("myTemplate", IpcTemplate.class, () -> new IpcTemplate((name) -> null))
                .run((context) -> assertThat(context).hasSingleBean(IpcTemplate.class)
                        .hasBean("myTemplate").doesNotHaveBean("ipcTemplate"));
    }
}

package io.github.springipc.listener;

import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.github.springipc.messaging.DefaultIpcMessageConverter;
import io.github.springipc.messaging.IpcMessageMapper;
import io.github.springipc.transport.IpcMessage;
import org.junit.jupiter.api.Test;

import org.springframework.messaging.Message;
import org.springframework.messaging.MessageHeaders;
import org.springframework.messaging.converter.JacksonJsonMessageConverter;
import org.springframework.messaging.handler.annotation.Header;
import org.springframework.messaging.handler.annotation.Payload;
import org.springframework.messaging.handler.annotation.support.DefaultMessageHandlerMethodFactory;
import org.springframework.messaging.handler.invocation.InvocableHandlerMethod;
import org.springframework.messaging.support.MessageBuilder;

import static org.assertj.core.api.Assertions.assertThat;

/** A lone payload parameter converted directly gets what the argument resolvers would give it. */
class PayloadArgumentTests {

    record Job(String name, int priority) {
    }

    @SuppressWarnings("unused")
    static class Listener {

        Object last;

        void job(Job job) {
            this.last = job;
        }

        void jobs(List<Job> jobs) {
            this.last = jobs;
        }

        void annotated(@Payload Job job) {
        }

        void withHeader(Job job, @Header("k") String k) {
        }

        void text(String text) {
        }

        void bytes(byte[] bytes) {
        }

        void object(Object object) {
        }

        void number(int number) {
        }

        void optional(Optional<Job> job) {
        }

        void message(Message<Job> message) {
        }

        void headers(MessageHeaders headers) {
        }
    }

    private final DefaultIpcMessageConverter converter = new DefaultIpcMessageConverter();

    private final Listener listener = new Listener();

    private final IpcMessageMapper mapper = new IpcMessageMapper();

    private InvocableHandlerMethod method(String name) {
        DefaultMessageHandlerMethodFactory factory = new DefaultMessageHandlerMethodFactory();
        factory.setMessageConverter(this.converter);
        factory.afterPropertiesSet();
        Method method = Arrays.stream(Listener.class.getDeclaredMethods()).filter((m) -> m.getName().equals(name))
                .findFirst().orElseThrow();
        return factory.createInvocableHandlerMethod(this.listener, method);
    }

    private Message<byte[]> received(String contentType, String payload) {
        return this.mapper.toMessage(
                IpcMessage.of(Map.of("contentType", contentType), payload.getBytes(StandardCharsets.UTF_8)), "q", 1);
    }

    @Test
    void appliesOnlyToALonePlainPayloadParameter() {
        assertThat(PayloadArgument.of(method("job"), this.converter)).isNotNull();
        assertThat(PayloadArgument.of(method("jobs"), this.converter)).isNotNull();
        for (String other : List.of("annotated", "withHeader", "text", "bytes", "object", "number", "optional",
                "message", "headers")) {
            assertThat(PayloadArgument.of(method(other), this.converter)).as(other).isNull();
        }
        assertThat(PayloadArgument.of(method("job"), new JacksonJsonMessageConverter())).isNull();
        assertThat(PayloadArgument.of(method("job"), new DefaultIpcMessageConverter() { })).isNull(); // may convert otherwise
        assertThat(PayloadArgument.of(method("job"), null)).isNull();
    }

    @Test
    void convertsAsTheResolversDo() throws Exception {
        Message<byte[]> message = received("application/json", "[{\"name\":\"a\",\"priority\":1}]");
        InvocableHandlerMethod jobs = method("jobs");

        Object direct = PayloadArgument.of(jobs, this.converter).resolve(message);
        jobs.invoke(message);

        assertThat(direct).isEqualTo(List.of(new Job("a", 1))).isEqualTo(this.listener.last);
    }

    @Test
    void leavesEverythingElseToTheResolvers() {
        PayloadArgument job = PayloadArgument.of(method("job"), this.converter);

        assertThat(job.resolve(received("application/json", "{\"name\":\"a\",\"priority\":1}"))).isEqualTo(new Job("a", 1));
        assertThat(job.resolve(received("text/plain", "{\"name\":\"a\",\"priority\":1}"))).isNull();
        assertThat(job.resolve(received("application/json", ""))).isNull(); // the resolver reports an empty payload
        assertThat(job.resolve(received("application/json", "null"))).isNull(); // and a null one
        Message<byte[]> notReceived = MessageBuilder.withPayload("{\"name\":\"a\",\"priority\":1}".getBytes(StandardCharsets.UTF_8))
                .setHeader(MessageHeaders.CONTENT_TYPE, "application/json").build();
        assertThat(job.resolve(notReceived)).isNull();
    }

    @Test
    void theAdapterInvokesWithTheDirectArgumentAndTheSameResult() throws Exception {
        InvocableHandlerMethod job = method("job");
        MessagingMessageListenerAdapter adapter = new MessagingMessageListenerAdapter(job, this.converter, this.mapper,
                (name) -> null, null);
        adapter.setPayloadConverter(this.converter);

        adapter.onMessage(received("application/json", "{\"name\":\"a\",\"priority\":1}"), null);
        assertThat(this.listener.last).isEqualTo(new Job("a", 1));

        adapter.onMessage(received("application/json; charset=UTF-8", "{\"name\":\"b\",\"priority\":2}"), null);
        assertThat(this.listener.last).isEqualTo(new Job("b", 2)); // through the resolvers
    }
}

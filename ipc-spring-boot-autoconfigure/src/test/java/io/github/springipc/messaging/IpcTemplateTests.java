package io.github.springipc.messaging;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import io.github.springipc.test.InMemoryIpcChannel;
import io.github.springipc.transport.IpcDelivery;
import io.github.springipc.transport.IpcMessage;
import io.github.springipc.transport.IpcTimeoutException;
import org.junit.jupiter.api.Test;

import org.springframework.messaging.Message;
import org.springframework.messaging.MessageDeliveryException;
import org.springframework.messaging.support.MessageBuilder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IpcTemplateTests {

    record Job(String name, int priority) {
    }

    private final InMemoryIpcChannel jobs = new InMemoryIpcChannel("jobs");

    private final IpcTemplate template = new IpcTemplate((name) -> {
        if (!name.equals("jobs")) {
            throw new UnknownIpcChannelException(name, java.util.List.of("jobs"));
        }
        return this.jobs;
    });

    private IpcMessage takeSent() throws InterruptedException {
        IpcDelivery delivery = this.jobs.receive(Duration.ofSeconds(1));
        assertThat(delivery).as("a message was sent").isNotNull();
        delivery.acknowledge();
        return delivery.message();
    }

    @Test
    void convertAndSendWritesJsonWithItsContentType() throws Exception {
        this.template.convertAndSend("jobs", new Job("build", 2));
        IpcMessage sent = takeSent();
        assertThat(new String(sent.payload(), StandardCharsets.UTF_8)).isEqualTo("{\"name\":\"build\",\"priority\":2}");
        assertThat(sent.header(IpcHeaders.CONTENT_TYPE)).isEqualTo("application/json");
    }

    @Test
    void stringPayloadIsSentAsPlainText() throws Exception {
        this.template.convertAndSend("jobs", "hello");
        IpcMessage sent = takeSent();
        assertThat(new String(sent.payload(), StandardCharsets.UTF_8)).isEqualTo("hello");
        assertThat(sent.header(IpcHeaders.CONTENT_TYPE)).startsWith("text/plain");
    }

    @Test
    void userHeadersTravelAsStringsAndSpringInternalsDoNot() throws Exception {
        this.template.convertAndSend("jobs", "x", Map.of("priority", 7, "region", "eu"));
        IpcMessage sent = takeSent();
        assertThat(sent.headers()).containsEntry("priority", "7").containsEntry("region", "eu")
                .doesNotContainKeys("id", "timestamp");
    }

    @Test
    void requestWithoutReplyThrowsOnTimeoutInsteadOfReturningNull() {
        long start = System.nanoTime();
        assertThatThrownBy(() -> this.template.convertSendAndReceive("jobs", "status", String.class,
                Duration.ofMillis(100)))
                .isInstanceOf(IpcReplyTimeoutException.class)
                .hasMessageContaining("'jobs'").hasMessageContaining("100 ms")
                .hasCauseInstanceOf(IpcTimeoutException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
    }

    @Test
    void defaultReplyTimeoutAppliesWhenTheCallGivesNone() {
        this.template.setReplyTimeout(Duration.ofMillis(50));
        assertThatThrownBy(() -> this.template.convertSendAndReceive("jobs", "status", String.class))
                .isInstanceOf(IpcReplyTimeoutException.class).hasMessageContaining("50 ms");
    }

    @Test
    void replyIsConvertedToTheRequestedType() throws Exception {
        Thread responder = new Thread(() -> {
            try {
                IpcDelivery request = this.jobs.receive(Duration.ofSeconds(5));
                request.reply(IpcMessage.of(Map.of(IpcHeaders.CONTENT_TYPE, "application/json"),
                        "{\"name\":\"done\",\"priority\":1}".getBytes(StandardCharsets.UTF_8)));
                request.acknowledge();
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        });
        responder.start();
        Job reply = this.template.convertSendAndReceive("jobs", "status", Job.class, Duration.ofSeconds(5));
        assertThat(reply).isEqualTo(new Job("done", 1));
        responder.join(5000);
    }

    @Test
    void receiveReturnsTheNextMessageAndAcknowledgesIt() {
        this.jobs.send(IpcMessage.of(Map.of("k", "v"), "hi".getBytes(StandardCharsets.UTF_8)), Duration.ofSeconds(1));
        Message<?> received = this.template.receive("jobs");
        assertThat(received.getPayload()).isEqualTo("hi".getBytes(StandardCharsets.UTF_8));
        assertThat(received.getHeaders()).containsEntry("k", "v").containsEntry(IpcHeaders.DELIVERY_ATTEMPT, 1);
        assertThat(this.jobs.acknowledgedCount()).isEqualTo(1);
    }

    @Test
    void receiveReturnsNullWhenNothingCame() {
        this.template.setReceiveTimeout(Duration.ofMillis(20));
        assertThat(this.template.receive("jobs")).isNull();
    }

    @Test
    void sendToAFullChannelFailsWithTheTransportCause() {
        InMemoryIpcChannel small = new InMemoryIpcChannel("small", 1);
        IpcTemplate tpl = new IpcTemplate((name) -> small);
        tpl.setSendTimeout(Duration.ofMillis(20));
        tpl.convertAndSend("small", "one");
        assertThatThrownBy(() -> tpl.convertAndSend("small", "two"))
                .isInstanceOf(MessageDeliveryException.class).hasMessageContaining("'small'")
                .hasCauseInstanceOf(IpcTimeoutException.class);
    }

    @Test
    void objectsSentToAFullChannelFailWithTheirJsonMessageAndTheCause() {
        InMemoryIpcChannel small = new InMemoryIpcChannel("small", 1);
        IpcTemplate tpl = new IpcTemplate((name) -> small);
        tpl.setSendTimeout(Duration.ofMillis(20));
        tpl.convertAndSend("small", new Job("one", 1));
        assertThatThrownBy(() -> tpl.convertAndSend("small", new Job("two", 2)))
                .isInstanceOfSatisfying(MessageDeliveryException.class, (ex) -> {
                    assertThat(new String((byte[]) ex.getFailedMessage().getPayload(), StandardCharsets.UTF_8))
                            .isEqualTo("{\"name\":\"two\",\"priority\":2}");
                    // what the general route fails with: the converter's message
                    assertThat(ex.getFailedMessage().getHeaders())
                            .containsEntry(IpcHeaders.CONTENT_TYPE, org.springframework.util.MimeTypeUtils.APPLICATION_JSON)
                            .doesNotContainKey(IpcHeaders.CHANNEL);
                })
                .hasCauseInstanceOf(IpcTimeoutException.class);
        assertThat(tpl.getSendCounts().get("small").getFailed()).isEqualTo(1);
        assertThat(tpl.getSendCounts().get("small").getSent()).isEqualTo(1);
    }

    @Test
    void objectsWithHeadersOrAnotherConverterTakeTheGeneralRouteToTheSameWireMessage() throws Exception {
        this.template.convertAndSend("jobs", new Job("a", 1));
        this.template.convertAndSend("jobs", new Job("a", 1), Map.of("region", "eu"));
        IpcTemplate withSpringConverter = new IpcTemplate((name) -> this.jobs,
                new org.springframework.messaging.converter.JacksonJsonMessageConverter());
        withSpringConverter.convertAndSend("jobs", new Job("a", 1));

        IpcMessage direct = takeSent();
        IpcMessage withHeaders = takeSent();
        IpcMessage general = takeSent();
        assertThat(direct).isEqualTo(general);
        assertThat(withHeaders.headers()).containsEntry("region", "eu").containsEntry(IpcHeaders.CONTENT_TYPE, "application/json");
        assertThat(withHeaders.payload()).isEqualTo(direct.payload());
    }

    @Test
    void customisedGeneralRoutesAreNotBypassed() throws Exception {
        IpcMessageMapper stamping = new IpcMessageMapper() {
            @Override
            public IpcMessage toIpcMessage(Message<?> message) {
                return super.toIpcMessage(message).withHeader("mapped", "yes");
            }
        };
        IpcTemplate withMapper = new IpcTemplate((name) -> this.jobs);
        withMapper.setMessageMapper(stamping);
        IpcTemplate withDefaults = new IpcTemplate((name) -> this.jobs) {
            @Override
            protected Map<String, Object> processHeadersToSend(Map<String, Object> headers) {
                return Map.of("tenant", "t1");
            }
        };
        IpcTemplate withConverterSubclass = new IpcTemplate((name) -> this.jobs, new DefaultIpcMessageConverter() {
            @Override
            public Message<?> toMessage(Object payload, org.springframework.messaging.MessageHeaders headers,
                    Object conversionHint) {
                Message<?> message = super.toMessage(payload, headers, conversionHint);
                return MessageBuilder.fromMessage(message).setHeader("converted", "yes").build();
            }
        });

        withMapper.convertAndSend("jobs", new Job("a", 1));
        withDefaults.convertAndSend("jobs", new Job("a", 1));
        withConverterSubclass.convertAndSend("jobs", new Job("a", 1));

        assertThat(takeSent().headers()).containsEntry("mapped", "yes");
        assertThat(takeSent().headers()).containsEntry("tenant", "t1");
        assertThat(takeSent().headers()).containsEntry("converted", "yes");
    }

    @Test
    void unconvertedObjectPayloadIsRejectedWithAHint() {
        Message<Job> message = MessageBuilder.withPayload(new Job("x", 1)).build();
        assertThatThrownBy(() -> this.template.send("jobs", message))
                .hasMessageContaining("convertAndSend");
    }

    @Test
    void unknownChannelNamesTheKnownOnes() {
        assertThatThrownBy(() -> this.template.convertAndSend("jbos", "x"))
                .isInstanceOf(UnknownIpcChannelException.class)
                .hasMessageContaining("'jbos'").hasMessageContaining("[jobs]");
    }
}

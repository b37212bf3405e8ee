package io.github.springipc.messaging;

import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonView;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.core.MethodParameter;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageHeaders;
import org.springframework.messaging.converter.JacksonJsonMessageConverter;
import org.springframework.messaging.converter.MessageConversionException;
import org.springframework.messaging.support.MessageBuilder;
import org.springframework.util.MimeTypeUtils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** The direct JSON route gives what Spring's Jackson converter gives. */
class DefaultIpcMessageConverterTests {

    record Order(long id, String customer, double amount) {
    }

    interface Summary {
    }

    static class Viewed {

        @JsonView(Summary.class)
        public String name = "n";

        public String secret = "s";
    }

    @SuppressWarnings("unused")
    static class Listener {

        void orders(List<Order> orders) {
        }

        void viewed(@JsonView(Summary.class) Viewed viewed) {
        }
    }

    private final JsonMapper jsonMapper = JsonMapper.builder().build();

    private final DefaultIpcMessageConverter converter = new DefaultIpcMessageConverter(this.jsonMapper);

    private final JacksonJsonMessageConverter spring = new JacksonJsonMessageConverter(this.jsonMapper);

    private static Message<byte[]> json(String text) {
        return MessageBuilder.withPayload(text.getBytes(StandardCharsets.UTF_8))
                .setHeader(MessageHeaders.CONTENT_TYPE, "application/json").build();
    }

    @Test
    void writesTheBytesAndContentTypeOfSpringsJacksonConverter() {
        Order order = new Order(1, "c", 2.5);

        Message<?> direct = this.converter.toMessage(order, null);
        Message<?> regular = this.spring.toMessage(order, null);

        assertThat((byte[]) direct.getPayload()).isEqualTo((byte[]) regular.getPayload());
        assertThat(direct.getHeaders().get(MessageHeaders.CONTENT_TYPE))
                .isEqualTo(regular.getHeaders().get(MessageHeaders.CONTENT_TYPE));
        assertThat(direct.getHeaders().getId()).isNotNull();
    }

    @Test
    void keepsTheHeadersItWasGiven() {
        Message<?> message = this.converter.toMessage(new Order(1, "c", 2.5), new MessageHeaders(Map.of("trace", "t1")));

        assertThat(message.getHeaders()).containsEntry("trace", "t1")
                .containsEntry(MessageHeaders.CONTENT_TYPE, MimeTypeUtils.APPLICATION_JSON);
    }

    @Test
    void readsIntoTheTargetClass() {
        assertThat(this.converter.fromMessage(json("{\"id\":7,\"customer\":\"c\",\"amount\":1.5}"), Order.class))
                .isEqualTo(new Order(7, "c", 1.5));
    }

    @Test
    void readsTheGenericTypeOfTheListenerParameter() throws Exception {
        Method method = Listener.class.getDeclaredMethod("orders", List.class);
        MethodParameter parameter = new MethodParameter(method, 0);

        Object read = this.converter.fromMessage(json("[{\"id\":7,\"customer\":\"c\",\"amount\":1.5}]"), List.class,
                parameter);

        assertThat(read).isEqualTo(List.of(new Order(7, "c", 1.5)));
    }

    @Test
    void appliesTheJsonViewOfTheListenerParameter() throws Exception {
        Method method = Listener.class.getDeclaredMethod("viewed", Viewed.class);
        MethodParameter parameter = new MethodParameter(method, 0);

        Viewed read = (Viewed) this.converter.fromMessage(json("{\"name\":\"x\",\"secret\":\"y\"}"), Viewed.class,
                parameter);

        assertThat(read.name).isEqualTo("x");
        assertThat(read.secret).isEqualTo("s");
    }

    @Test
    void invalidJsonFailsAsSpringsConverterDoes() {
        assertThatExceptionOfType(MessageConversionException.class)
                .isThrownBy(() -> this.converter.fromMessage(json("{not json"), Order.class))
                .withMessageStartingWith("Could not read JSON: ");
    }

    @Test
    void textAndBytesStillGoThroughTheirConverters() {
        Message<byte[]> text = MessageBuilder.withPayload("\"x\"".getBytes(StandardCharsets.UTF_8))
                .setHeader(MessageHeaders.CONTENT_TYPE, "text/plain").build();
        assertThat(this.converter.fromMessage(text, String.class)).isEqualTo("\"x\"");
        assertThat(this.converter.fromMessage(json("\"x\""), String.class)).isEqualTo("x");
        assertThat(this.converter.toMessage("text", null).getHeaders().get(MessageHeaders.CONTENT_TYPE))
                .hasToString("text/plain;charset=UTF-8");
    }

    @Test
    void otherContentTypesAreLeftToTheConverters() {
        Message<byte[]> xml = MessageBuilder.withPayload("<a/>".getBytes(StandardCharsets.UTF_8))
                .setHeader(MessageHeaders.CONTENT_TYPE, "application/xml").build();

        assertThat(this.converter.fromMessage(xml, Order.class)).isNull();
    }

    @Test
    void withoutAMapperTheJsonConverterIsMadeForTheFirstJsonPayloadOnly() throws Exception {
        java.util.concurrent.atomic.AtomicInteger made = new java.util.concurrent.atomic.AtomicInteger();
        DefaultIpcMessageConverter lazy = new DefaultIpcMessageConverter(() -> {
            made.incrementAndGet();
            return this.jsonMapper;
        });
        assertThat(lazy.isJsonConverterMade()).isFalse();
        // text and bytes never need Jackson
        assertThat(lazy.toMessage("text", null).getPayload()).isEqualTo("text".getBytes(StandardCharsets.UTF_8));
        assertThat(lazy.fromMessage(lazy.toMessage(new byte[] { 1 }, null), byte[].class)).isEqualTo(new byte[] { 1 });
        assertThat(lazy.isJsonConverterMade()).isFalse();
        assertThat(made).hasValue(0);

        List<Thread> threads = new java.util.ArrayList<>();
        java.util.concurrent.ConcurrentLinkedQueue<Object> read = new java.util.concurrent.ConcurrentLinkedQueue<>();
        for (int i = 0; i < 4; i++) {
            threads.add(new Thread(() -> read.add(lazy.fromMessage(json("{\"id\":1,\"customer\":\"c\",\"amount\":2.5}"), Order.class))));
        }
        threads.forEach(Thread::start);
        for (Thread thread : threads) {
            thread.join(10_000);
        }
        assertThat(read).hasSize(4).allMatch(new Order(1, "c", 2.5)::equals);
        assertThat(made).hasValue(1);
        assertThat(lazy.isJsonConverterMade()).isTrue();
        // and it writes what the eagerly made converter writes
        assertThat(lazy.toJsonIpcMessage(new Order(2, "d", 1)).payload())
                .isEqualTo(this.converter.toJsonIpcMessage(new Order(2, "d", 1)).payload());
    }

    @Test
    void aSupplierGivingNoMapperFailsClearlyAtTheFirstJsonPayload() {
        DefaultIpcMessageConverter broken = new DefaultIpcMessageConverter(() -> null);
        assertThat(broken.toMessage("still fine", null)).isNotNull();
        org.assertj.core.api.Assertions.assertThatIllegalStateException()
                .isThrownBy(() -> broken.toMessage(new Order(1, "c", 1), null))
                .withMessageContaining("JsonMapper supplier");
    }

    @Test
    void theDefaultConstructorMakesItsMapperAtTheFirstJsonPayload() {
        DefaultIpcMessageConverter lazy = new DefaultIpcMessageConverter();
        assertThat(lazy.isJsonConverterMade()).isFalse();
        assertThat(lazy.fromMessage(json("{\"id\":3,\"customer\":\"e\",\"amount\":1.0}"), Order.class))
                .isEqualTo(new Order(3, "e", 1.0));
        assertThat(lazy.isJsonConverterMade()).isTrue();
    }

    @Test
    void messagesJacksonWouldDeclineNeverMakeTheMapper() {
        DefaultIpcMessageConverter lazy = new DefaultIpcMessageConverter(() -> {
            throw new AssertionError("mapper made for a message that is not JSON");
        });
        // bytes sent as octet-stream, asked for as text: every converter declines
        Message<?> bytes = lazy.toMessage(new byte[] { 65 }, null);
        assertThat(lazy.fromMessage(bytes, Order.class)).isNull();
        Message<byte[]> xml = MessageBuilder.withPayload("<a/>".getBytes(StandardCharsets.UTF_8))
                .setHeader(MessageHeaders.CONTENT_TYPE, "application/xml").build();
        assertThat(lazy.fromMessage(xml, Order.class)).isNull();
        assertThat(lazy.toMessage(new Order(1, "c", 1),
                new MessageHeaders(Map.of(MessageHeaders.CONTENT_TYPE, MimeTypeUtils.APPLICATION_XML)))).isNull();
        assertThat(lazy.isJsonConverterMade()).isFalse();
        // while JSON types (also a +json one) do
        assertThat(LazyJsonConverter.mayBeJson("application/vnd.orders+json")).isTrue();
        assertThat(LazyJsonConverter.mayBeJson(null)).isTrue();
    }

    @Test
    void strictContentTypeMatchSetOnTheJsonConverterIsHonoured() {
        ((JacksonJsonMessageConverter) this.converter.getConverters().get(2)).setStrictContentTypeMatch(true);
        Message<byte[]> untyped = MessageBuilder.withPayload("{}".getBytes(StandardCharsets.UTF_8)).build();

        assertThat(this.converter.fromMessage(untyped, Order.class)).isNull();
    }

    @Test
    void wireMessageOfTheDirectRouteIsWhatTheGeneralRouteSends() {
        Order order = new Order(1, "c", 2.5);

        io.github.springipc.transport.IpcMessage direct = this.converter.toJsonIpcMessage(order);
        io.github.springipc.transport.IpcMessage general = new IpcMessageMapper().toIpcMessage(this.spring.toMessage(order, null));

        assertThat(direct).isEqualTo(general);
        assertThat(this.converter.toJsonIpcMessage("text")).isNull();
        assertThat(this.converter.toJsonIpcMessage(new byte[1])).isNull();
        assertThat(this.converter.toJsonIpcMessage(null)).isNull();
    }

    @Test
    void receivedMessagesAreReadByTheirWireContentType() {
        IpcMessageMapper mapper = new IpcMessageMapper();
        byte[] json = "{\"id\":7,\"customer\":\"c\",\"amount\":1.5}".getBytes(StandardCharsets.UTF_8);
        Message<byte[]> asJson = mapper.toMessage(
                io.github.springipc.transport.IpcMessage.of(Map.of("contentType", "application/json"), json), "q", 1);
        Message<byte[]> asText = mapper.toMessage(
                io.github.springipc.transport.IpcMessage.of(Map.of("contentType", "text/plain"), json), "q", 1);

        assertThat(this.converter.fromJsonDirectly(asJson, Order.class, null)).isEqualTo(new Order(7, "c", 1.5));
        assertThat(this.converter.fromMessage(asJson, Order.class)).isEqualTo(new Order(7, "c", 1.5));
        assertThat(this.converter.fromJsonDirectly(asText, Order.class, null)).isNull(); // the converters decide
        assertThat(this.converter.fromJsonDirectly(json("null"), Order.class, null)).isNull();
    }
}

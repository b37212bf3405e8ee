package io.github.springipc.messaging;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.core.util.JsonRecyclerPools;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.SerializationContext;
import tools.jackson.databind.ValueSerializer;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.module.SimpleModule;

import org.springframework.messaging.Message;
import org.springframework.messaging.MessageHeaders;

import static org.assertj.core.api.Assertions.assertThat;

/** The direct JSON route's mapper: the application's settings, a cheaper buffer pool. */
class RecyclingJsonMapperTests {

    record Money(long cents) {
    }

    record Invoice(String customerName, Money total) {
    }

    /** Writes {@link Money} as a string, as an application's module might. */
    static final class MoneySerializer extends ValueSerializer<Money> {

        @Override
        public void serialize(Money value, JsonGenerator generator, SerializationContext context) {
            generator.writeString(value.cents() / 100 + "." + String.format("%02d", value.cents() % 100));
        }
    }

    private static JsonMapper applicationMapper() {
        return JsonMapper.builder()
                .addModule(new SimpleModule("money").addSerializer(Money.class, new MoneySerializer()))
                .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .build();
    }

    @Test
    void copyKeepsModulesAndSettingsAndTakesTheThreadAwarePool() {
        JsonMapper application = applicationMapper();
        JsonMapper copy = RecyclingJsonMapper.copyOf(application);

        assertThat(copy).isNotSameAs(application);
        assertThat(copy.tokenStreamFactory()._getRecyclerPool()).isInstanceOf(ThreadAwareRecyclerPool.class);
        assertThat(application.tokenStreamFactory()._getRecyclerPool()).isNotInstanceOf(ThreadAwareRecyclerPool.class);
        Invoice invoice = new Invoice("ada", new Money(1234));
        String written = copy.writeValueAsString(invoice);
        assertThat(written).isEqualTo(application.writeValueAsString(invoice))
                .isEqualTo("{\"customer_name\":\"ada\",\"total\":\"12.34\"}");
        record Named(String customerName) {
        }
        assertThat(copy.readValue("{\"customer_name\":\"bob\",\"unknown\":1}", Named.class).customerName()).isEqualTo("bob");
    }

    @Test
    void aPoolOrMapperClassTheApplicationChoseIsKept() {
        JsonMapper bounded = JsonMapper.builder(JsonFactory.builder().recyclerPool(JsonRecyclerPools.newBoundedPool(4)).build())
                .build();
        JsonMapper shared = JsonMapper.builder(
                JsonFactory.builder().recyclerPool(JsonRecyclerPools.sharedConcurrentDequePool()).build()).build();
        JsonMapper threadLocal = JsonMapper.builder(
                JsonFactory.builder().recyclerPool(JsonRecyclerPools.threadLocalPool()).build()).build();

        assertThat(RecyclingJsonMapper.copyOf(bounded)).isSameAs(bounded);
        assertThat(RecyclingJsonMapper.copyOf(shared)).isSameAs(shared);
        assertThat(RecyclingJsonMapper.copyOf(threadLocal)).isSameAs(threadLocal);
        JsonMapper subclass = new JsonMapper() {
        };
        assertThat(RecyclingJsonMapper.copyOf(subclass)).isSameAs(subclass);
        assertThat(RecyclingJsonMapper.isJacksonDefault(JsonMapper.builder().build().tokenStreamFactory()._getRecyclerPool()))
                .isTrue();
    }

    @Test
    void aMapperThatCanNotBeRebuiltIsUsedAsItIs() {
        /** A module that refuses a second registration, as a module with one-time global state might. */
        class OneShotModule extends SimpleModule {

            private int setups;

            OneShotModule() {
                super("one-shot");
            }

            @Override
            public void setupModule(SetupContext context) {
                if (++this.setups > 1) {
                    throw new IllegalStateException("registered twice");
                }
                super.setupModule(context);
            }
        }
        JsonMapper application = JsonMapper.builder().addModule(new OneShotModule()).build();

        assertThat(RecyclingJsonMapper.copyOf(application)).isSameAs(application);
    }

    @Test
    void theConverterReadsAndWritesWithTheCopyAndTheApplicationsSettings() {
        DefaultIpcMessageConverter converter = new DefaultIpcMessageConverter(applicationMapper());

        assertThat(converter.json().directMapper().tokenStreamFactory()._getRecyclerPool())
                .isInstanceOf(ThreadAwareRecyclerPool.class);
        Message<?> message = converter.toMessage(new Invoice("ada", new Money(5)), null);
        assertThat(new String((byte[]) message.getPayload(), StandardCharsets.UTF_8))
                .isEqualTo("{\"customer_name\":\"ada\",\"total\":\"0.05\"}");
        Message<byte[]> incoming = org.springframework.messaging.support.MessageBuilder
                .withPayload("{\"customer_name\":\"bob\",\"extra\":true}".getBytes(StandardCharsets.UTF_8))
                .setHeader(MessageHeaders.CONTENT_TYPE, "application/json").build();
        record Named(String customerName) {
        }
        assertThat(((Named) converter.fromMessage(incoming, Named.class)).customerName()).isEqualTo("bob");
    }
}

package io.github.springipc.messaging;

import java.util.function.Supplier;

import tools.jackson.databind.json.JsonMapper;

import org.springframework.messaging.Message;
import org.springframework.messaging.MessageHeaders;
import org.springframework.messaging.converter.SmartMessageConverter;

/**
 * The JSON converter of a {@link DefaultIpcMessageConverter} that was given no {@link JsonMapper}
 * (or a supplier of one): the mapper, and with it the converter, is made when the first JSON
 * payload is converted, not when the application starts. Building a first Jackson mapper loads
 * some 400 classes (about 0.2 s in a fresh JVM), which an application whose messages are text
 * or bytes never needs; the same deferral as Spring MVC initialising its dispatcher on the
 * first request.
 */
final class LazyJsonConverter implements SmartMessageConverter {

    private final Supplier<JsonMapper> mapper;

    private volatile JsonConverter converter;

    LazyJsonConverter(Supplier<JsonMapper> mapper) {
        this.mapper = mapper;
    }

    /** The converter, made on the first call (once, whichever threads ask). */
    JsonConverter converter() {
        JsonConverter current = this.converter;
        if (current == null) {
            synchronized (this) {
                current = this.converter;
                if (current == null) {
                    JsonMapper made = this.mapper.get();
                    if (made == null) {
                        throw new IllegalStateException("The JsonMapper supplier of the IPC message converter returned null");
                    }
                    current = new JsonConverter(made);
                    this.converter = current;
                }
            }
        }
        return current;
    }

    /** Whether the converter has been made (for tests and diagnostics). */
    boolean isMade() {
        return this.converter != null;
    }

    @Override
    public Object fromMessage(Message<?> message, Class<?> targetClass) {
        return converter().fromMessage(message, targetClass);
    }

    @Override
    public Object fromMessage(Message<?> message, Class<?> targetClass, Object conversionHint) {
        return converter().fromMessage(message, targetClass, conversionHint);
    }

    @Override
    public Message<?> toMessage(Object payload, MessageHeaders headers) {
        return converter().toMessage(payload, headers);
    }

    @Override
    public Message<?> toMessage(Object payload, MessageHeaders headers, Object conversionHint) {
        return converter().toMessage(payload, headers, conversionHint);
    }

    /** The default mapper of converters made without one: one per process, made on first use. */
    static final class DefaultMapper {

        static final JsonMapper INSTANCE = JsonMapper.builder().build();

        private DefaultMapper() {
        }

        static JsonMapper get() {
            return INSTANCE;
        }
    }
}

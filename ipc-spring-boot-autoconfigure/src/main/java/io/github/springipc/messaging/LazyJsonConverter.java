package io.github.springipc.messaging;

import java.util.function.Supplier;

import tools.jackson.databind.json.JsonMapper;

import org.springframework.messaging.Message;
import org.springframework.messaging.MessageHeaders;
import org.springframework.messaging.converter.SmartMessageConverter;
import org.springframework.util.InvalidMimeTypeException;
import org.springframework.util.MimeType;
import org.springframework.util.MimeTypeUtils;

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

    /**
     * Whether a message with this content type is declined without making the converter: it is
     * not made yet, and Jackson would decline the type anyway.
     */
    boolean declinesUnmade(Object contentType) {
        return !isMade() && !mayBeJson(contentType);
    }

    @Override
    public Object fromMessage(Message<?> message, Class<?> targetClass) {
        return fromMessage(message, targetClass, null);
    }

    @Override
    public Object fromMessage(Message<?> message, Class<?> targetClass, Object conversionHint) {
        if (declinesUnmade(DefaultIpcMessageConverter.contentTypeOf(message))) {
            return null; // Jackson would decline it too: no reason to build a mapper for that
        }
        return converter().fromMessage(message, targetClass, conversionHint);
    }

    @Override
    public Message<?> toMessage(Object payload, MessageHeaders headers) {
        return toMessage(payload, headers, null);
    }

    @Override
    public Message<?> toMessage(Object payload, MessageHeaders headers, Object conversionHint) {
        if (headers != null && declinesUnmade(headers.get(MessageHeaders.CONTENT_TYPE))) {
            return null;
        }
        return converter().toMessage(payload, headers, conversionHint);
    }

    /**
     * Whether Spring's Jackson converter may accept this content type: none, or
     * {@code application/json} or {@code application/*+json} (its supported types); an
     * unreadable one is left to it.
     */
    static boolean mayBeJson(Object contentType) {
        MimeType type;
        try {
            type = (contentType instanceof MimeType mime) ? mime
                    : (contentType instanceof String text) ? MimeTypeUtils.parseMimeType(text) : null;
        }
        catch (InvalidMimeTypeException ex) {
            return true;
        }
        if (type == null) {
            return true;
        }
        return type.getType().equals("application")
                && (type.getSubtype().equals("json") || type.getSubtype().endsWith("+json"));
    }
}

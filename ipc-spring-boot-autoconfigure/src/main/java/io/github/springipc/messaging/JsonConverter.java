package io.github.springipc.messaging;

import java.lang.reflect.Type;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.core.GenericTypeResolver;
import org.springframework.core.MethodParameter;
import org.springframework.messaging.Message;
import org.springframework.messaging.converter.ContentTypeResolver;
import org.springframework.messaging.converter.DefaultContentTypeResolver;
import org.springframework.messaging.converter.JacksonJsonMessageConverter;
import org.springframework.messaging.converter.MessageConversionException;
import org.springframework.util.MimeType;

/**
 * The JSON converter of {@link DefaultIpcMessageConverter}: Spring's Jackson converter, plus
 * the direct reads and writes its owner uses for the common case. A direct read gives what
 * {@link JacksonJsonMessageConverter#fromMessage} gives (same mapper, type, view and error), with
 * the Jackson reader prepared once per target type and listener parameter instead of per
 * message. The direct route uses a {@linkplain RecyclingJsonMapper copy} of the mapper that differs
 * only in where its parsers and generators take their buffers from; Spring's converter, the
 * regular route, uses the mapper itself.
 */
final class JsonConverter extends JacksonJsonMessageConverter {

    /** Returned by {@link #read} when it leaves the message to the regular route. */
    static final Object NOT_HANDLED = new Object();

    private static final int MAX_CACHED_READERS = 256;

    /** The mapper of the direct route. */
    private final JsonMapper mapper;

    private final MimeType contentType;

    private final Map<Class<?>, ObjectReader> readersByType = new ConcurrentHashMap<>();

    private final Map<Object, HintedReader> readersByHint = new ConcurrentHashMap<>();

    JsonConverter(JsonMapper mapper) {
        super(mapper);
        this.mapper = RecyclingJsonMapper.copyOf(mapper);
        this.contentType = getSupportedMimeTypes().get(0);
    }

    /** The mapper of the direct route (for tests). */
    JsonMapper directMapper() {
        return this.mapper;
    }

    /** The content type written with JSON payloads, {@code application/json}. */
    MimeType contentType() {
        return this.contentType;
    }

    /**
     * Whether this converter reads a message with this {@code contentType} header value the
     * way the direct route does: plain {@code application/json}, or none when content types
     * need not match strictly.
     */
    boolean readsDirectly(Object contentType) {
        ContentTypeResolver resolver = getContentTypeResolver();
        if (!(resolver instanceof DefaultContentTypeResolver defaults) || resolver.getClass() != DefaultContentTypeResolver.class) {
            return false;
        }
        if (contentType == null) {
            return defaults.getDefaultMimeType() == null && !isStrictContentTypeMatch();
        }
        if (contentType instanceof String text) {
            return text.equals("application/json");
        }
        return contentType instanceof MimeType mime && mime.getType().equals("application")
                && mime.getSubtype().equals("json");
    }

    /** Whether this converter writes a payload without a content type as JSON bytes, as the direct route does. */
    boolean writesDirectly() {
        return getSerializedPayloadClass() == byte[].class && readsDirectly(null);
    }

    /**
     * Reads a {@code byte[]} JSON payload into {@code targetClass}.
     *
     * @return the object, or {@link #NOT_HANDLED} when the regular route must decide
     */
    Object read(Message<?> message, Class<?> targetClass, Object conversionHint) {
        ObjectReader reader = readerFor(targetClass, conversionHint);
        if (reader == null) {
            return NOT_HANDLED;
        }
        try {
            return reader.readValue((byte[]) message.getPayload());
        }
        catch (JacksonException ex) {
            throw new MessageConversionException(message, "Could not read JSON: " + ex.getMessage(), ex);
        }
    }

    /** Writes {@code payload} as JSON bytes. */
    byte[] write(Object payload) {
        try {
            return this.mapper.writeValueAsBytes(payload);
        }
        catch (JacksonException ex) {
            throw new MessageConversionException("Could not write JSON: " + ex.getMessage(), ex);
        }
    }

    private ObjectReader readerFor(Class<?> targetClass, Object hint) {
        if (hint == null) {
            ObjectReader reader = this.readersByType.get(targetClass);
            if (reader == null && this.readersByType.size() < MAX_CACHED_READERS) {
                reader = newReader(targetClass, null);
                if (reader != null) {
                    this.readersByType.putIfAbsent(targetClass, reader);
                }
            }
            return reader;
        }
        HintedReader hinted = this.readersByHint.get(hint);
        if (hinted == null && this.readersByHint.size() < MAX_CACHED_READERS) {
            ObjectReader reader = newReader(targetClass, hint);
            if (reader != null) {
                hinted = new HintedReader(targetClass, reader);
                this.readersByHint.putIfAbsent(hint, hinted);
            }
        }
        return (hinted != null && hinted.targetClass() == targetClass) ? hinted.reader() : null;
    }

    /** The reader for what {@link JacksonJsonMessageConverter} would read; {@code null} to leave it to it. */
    private ObjectReader newReader(Class<?> targetClass, Object hint) {
        try {
            JavaType type = this.mapper.constructType(resolvedType(targetClass, hint));
            Class<?> view = getSerializationView(hint);
            return (view != null) ? this.mapper.readerWithView(view).forType(type) : this.mapper.readerFor(type);
        }
        catch (RuntimeException ex) {
            return null; // e.g. an invalid @JsonView: the regular route reports it
        }
    }

    /** As Spring's converters resolve the type to read: the listener parameter's generic type when there is one. */
    private static Type resolvedType(Class<?> targetClass, Object hint) {
        if (hint instanceof MethodParameter parameter) {
            MethodParameter target = parameter.nestedIfOptional();
            if (Message.class.isAssignableFrom(target.getParameterType())) {
                target = target.nested();
            }
            return GenericTypeResolver.resolveType(target.getNestedGenericParameterType(), target.getContainingClass());
        }
        return targetClass;
    }

    private record HintedReader(Class<?> targetClass, ObjectReader reader) {
    }
}

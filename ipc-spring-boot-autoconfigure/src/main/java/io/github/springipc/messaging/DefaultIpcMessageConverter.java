package io.github.springipc.messaging;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import tools.jackson.databind.json.JsonMapper;

import io.github.springipc.transport.IpcMessage;

import org.springframework.messaging.Message;
import org.springframework.messaging.MessageHeaders;
import org.springframework.messaging.converter.ByteArrayMessageConverter;
import org.springframework.messaging.converter.CompositeMessageConverter;
import org.springframework.messaging.converter.JacksonJsonMessageConverter;
import org.springframework.messaging.converter.MessageConverter;
import org.springframework.messaging.converter.StringMessageConverter;
import org.springframework.messaging.support.GenericMessage;
import org.springframework.messaging.support.MessageHeaderAccessor;

/**
 * The converter the IPC layer uses unless told otherwise: {@code String} as
 * {@code text/plain}, {@code byte[]} as {@code application/octet-stream}, everything else as JSON
 * through Jackson 3. Each converter writes the {@code contentType} header; on receipt the
 * target type is the listener's parameter type, never a class name carried by the message.
 *
 * <pre>{@code
 * @Bean
 * MessageConverter ipcMessageConverter(JsonMapper jsonMapper) {
 *     return new DefaultIpcMessageConverter(jsonMapper);
 * }
 * }</pre>
 *
 * <p>Objects to and from JSON, the case of nearly every message, take a direct route with the
 * same result as going through the three converters in turn: a Jackson reader prepared once per
 * target type (and listener parameter), the bytes written in one step, and headers built
 * without a builder. Anything else (text, bytes, other content types, JSON views, a changed
 * {@linkplain #getConverters() converter list}) goes through the converters.
 */
public class DefaultIpcMessageConverter extends CompositeMessageConverter {

    /** The JSON converter when it was made with this converter, else null. */
    private final JsonConverter eagerJson;

    /** The JSON converter made on first use, when no mapper was given; else null. */
    private final LazyJsonConverter lazyJson;

    /** Headers of every message written by the direct JSON route; made on first use. */
    private volatile IpcMessage jsonTemplate;

    /**
     * With a default {@link JsonMapper}, made when the first JSON payload is converted (an
     * application that sends only text and bytes never loads Jackson's mapper).
     */
    public DefaultIpcMessageConverter() {
        this(() -> JsonMapper.builder().build());
    }

    /**
     * With a {@link JsonMapper} asked for when the first JSON payload is converted. The third of
     * {@link #getConverters()} is then a stand-in for Spring's Jackson converter, made at that
     * moment (so it is not a {@code JacksonJsonMessageConverter} to configure: pass the mapper
     * itself for that). The same holds for the no-argument constructor.
     */
    public DefaultIpcMessageConverter(Supplier<JsonMapper> jsonMapper) {
        this(null, new LazyJsonConverter(jsonMapper));
    }

    /**
     * With the application's {@link JsonMapper} (its modules and settings apply). The third of
     * {@link #getConverters()} is Spring's {@link JacksonJsonMessageConverter} over it.
     */
    public DefaultIpcMessageConverter(JsonMapper jsonMapper) {
        this(new JsonConverter(jsonMapper), null);
    }

    /**
     * Over the application's mapper when it has one (a {@code JsonMapper} bean), else over the
     * default mapper made on first use: what the auto-configuration and {@code @EnableIpc}
     * register.
     *
     * @param applicationMapper the application's mapper, or {@code null}
     */
    public static DefaultIpcMessageConverter forApplicationMapper(JsonMapper applicationMapper) {
        return (applicationMapper != null) ? new DefaultIpcMessageConverter(applicationMapper)
                : new DefaultIpcMessageConverter();
    }

    private DefaultIpcMessageConverter(JsonConverter eagerJson, LazyJsonConverter lazyJson) {
        super(List.of(new StringMessageConverter(), new ByteArrayMessageConverter(), jsonSlot(eagerJson, lazyJson)));
        this.eagerJson = eagerJson;
        this.lazyJson = lazyJson;
    }

    /** The third converter: the JSON converter made with this one, else its lazy stand-in. */
    private static MessageConverter jsonSlot(JsonConverter eagerJson, LazyJsonConverter lazyJson) {
        return (eagerJson != null) ? eagerJson : lazyJson;
    }

    /** The JSON converter, made now if it was not (package-private for tests). */
    JsonConverter json() {
        return (this.eagerJson != null) ? this.eagerJson : this.lazyJson.converter();
    }

    /**
     * Whether the JSON converter exists yet: always when a mapper was given, else once the
     * first JSON payload was converted.
     */
    public boolean isJsonConverterMade() {
        return this.eagerJson != null || this.lazyJson.isMade();
    }

    @Override
    public Object fromMessage(Message<?> message, Class<?> targetClass) {
        return fromMessage(message, targetClass, null);
    }

    @Override
    public Object fromMessage(Message<?> message, Class<?> targetClass, Object conversionHint) {
        Object converted = fromJsonDirectly(message, targetClass, conversionHint);
        return (converted != null) ? converted : super.fromMessage(message, targetClass, conversionHint);
    }

    /**
     * The payload converted by the direct JSON route alone, or {@code null} when that route does
     * not apply to this message (or the JSON is {@code null}); {@link #fromMessage(Message, Class, Object)}
     * is then the way. For callers that hold an argument resolver's place and must not convert
     * twice.
     */
    public Object fromJsonDirectly(Message<?> message, Class<?> targetClass, Object conversionHint) {
        if (!convertersUnchanged() || !isJsonToObject(message, targetClass)) {
            return null;
        }
        Object contentType = contentTypeOf(message);
        // a content type that is not JSON is declined without making a mapper that is not there yet
        boolean declined = this.lazyJson != null && this.lazyJson.declinesUnmade(contentType);
        if (!declined && json().readsDirectly(contentType)) {
            Object converted = json().read(message, targetClass, conversionHint);
            return (converted != JsonConverter.NOT_HANDLED) ? converted : null;
        }
        return null;
    }

    @Override
    public Message<?> toMessage(Object payload, MessageHeaders headers) {
        return toMessage(payload, headers, null);
    }

    @Override
    public Message<?> toMessage(Object payload, MessageHeaders headers, Object conversionHint) {
        if (conversionHint == null && convertersUnchanged() && isObjectToJson(payload, headers)
                && json().writesDirectly()) {
            byte[] bytes = json().write(payload);
            Map<String, Object> messageHeaders = new HashMap<>();
            if (headers != null) {
                messageHeaders.putAll(headers); // id and timestamp are replaced by new ones
            }
            messageHeaders.put(MessageHeaders.CONTENT_TYPE, json().contentType());
            return new GenericMessage<>(bytes, new IpcMessageHeaders(messageHeaders));
        }
        return super.toMessage(payload, headers, conversionHint);
    }

    /**
     * The wire message {@code toMessage(payload, null)} would give, built without the Spring
     * message in between (no id, timestamp or header maps made only to be dropped), or
     * {@code null} when the payload does not take the direct JSON route.
     */
    IpcMessage toJsonIpcMessage(Object payload) {
        if (payload == null || !convertersUnchanged() || !isObjectToJson(payload, null) || !json().writesDirectly()) {
            return null;
        }
        IpcMessage template = this.jsonTemplate;
        if (template == null) {
            template = IpcMessage.of(Map.of(IpcHeaders.CONTENT_TYPE, json().contentType().toString()), null);
            this.jsonTemplate = template;
        }
        return template.withPayload(json().write(payload));
    }

    /** The message's content type header, read from the wire for a received message (no Spring headers made). */
    static Object contentTypeOf(Message<?> message) {
        // a received message's headers are made only when asked for: the wire has the content type
        return (message instanceof IpcReceivedMessage received) ? received.wireHeader(IpcHeaders.CONTENT_TYPE)
                : message.getHeaders().get(MessageHeaders.CONTENT_TYPE);
    }

    /** The direct routes hold only while the converters are the three this class was made with. */
    private boolean convertersUnchanged() {
        List<MessageConverter> converters = getConverters();
        return converters.size() == 3 && converters.get(2) == jsonSlot(this.eagerJson, this.lazyJson);
    }

    /**
     * Whether the text and byte converters decline the message and Jackson reads it: a byte
     * payload that is not itself the target, for a target other than {@code String} or
     * {@code byte[]}.
     */
    private static boolean isJsonToObject(Message<?> message, Class<?> targetClass) {
        Object payload = message.getPayload();
        return payload instanceof byte[] && targetClass != null && targetClass != String.class
                && targetClass != byte[].class && !targetClass.isInstance(payload);
    }

    /** Whether the text and byte converters decline the payload and Jackson writes it with fresh headers. */
    private static boolean isObjectToJson(Object payload, MessageHeaders headers) {
        if (payload instanceof String || payload instanceof byte[]) {
            return false;
        }
        // headers naming a content type, or held by a mutable accessor, take the converters' route
        return headers == null || (headers.get(MessageHeaders.CONTENT_TYPE) == null
                && MessageHeaderAccessor.getAccessor(headers, MessageHeaderAccessor.class) == null);
    }
}

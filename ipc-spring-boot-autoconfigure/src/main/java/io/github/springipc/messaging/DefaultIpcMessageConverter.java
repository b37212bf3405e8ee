package io.github.springipc.messaging;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.json.JsonMapper;

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

    private final JsonConverter json;

    /** With a default {@link JsonMapper}. */
    public DefaultIpcMessageConverter() {
        this(JsonMapper.builder().build());
    }

    /** With the application's {@link JsonMapper} (its modules and settings apply). */
    public DefaultIpcMessageConverter(JsonMapper jsonMapper) {
        this(new JsonConverter(jsonMapper));
    }

    private DefaultIpcMessageConverter(JsonConverter json) {
        super(List.of(new StringMessageConverter(), new ByteArrayMessageConverter(), json));
        this.json = json;
    }

    @Override
    public Object fromMessage(Message<?> message, Class<?> targetClass) {
        return fromMessage(message, targetClass, null);
    }

    @Override
    public Object fromMessage(Message<?> message, Class<?> targetClass, Object conversionHint) {
        if (convertersUnchanged() && isJsonToObject(message, targetClass)
                && this.json.readsDirectly(message.getHeaders().get(MessageHeaders.CONTENT_TYPE))) {
            Object converted = this.json.read(message, targetClass, conversionHint);
            if (converted != JsonConverter.NOT_HANDLED) {
                return converted;
            }
        }
        return super.fromMessage(message, targetClass, conversionHint);
    }

    @Override
    public Message<?> toMessage(Object payload, MessageHeaders headers) {
        return toMessage(payload, headers, null);
    }

    @Override
    public Message<?> toMessage(Object payload, MessageHeaders headers, Object conversionHint) {
        if (conversionHint == null && convertersUnchanged() && isObjectToJson(payload, headers)
                && this.json.writesDirectly()) {
            byte[] bytes = this.json.write(payload);
            Map<String, Object> messageHeaders = new HashMap<>();
            if (headers != null) {
                messageHeaders.putAll(headers); // id and timestamp are replaced by new ones
            }
            messageHeaders.put(MessageHeaders.CONTENT_TYPE, this.json.contentType());
            return new GenericMessage<>(bytes, new IpcMessageHeaders(messageHeaders));
        }
        return super.toMessage(payload, headers, conversionHint);
    }

    /** The direct routes hold only while the converters are the three this class was made with. */
    private boolean convertersUnchanged() {
        List<MessageConverter> converters = getConverters();
        return converters.size() == 3 && converters.get(2) == this.json;
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

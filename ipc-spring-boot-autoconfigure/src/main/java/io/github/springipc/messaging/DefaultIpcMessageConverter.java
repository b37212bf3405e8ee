package io.github.springipc.messaging;

import java.util.List;

import tools.jackson.databind.json.JsonMapper;

import org.springframework.messaging.converter.ByteArrayMessageConverter;
import org.springframework.messaging.converter.CompositeMessageConverter;
import org.springframework.messaging.converter.JacksonJsonMessageConverter;
import org.springframework.messaging.converter.StringMessageConverter;

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
 */
public class DefaultIpcMessageConverter extends CompositeMessageConverter {

    /** With a default {@link JsonMapper}. */
    public DefaultIpcMessageConverter() {
        this(JsonMapper.builder().build());
    }

    /** With the application's {@link JsonMapper} (its modules and settings apply). */
    public DefaultIpcMessageConverter(JsonMapper jsonMapper) {
        super(List.of(new StringMessageConverter(), new ByteArrayMessageConverter(),
                new JacksonJsonMessageConverter(jsonMapper)));
    }
}

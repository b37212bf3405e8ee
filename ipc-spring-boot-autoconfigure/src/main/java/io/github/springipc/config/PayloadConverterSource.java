package io.github.springipc.config;

import org.springframework.messaging.converter.MessageConverter;
import org.springframework.messaging.handler.annotation.support.MessageHandlerMethodFactory;

/**
 * A {@link MessageHandlerMethodFactory} that can tell when its methods resolve arguments exactly
 * as a {@code DefaultMessageHandlerMethodFactory} without custom argument resolvers does, and
 * with which converter. A listener endpoint then converts a method's lone payload parameter
 * itself, with that converter, instead of going through the resolvers (same result, less work
 * per message).
 */
public interface PayloadConverterSource extends MessageHandlerMethodFactory {

    /**
     * The converter of the payload resolver, or {@code null} when the factory's argument
     * resolution is customised (then every argument goes through the resolvers).
     */
    MessageConverter payloadConverter();
}

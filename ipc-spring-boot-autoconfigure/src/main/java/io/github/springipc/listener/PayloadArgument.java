package io.github.springipc.listener;

import java.util.Optional;

import org.springframework.core.MethodParameter;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageHeaders;
import org.springframework.messaging.converter.MessageConverter;
import org.springframework.messaging.handler.invocation.InvocableHandlerMethod;
import org.springframework.messaging.support.MessageHeaderAccessor;

import io.github.springipc.messaging.DefaultIpcMessageConverter;
import io.github.springipc.messaging.IpcReceivedMessage;

/**
 * The argument of a listener method whose one parameter is the payload, converted the way
 * spring-messaging's {@code PayloadMethodArgumentResolver} would, without going through the
 * argument resolvers.
 *
 * <p>It exists for speed: resolving arguments (and the Spring headers it makes a message build)
 * cost about as much per message as the rest of the pipeline around Jackson. It is used only
 * where the result is the same: the method was made by the default argument-resolving factory,
 * its parameter carries no annotation (so no {@code @Header}, {@code @Payload} option or
 * validation hint) and is not a type another resolver claims, the message is a received
 * {@link IpcReceivedMessage} with a non-empty JSON payload, and the converter is a
 * {@link DefaultIpcMessageConverter} (that class, not a subclass) that reads it directly. Anything else returns
 * {@code null}, and the method is invoked through its resolvers as usual.
 */
final class PayloadArgument {

    private final MethodParameter parameter;

    private final Class<?> type;

    private final DefaultIpcMessageConverter converter;

    private PayloadArgument(MethodParameter parameter, DefaultIpcMessageConverter converter) {
        this.parameter = parameter;
        this.type = parameter.getParameterType();
        this.converter = converter;
    }

    /**
     * The payload argument of {@code method}, or {@code null} when its argument must be resolved
     * the usual way.
     *
     * @param payloadConverter the converter the method's payload resolver uses; {@code null} when
     *        its factory was customised
     */
    static PayloadArgument of(InvocableHandlerMethod method, MessageConverter payloadConverter) {
        // exactly the default class: a subclass may convert differently
        if (!(payloadConverter instanceof DefaultIpcMessageConverter converter)
                || converter.getClass() != DefaultIpcMessageConverter.class) {
            return null;
        }
        MethodParameter[] parameters = method.getMethodParameters();
        if (parameters.length != 1 || parameters[0].getParameterAnnotations().length != 0) {
            return null;
        }
        Class<?> type = parameters[0].getParameterType();
        boolean claimedElsewhere = Message.class.isAssignableFrom(type) || MessageHeaders.class.isAssignableFrom(type)
                || MessageHeaderAccessor.class.isAssignableFrom(type);
        // primitives are never an instance of their type (invoke's provided arguments match by
        // instance); a String, byte[] or Object parameter takes the payload as is
        if (claimedElsewhere || type.isPrimitive() || type == Optional.class || type == String.class
                || type.isAssignableFrom(byte[].class)) {
            return null;
        }
        return new PayloadArgument(parameters[0], converter);
    }

    /** The converted payload, or {@code null} when this message takes the resolvers' route. */
    Object resolve(Message<?> message) {
        if (!(message instanceof IpcReceivedMessage received) || received.getPayload().length == 0) {
            return null;
        }
        Object payload = this.converter.fromJsonDirectly(received, this.type, this.parameter);
        return this.type.isInstance(payload) ? payload : null;
    }
}

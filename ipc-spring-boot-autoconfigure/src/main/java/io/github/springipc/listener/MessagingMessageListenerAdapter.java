package io.github.springipc.listener;

import java.time.Duration;

import io.github.springipc.messaging.IpcChannelResolver;
import io.github.springipc.messaging.IpcHeaders;
import io.github.springipc.messaging.IpcMessageMapper;
import io.github.springipc.transport.IpcDelivery;
import io.github.springipc.transport.IpcMessage;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.messaging.Message;
import org.springframework.messaging.MessageHeaders;
import org.springframework.messaging.converter.MessageConverter;
import org.springframework.messaging.handler.invocation.InvocableHandlerMethod;
import org.springframework.messaging.support.MessageBuilder;
import org.springframework.util.Assert;

/**
 * Invokes a listener method (an {@link InvocableHandlerMethod}, whose arguments spring-messaging
 * resolves: payload conversion, {@code @Header}, {@code @Headers}, {@code Message<T>},
 * validation) and sends its return value on.
 *
 * <p>Where a non-null return value goes, as in Spring JMS:
 * <ol>
 * <li>to the requester, when the message is a request ({@code convertSendAndReceive});
 * <li>otherwise to the {@code @SendTo} channel, when there is one;
 * <li>otherwise nowhere: it is logged at debug level and dropped (the incoming message was
 * handled; the sender chose not to wait for an answer).
 * </ol>
 * A {@code Message} return value is sent as is; anything else goes through the message converter.
 */
public class MessagingMessageListenerAdapter implements IpcMessageListener {

    private static final Log logger = LogFactory.getLog(MessagingMessageListenerAdapter.class);

    private final InvocableHandlerMethod handlerMethod;

    private final MessageConverter messageConverter;

    private final IpcMessageMapper messageMapper;

    private final IpcChannelResolver channelResolver;

    private final Duration sendTimeout;

    private IpcListenerErrorHandler errorHandler;

    private String sendTo;

    private PayloadArgument payloadArgument;

    public MessagingMessageListenerAdapter(InvocableHandlerMethod handlerMethod, MessageConverter messageConverter,
            IpcMessageMapper messageMapper, IpcChannelResolver channelResolver, Duration sendTimeout) {
        Assert.notNull(handlerMethod, "handlerMethod must not be null");
        this.handlerMethod = handlerMethod;
        this.messageConverter = messageConverter;
        this.messageMapper = messageMapper;
        this.channelResolver = channelResolver;
        this.sendTimeout = sendTimeout;
    }

    /** The per-listener error handler; none by default. */
    public void setErrorHandler(IpcListenerErrorHandler errorHandler) {
        this.errorHandler = errorHandler;
    }

    /**
     * The converter that the handler method's payload resolver uses, when the method's factory
     * resolves arguments as {@code DefaultMessageHandlerMethodFactory} does without custom
     * resolvers; {@code null} (the default) when unknown. With it, a method whose one parameter
     * is a JSON payload gets it converted directly (see {@link PayloadArgument}).
     */
    public void setPayloadConverter(MessageConverter payloadConverter) {
        this.payloadArgument = PayloadArgument.of(this.handlerMethod, payloadConverter);
    }

    /** The channel for return values when the message is not a request ({@code @SendTo}). */
    public void setSendTo(String sendTo) {
        this.sendTo = sendTo;
    }

    @Override
    public void onMessage(Message<?> message, IpcDelivery delivery) throws Exception {
        Object result;
        try {
            Object payload = (this.payloadArgument != null) ? this.payloadArgument.resolve(message) : null;
            // a provided argument takes the place of the parameter it is an instance of
            result = (payload != null) ? this.handlerMethod.invoke(message, payload) : this.handlerMethod.invoke(message);
        }
        catch (Exception ex) {
            ListenerExecutionFailedException failure = new ListenerExecutionFailedException(message,
                    "Listener method " + this.handlerMethod.getShortLogMessage() + " threw " + ex, ex);
            if (this.errorHandler == null) {
                throw failure;
            }
            result = this.errorHandler.handleError(message, failure);
        }
        if (result != null) {
            sendResult(result, message, delivery);
        }
    }

    private void sendResult(Object result, Message<?> request, IpcDelivery delivery) {
        boolean toRequester = delivery.expectsReply();
        if (!toRequester && this.sendTo == null) {
            if (logger.isDebugEnabled()) {
                logger.debug("Dropping the return value of " + this.handlerMethod.getShortLogMessage()
                        + ": the message on '" + request.getHeaders().get(IpcHeaders.CHANNEL)
                        + "' is not a request and the method has no @SendTo");
            }
            return;
        }
        IpcMessage reply;
        try {
            reply = this.messageMapper.toIpcMessage(toMessage(result, request));
        }
        catch (RuntimeException ex) {
            throw new ReplyFailureException(request, "Could not convert the return value of "
                    + this.handlerMethod.getShortLogMessage() + " (" + result.getClass().getName() + ")", ex);
        }
        try {
            if (toRequester) {
                delivery.reply(reply);
            }
            else {
                if (this.sendTimeout != null) {
                    this.channelResolver.resolve(this.sendTo).send(reply, this.sendTimeout);
                }
                else {
                    this.channelResolver.resolve(this.sendTo).send(reply);
                }
            }
        }
        catch (RuntimeException ex) {
            throw new ReplyFailureException(request, "Could not send the return value of "
                    + this.handlerMethod.getShortLogMessage() + " to "
                    + (toRequester ? "the requester" : "channel '" + this.sendTo + "'"), ex);
        }
    }

    private Message<?> toMessage(Object result, Message<?> request) {
        Object correlationId = request.getHeaders().get(IpcHeaders.CORRELATION_ID);
        if (result instanceof Message<?> message) {
            return (correlationId == null) ? message
                    : MessageBuilder.fromMessage(message).setHeaderIfAbsent(IpcHeaders.CORRELATION_ID, correlationId).build();
        }
        MessageHeaders headers = (correlationId == null) ? null
                : new MessageHeaders(java.util.Map.of(IpcHeaders.CORRELATION_ID, correlationId));
        Message<?> converted = this.messageConverter.toMessage(result, headers);
        if (converted == null) {
            throw new org.springframework.messaging.converter.MessageConversionException(
                    "No converter for a reply of type " + result.getClass().getName());
        }
        return converted;
    }
}

package io.github.springipc.config;

import java.lang.reflect.Method;

import io.github.springipc.listener.IpcListenerContainer;
import io.github.springipc.listener.IpcListenerErrorHandler;
import io.github.springipc.listener.IpcMessageListener;
import io.github.springipc.listener.MessagingMessageListenerAdapter;

import org.springframework.messaging.handler.annotation.support.MessageHandlerMethodFactory;
import org.springframework.messaging.handler.invocation.InvocableHandlerMethod;
import org.springframework.util.Assert;

/** An endpoint whose listener is a bean method, such as an {@code @IpcListener} method. */
public class MethodIpcListenerEndpoint extends AbstractIpcListenerEndpoint {

    private Object bean;

    private Method method;

    private MessageHandlerMethodFactory messageHandlerMethodFactory;

    private IpcListenerErrorHandler errorHandler;

    private String sendTo;

    public void setBean(Object bean) {
        this.bean = bean;
    }

    public Object getBean() {
        return this.bean;
    }

    /** The method to invoke (already made invocable on the bean, e.g. through a proxy). */
    public void setMethod(Method method) {
        this.method = method;
    }

    public Method getMethod() {
        return this.method;
    }

    /** Resolves the method's arguments (conversion, headers, validation). */
    public void setMessageHandlerMethodFactory(MessageHandlerMethodFactory messageHandlerMethodFactory) {
        this.messageHandlerMethodFactory = messageHandlerMethodFactory;
    }

    /** Called when the method throws; may answer with a fallback value. */
    public void setErrorHandler(IpcListenerErrorHandler errorHandler) {
        this.errorHandler = errorHandler;
    }

    /** Channel for return values of messages that are not requests ({@code @SendTo}). */
    public void setSendTo(String sendTo) {
        this.sendTo = sendTo;
    }

    public String getSendTo() {
        return this.sendTo;
    }

    @Override
    protected IpcMessageListener createMessageListener(IpcListenerContainer container) {
        Assert.state(this.messageHandlerMethodFactory != null,
                "Could not create message listener: no MessageHandlerMethodFactory set on " + this);
        InvocableHandlerMethod invocable = this.messageHandlerMethodFactory.createInvocableHandlerMethod(
                this.bean, this.method);
        MessagingMessageListenerAdapter adapter = new MessagingMessageListenerAdapter(invocable,
                container.getMessageConverter(), container.getMessageMapper(), container.getChannelResolver(),
                container.getSendTimeout());
        if (this.messageHandlerMethodFactory instanceof PayloadConverterSource source) {
            adapter.setPayloadConverter(source.payloadConverter());
        }
        adapter.setErrorHandler(this.errorHandler);
        adapter.setSendTo(this.sendTo);
        return adapter;
    }
}

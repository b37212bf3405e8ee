package io.github.springipc.annotation;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.github.springipc.config.IpcBeanNames;
import io.github.springipc.config.IpcListenerContainerFactory;
import io.github.springipc.config.IpcListenerEndpointRegistrar;
import io.github.springipc.config.IpcListenerEndpointRegistry;
import io.github.springipc.config.MethodIpcListenerEndpoint;
import io.github.springipc.config.PayloadConverterSource;
import io.github.springipc.listener.IpcListenerErrorHandler;
import io.github.springipc.messaging.DefaultIpcMessageConverter;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.aop.support.AopUtils;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.BeanInitializationException;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.NoSuchBeanDefinitionException;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.config.BeanExpressionContext;
import org.springframework.beans.factory.config.BeanExpressionResolver;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.beans.factory.config.ConfigurableBeanFactory;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.messaging.converter.MessageConverter;
import org.springframework.messaging.handler.annotation.SendTo;
import org.springframework.messaging.handler.annotation.support.DefaultMessageHandlerMethodFactory;
import org.springframework.messaging.handler.annotation.support.MessageHandlerMethodFactory;
import org.springframework.messaging.handler.invocation.InvocableHandlerMethod;
import org.springframework.util.Assert;
import org.springframework.util.StringUtils;
import org.springframework.validation.Validator;

/**
 * Finds {@link IpcListener} methods on beans and registers an endpoint for each annotation with
 * the {@link IpcListenerEndpointRegistrar}; once all singletons exist, lets
 * {@link IpcListenerConfigurer}s adjust the registrar and hands everything to the
 * {@link IpcListenerEndpointRegistry}.
 *
 * <p>Arguments are resolved by a {@link DefaultMessageHandlerMethodFactory} that converts with
 * the {@value IpcBeanNames#MESSAGE_CONVERTER} bean and validates with the application's
 * {@link Validator} when there is exactly one (or a primary one).
 */
public class IpcListenerAnnotationBeanPostProcessor
        implements BeanPostProcessor, SmartInitializingSingleton, BeanFactoryAware, Ordered {

    private static final Log logger = LogFactory.getLog(IpcListenerAnnotationBeanPostProcessor.class);

    private final IpcListenerEndpointRegistrar registrar = new IpcListenerEndpointRegistrar();

    private final LazyMethodFactory messageHandlerMethodFactory = new LazyMethodFactory();

    private final Set<Class<?>> nonAnnotatedClasses = ConcurrentHashMap.newKeySet();

    private final Set<String> usedIds = ConcurrentHashMap.newKeySet();

    private BeanFactory beanFactory;

    private BeanExpressionResolver expressionResolver;

    private BeanExpressionContext expressionContext;

    @Override
    public int getOrder() {
        return LOWEST_PRECEDENCE;
    }

    @Override
    public void setBeanFactory(BeanFactory beanFactory) {
        this.beanFactory = beanFactory;
        if (beanFactory instanceof ConfigurableBeanFactory configurable) {
            this.expressionResolver = configurable.getBeanExpressionResolver();
            this.expressionContext = new BeanExpressionContext(configurable, null);
        }
    }

    @Override
    public void afterSingletonsInstantiated() {
        this.registrar.setBeanFactory(this.beanFactory);
        if (this.beanFactory instanceof ListableBeanFactory listable) {
            for (IpcListenerConfigurer configurer : listable.getBeansOfType(IpcListenerConfigurer.class).values()) {
                configurer.configureIpcListeners(this.registrar);
            }
        }
        if (this.registrar.getEndpointRegistry() == null) {
            this.registrar.setEndpointRegistry(
                    this.beanFactory.getBean(IpcBeanNames.ENDPOINT_REGISTRY, IpcListenerEndpointRegistry.class));
        }
        if (this.registrar.getMessageHandlerMethodFactory() != null) {
            this.messageHandlerMethodFactory.delegate = this.registrar.getMessageHandlerMethodFactory();
        }
        this.registrar.afterPropertiesSet();
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) throws BeansException {
        if (this.nonAnnotatedClasses.contains(bean.getClass())) {
            return bean;
        }
        Class<?> targetClass = AopUtils.getTargetClass(bean);
        Map<Method, Set<IpcListener>> annotated = MethodIntrospector.selectMethods(targetClass,
                (MethodIntrospector.MetadataLookup<Set<IpcListener>>) (method) -> {
                    Set<IpcListener> listeners = AnnotatedElementUtils.findMergedRepeatableAnnotations(method,
                            IpcListener.class, IpcListeners.class);
                    return listeners.isEmpty() ? null : listeners;
                });
        if (annotated.isEmpty()) {
            this.nonAnnotatedClasses.add(bean.getClass());
            return bean;
        }
        annotated.forEach((method, listeners) -> listeners.forEach(
                (listener) -> processListener(listener, method, bean, beanName)));
        if (logger.isDebugEnabled()) {
            logger.debug(annotated.size() + " @IpcListener method(s) on bean '" + beanName + "'");
        }
        return bean;
    }

    /** Turns one annotation on one method into an endpoint registration. */
    protected void processListener(IpcListener listener, Method method, Object bean, String beanName) {
        Method invocable = AopUtils.selectInvocableMethod(method, bean.getClass());
        MethodIpcListenerEndpoint endpoint = new MethodIpcListenerEndpoint();
        endpoint.setBean(bean);
        endpoint.setMethod(invocable);
        endpoint.setMessageHandlerMethodFactory(this.messageHandlerMethodFactory);
        endpoint.setId(endpointId(listener, beanName, method));
        endpoint.setChannels(channels(listener, method));
        endpoint.setConcurrency(textOrNull(listener.concurrency()));
        String autoStartup = textOrNull(listener.autoStartup());
        if (autoStartup != null) {
            endpoint.setAutoStartup(Boolean.parseBoolean(autoStartup));
        }
        endpoint.setDeadLetterChannel(textOrNull(listener.deadLetterChannel()));
        String maxAttempts = textOrNull(listener.maxAttempts());
        if (maxAttempts != null) {
            endpoint.setMaxAttempts(parsePositive(maxAttempts, "maxAttempts", method));
        }
        String errorHandler = textOrNull(listener.errorHandler());
        if (errorHandler != null) {
            endpoint.setErrorHandler(bean(errorHandler, IpcListenerErrorHandler.class, "errorHandler", method));
        }
        SendTo sendTo = AnnotatedElementUtils.findMergedAnnotation(method, SendTo.class);
        if (sendTo != null) {
            Assert.state(sendTo.value().length == 1, () -> "@SendTo on " + method + " must name exactly one channel");
            endpoint.setSendTo(textOrNull(sendTo.value()[0]));
        }
        String factoryName = textOrNull(listener.containerFactory());
        IpcListenerContainerFactory factory = (factoryName != null)
                ? bean(factoryName, IpcListenerContainerFactory.class, "containerFactory", method) : null;
        this.registrar.registerEndpoint(endpoint, factory);
    }

    private String endpointId(IpcListener listener, String beanName, Method method) {
        String id = textOrNull(listener.id());
        if (id != null) {
            return id;
        }
        String base = beanName + "." + method.getName();
        String candidate = base;
        for (int n = 2; !this.usedIds.add(candidate); n++) {
            candidate = base + "#" + n;
        }
        return candidate;
    }

    private List<String> channels(IpcListener listener, Method method) {
        List<String> channels = new ArrayList<>();
        for (String value : listener.value()) {
            addChannels(channels, evaluate(value));
        }
        if (channels.isEmpty()) {
            throw new BeanInitializationException("@IpcListener on " + method + " names no channel; "
                    + "set value/channels to the channel name(s)");
        }
        return channels;
    }

    private static void addChannels(List<String> channels, Object value) {
        if (value instanceof String text) {
            if (StringUtils.hasText(text)) {
                channels.add(text.trim());
            }
        }
        else if (value instanceof String[] texts) {
            for (String text : texts) {
                addChannels(channels, text);
            }
        }
        else if (value instanceof Collection<?> values) {
            values.forEach((each) -> addChannels(channels, each));
        }
        else if (value != null) {
            channels.add(value.toString());
        }
    }

    private <T> T bean(String name, Class<T> type, String attribute, Method method) {
        try {
            return this.beanFactory.getBean(name, type);
        }
        catch (NoSuchBeanDefinitionException ex) {
            throw new BeanInitializationException("@IpcListener(" + attribute + " = \"" + name + "\") on "
                    + method + ": no " + type.getSimpleName() + " bean named '" + name + "'", ex);
        }
    }

    private static int parsePositive(String text, String attribute, Method method) {
        try {
            int value = Integer.parseInt(text.trim());
            if (value > 0) {
                return value;
            }
        }
        catch (NumberFormatException ex) {
            // reported below
        }
        throw new BeanInitializationException("@IpcListener(" + attribute + " = \"" + text + "\") on "
                + method + " must be a positive number");
    }

    /** Resolves placeholders and SpEL; blank → {@code null}. */
    private String textOrNull(String value) {
        Object resolved = evaluate(value);
        String text = (resolved != null) ? resolved.toString() : null;
        return StringUtils.hasText(text) ? text.trim() : null;
    }

    private Object evaluate(String value) {
        if (!StringUtils.hasText(value)) {
            return null;
        }
        String resolved = (this.beanFactory instanceof ConfigurableBeanFactory configurable)
                ? configurable.resolveEmbeddedValue(value) : value;
        if (this.expressionResolver == null) {
            return resolved;
        }
        return this.expressionResolver.evaluate(resolved, this.expressionContext);
    }

    /** Creates the default argument-resolving factory only when the first listener needs it. */
    private final class LazyMethodFactory implements PayloadConverterSource {

        private volatile MessageHandlerMethodFactory delegate;

        /** The default factory made here and its converter, in one field so they always match. */
        private volatile MadeDefault madeDefault;

        @Override
        public MessageConverter payloadConverter() {
            // only while the default made here is in use: a configured factory may resolve differently
            MessageHandlerMethodFactory current = this.delegate;
            MadeDefault made = this.madeDefault;
            return (current != null && made != null && current == made.factory()) ? made.converter() : null;
        }

        @Override
        public InvocableHandlerMethod createInvocableHandlerMethod(Object bean, Method method) {
            MessageHandlerMethodFactory factory = this.delegate;
            if (factory == null) {
                factory = createDefault();
                this.delegate = factory;
            }
            return factory.createInvocableHandlerMethod(bean, method);
        }

        private MessageHandlerMethodFactory createDefault() {
            DefaultMessageHandlerMethodFactory factory = new DefaultMessageHandlerMethodFactory();
            factory.setBeanFactory(beanFactory);
            MessageConverter converter = beanFactory.containsBean(IpcBeanNames.MESSAGE_CONVERTER)
                    ? beanFactory.getBean(IpcBeanNames.MESSAGE_CONVERTER, MessageConverter.class)
                    : new DefaultIpcMessageConverter();
            factory.setMessageConverter(converter);
            this.madeDefault = new MadeDefault(factory, converter);
            if (beanFactory instanceof ListableBeanFactory listable) {
                Validator validator = listable.getBeanProvider(Validator.class).getIfUnique();
                if (validator != null) {
                    factory.setValidator(validator);
                }
            }
            factory.afterPropertiesSet();
            return factory;
        }
    }

    private record MadeDefault(MessageHandlerMethodFactory factory, MessageConverter converter) {
    }
}

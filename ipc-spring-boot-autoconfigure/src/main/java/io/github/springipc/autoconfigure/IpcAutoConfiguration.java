package io.github.springipc.autoconfigure;

import java.util.LinkedHashMap;
import java.util.Map;

import io.micrometer.observation.ObservationRegistry;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.thread.Threading;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;
import org.springframework.messaging.converter.MessageConverter;

import io.github.springipc.annotation.IpcBootstrapConfiguration;
import io.github.springipc.config.DefaultIpcListenerContainerFactory;
import io.github.springipc.config.IpcBeanNames;
import io.github.springipc.messaging.BeanFactoryIpcChannelResolver;
import io.github.springipc.messaging.DefaultIpcMessageConverter;
import io.github.springipc.messaging.IpcChannelResolver;
import io.github.springipc.messaging.IpcTemplate;

/**
 * Auto-configuration of the IPC starter: one bean per channel under {@code ipc.*}, the
 * {@code @IpcListener} infrastructure and an {@link IpcTemplate}. Every bean backs off when the
 * application defines its own.
 */
@AutoConfiguration(afterName = "org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration")
@EnableConfigurationProperties(IpcProperties.class)
@Import(IpcChannelBeanRegistrar.class)
public final class IpcAutoConfiguration {

    @Bean(IpcBeanNames.CHANNEL_RESOLVER)
    @ConditionalOnMissingBean(IpcChannelResolver.class)
    BeanFactoryIpcChannelResolver ipcChannelResolver(ListableBeanFactory beanFactory) {
        return new BeanFactoryIpcChannelResolver(beanFactory);
    }

    @Bean(IpcBeanNames.MESSAGE_CONVERTER)
    @ConditionalOnMissingBean(name = IpcBeanNames.MESSAGE_CONVERTER)
    DefaultIpcMessageConverter ipcMessageConverter(ObjectProvider<JsonMapper> jsonMapper) {
        return DefaultIpcMessageConverter.forApplicationMapper(jsonMapper.getIfUnique());
    }

    @Bean(IpcBeanNames.CONTAINER_FACTORY)
    @ConditionalOnMissingBean(name = IpcBeanNames.CONTAINER_FACTORY)
    DefaultIpcListenerContainerFactory ipcListenerContainerFactory(IpcProperties properties,
            IpcChannelResolver channelResolver,
            @org.springframework.beans.factory.annotation.Qualifier(IpcBeanNames.MESSAGE_CONVERTER) MessageConverter messageConverter,
            ObjectProvider<ObservationRegistry> observationRegistry, Environment environment) {
        IpcProperties.Listener listener = properties.getListener();
        DefaultIpcListenerContainerFactory factory = new DefaultIpcListenerContainerFactory(channelResolver);
        factory.setMessageConverter(messageConverter);
        factory.setConcurrency(listener.getConcurrency());
        factory.setAutoStartup(listener.isAutoStartup());
        factory.setShutdownTimeout(listener.getShutdownTimeout());
        factory.setSpinBeforeWait(listener.getSpinBeforeWait());
        factory.setMaxMessagesPerReceive(listener.getMaxMessagesPerReceive());
        IpcProperties.Retry retry = listener.getRetry();
        factory.setMaxAttempts(retry.getMaxAttempts());
        factory.setBackOffDelay(retry.getInitialInterval());
        factory.setBackOffMultiplier(retry.getMultiplier());
        factory.setBackOffMaxDelay(retry.getMaxInterval());
        factory.setVirtualThreads(Threading.VIRTUAL.isActive(environment));
        Map<String, String> deadLetters = new LinkedHashMap<>();
        properties.getQueues().forEach((name, queue) -> {
            if (queue.getDeadLetter() != null && !queue.getDeadLetter().isEmpty()) {
                deadLetters.put(name, queue.getDeadLetter());
            }
        });
        factory.setDeadLetterChannels(deadLetters);
        if (listener.isObservationEnabled()) {
            observationRegistry.ifAvailable(factory::setObservationRegistry);
        }
        return factory;
    }

    @Bean(IpcBeanNames.TEMPLATE)
    @ConditionalOnMissingBean(IpcTemplate.class)
    IpcTemplate ipcTemplate(IpcProperties properties, IpcChannelResolver channelResolver,
            @org.springframework.beans.factory.annotation.Qualifier(IpcBeanNames.MESSAGE_CONVERTER) MessageConverter messageConverter,
            ObjectProvider<ObservationRegistry> observationRegistry) {
        IpcTemplate template = new IpcTemplate(channelResolver, messageConverter);
        IpcProperties.Template settings = properties.getTemplate();
        template.setReplyTimeout(settings.getReplyTimeout());
        template.setReceiveTimeout(settings.getReceiveTimeout());
        if (settings.isObservationEnabled()) {
            observationRegistry.ifAvailable(template::setObservationRegistry);
        }
        return template;
    }

    /** The listener infrastructure, unless the application brought its own registry (or used {@code @EnableIpc}). */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnMissingBean(name = IpcBeanNames.ENDPOINT_REGISTRY)
    @Import(IpcBootstrapConfiguration.class)
    static class ListenerInfrastructureConfiguration {

    }
}

package io.github.springipc.annotation;

import java.util.function.Function;

import io.github.springipc.config.DefaultIpcListenerContainerFactory;
import io.github.springipc.config.IpcBeanNames;
import io.github.springipc.messaging.BeanFactoryIpcChannelResolver;
import io.github.springipc.messaging.DefaultIpcMessageConverter;
import io.github.springipc.messaging.IpcChannelResolver;
import io.github.springipc.messaging.IpcTemplate;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.BeanDefinitionRegistryPostProcessor;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.messaging.converter.MessageConverter;

/**
 * Adds the default IPC beans that the application (or the auto-configuration) did not define.
 * Runs after all configuration classes are parsed, so any definition of the same bean — by type
 * for the channel resolver and the template, by name ({@value IpcBeanNames#MESSAGE_CONVERTER},
 * {@value IpcBeanNames#CONTAINER_FACTORY}) for the others — wins over these.
 */
public class IpcDefaultBeansRegistrar implements BeanDefinitionRegistryPostProcessor {

    @Override
    public void postProcessBeanDefinitionRegistry(BeanDefinitionRegistry registry) {
        if (!(registry instanceof ListableBeanFactory beanFactory)) {
            return;
        }
        if (beanFactory.getBeanNamesForType(IpcChannelResolver.class, true, false).length == 0) {
            register(registry, IpcBeanNames.CHANNEL_RESOLVER, BeanFactoryIpcChannelResolver.class,
                    (bf) -> new BeanFactoryIpcChannelResolver(bf));
        }
        if (!registry.containsBeanDefinition(IpcBeanNames.MESSAGE_CONVERTER)) {
            register(registry, IpcBeanNames.MESSAGE_CONVERTER, DefaultIpcMessageConverter.class,
                    (bf) -> DefaultIpcMessageConverter.forApplicationMapper(
                            bf.getBeanProvider(JsonMapper.class).getIfUnique()));
        }
        if (!registry.containsBeanDefinition(IpcBeanNames.CONTAINER_FACTORY)) {
            register(registry, IpcBeanNames.CONTAINER_FACTORY, DefaultIpcListenerContainerFactory.class, (bf) -> {
                DefaultIpcListenerContainerFactory factory = new DefaultIpcListenerContainerFactory(
                        bf.getBean(IpcChannelResolver.class));
                factory.setMessageConverter(bf.getBean(IpcBeanNames.MESSAGE_CONVERTER, MessageConverter.class));
                return factory;
            });
        }
        if (beanFactory.getBeanNamesForType(IpcTemplate.class, true, false).length == 0) {
            register(registry, IpcBeanNames.TEMPLATE, IpcTemplate.class, (bf) -> new IpcTemplate(
                    bf.getBean(IpcChannelResolver.class),
                    bf.getBean(IpcBeanNames.MESSAGE_CONVERTER, MessageConverter.class)));
        }
    }

    private static <T> void register(BeanDefinitionRegistry registry, String name, Class<T> type,
            Function<ListableBeanFactory, T> factory) {
        ListableBeanFactory beanFactory = (ListableBeanFactory) registry;
        RootBeanDefinition definition = new RootBeanDefinition(type, () -> factory.apply(beanFactory));
        definition.setRole(BeanDefinition.ROLE_INFRASTRUCTURE);
        registry.registerBeanDefinition(name, definition);
    }

    @Override
    public void postProcessBeanFactory(ConfigurableListableBeanFactory beanFactory) {
    }
}

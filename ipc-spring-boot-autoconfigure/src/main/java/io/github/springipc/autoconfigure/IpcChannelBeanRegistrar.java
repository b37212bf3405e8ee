package io.github.springipc.autoconfigure;

import java.util.function.Function;

import org.springframework.beans.factory.support.AbstractBeanDefinition;
import org.springframework.beans.factory.support.BeanDefinitionBuilder;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.EnvironmentAware;
import org.springframework.context.annotation.ImportBeanDefinitionRegistrar;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotationMetadata;

import io.github.springipc.transport.pipe.IpcPipe;
import io.github.springipc.transport.queue.IpcQueue;
import io.github.springipc.transport.shm.IpcSharedMemory;

/**
 * Registers one bean per channel configured under {@code ipc.*}, named after the channel, so
 * that {@code @Qualifier("jobs") IpcQueue jobs} and {@code @IpcListener("jobs")} find it.
 *
 * <p>The settings are validated first, so a wrong value fails start-up naming its property. A
 * channel whose name the application already uses for a bean of its own is left to that bean.
 * Channels open when their bean is created, at start-up (a pipe then waits for its peer in the
 * background), and close with the application context.
 */
class IpcChannelBeanRegistrar implements ImportBeanDefinitionRegistrar, EnvironmentAware {

    /** Bean name of the factory that opens the configured channels. */
    static final String FACTORY_BEAN_NAME = "io.github.springipc.autoconfigure.ipcChannelFactory";

    private Environment environment;

    @Override
    public void setEnvironment(Environment environment) {
        this.environment = environment;
    }

    @Override
    public void registerBeanDefinitions(AnnotationMetadata metadata, BeanDefinitionRegistry registry) {
        IpcProperties properties = Binder.get(this.environment).bind("ipc", IpcProperties.class)
                .orElseGet(IpcProperties::new);
        IpcPropertiesValidator.validate(properties);
        IpcChannelFactory factory = new IpcChannelFactory(properties);
        if (!registry.containsBeanDefinition(FACTORY_BEAN_NAME)) {
            registry.registerBeanDefinition(FACTORY_BEAN_NAME, BeanDefinitionBuilder
                    .rootBeanDefinition(IpcChannelFactory.class, () -> factory).getBeanDefinition());
        }
        properties.getPipes().keySet()
                .forEach(name -> register(registry, name, IpcPipe.class, factory::openPipe));
        properties.getSharedMemory().keySet()
                .forEach(name -> register(registry, name, IpcSharedMemory.class, factory::openSharedMemory));
        properties.getQueues().keySet()
                .forEach(name -> register(registry, name, IpcQueue.class, factory::openQueue));
    }

    private static <T> void register(BeanDefinitionRegistry registry, String name, Class<T> type,
            Function<String, T> opener) {
        if (registry.containsBeanDefinition(name)) {
            return; // the application defines this channel itself
        }
        AbstractBeanDefinition definition = BeanDefinitionBuilder
                .rootBeanDefinition(type, () -> opener.apply(name))
                .setDestroyMethodName("close")
                .getBeanDefinition();
        definition.setDescription("IPC channel '" + name + "' configured under ipc.*");
        registry.registerBeanDefinition(name, definition);
    }
}

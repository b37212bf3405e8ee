package io.github.springipc.annotation;

import io.github.springipc.config.IpcBeanNames;
import io.github.springipc.config.IpcListenerEndpointRegistry;

import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Role;

/**
 * Registers the IPC listener infrastructure; imported by {@link EnableIpc} and by the
 * auto-configuration.
 */
@Configuration(proxyBeanMethods = false)
@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
public class IpcBootstrapConfiguration {

    @Bean(name = IpcBeanNames.LISTENER_ANNOTATION_PROCESSOR)
    @Role(BeanDefinition.ROLE_INFRASTRUCTURE)
    static IpcListenerAnnotationBeanPostProcessor ipcListenerAnnotationProcessor() {
        return new IpcListenerAnnotationBeanPostProcessor();
    }

    @Bean(name = IpcBeanNames.ENDPOINT_REGISTRY)
    @Role(BeanDefinition.ROLE_INFRASTRUCTURE)
    static IpcListenerEndpointRegistry ipcListenerEndpointRegistry() {
        return new IpcListenerEndpointRegistry();
    }

    @Bean
    @Role(BeanDefinition.ROLE_INFRASTRUCTURE)
    static IpcDefaultBeansRegistrar ipcDefaultBeansRegistrar() {
        return new IpcDefaultBeansRegistrar();
    }
}

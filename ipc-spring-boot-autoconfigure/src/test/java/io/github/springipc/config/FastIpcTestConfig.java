package io.github.springipc.config;

import java.time.Duration;

import io.github.springipc.annotation.EnableIpc;
import io.github.springipc.messaging.IpcChannelResolver;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.messaging.converter.MessageConverter;

/**
 * {@code @EnableIpc} with a container factory tuned for tests: short poll timeout (fast context
 * close) and short back-off. Also proves that a user bean named {@code ipcListenerContainerFactory}
 * replaces the default.
 */
@Configuration(proxyBeanMethods = false)
@EnableIpc
public class FastIpcTestConfig {

    @Bean
    DefaultIpcListenerContainerFactory ipcListenerContainerFactory(IpcChannelResolver channels,
            MessageConverter ipcMessageConverter) {
        DefaultIpcListenerContainerFactory factory = new DefaultIpcListenerContainerFactory(channels);
        factory.setMessageConverter(ipcMessageConverter);
        factory.setPollTimeout(Duration.ofMillis(50));
        factory.setBackOffDelay(Duration.ofMillis(5));
        factory.setBackOffMaxDelay(Duration.ofMillis(20));
        return factory;
    }
}

package io.github.springipc.autoconfigure;

import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/** Micrometer metrics of the IPC channels and listeners, when Micrometer is on the classpath. */
@AutoConfiguration(after = IpcAutoConfiguration.class)
@ConditionalOnClass(MeterRegistry.class)
public final class IpcMetricsAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    IpcMetrics ipcMetrics(ListableBeanFactory beanFactory) {
        return new IpcMetrics(beanFactory);
    }
}

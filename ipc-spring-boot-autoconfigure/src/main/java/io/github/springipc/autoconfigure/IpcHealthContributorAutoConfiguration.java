package io.github.springipc.autoconfigure;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

import io.github.springipc.transport.pipe.IpcPipe;
import io.github.springipc.transport.queue.IpcQueue;
import io.github.springipc.transport.shm.IpcSharedMemory;

/**
 * Health of every IPC channel, one contributor per channel under {@code ipc}
 * ({@code /actuator/health/ipc/<channel>}). Off with {@code management.health.ipc.enabled=false}.
 */
@AutoConfiguration(after = IpcAutoConfiguration.class)
@ConditionalOnClass(HealthContributor.class)
@ConditionalOnEnabledHealthIndicator("ipc")
public final class IpcHealthContributorAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = { "ipcHealthIndicator", "ipcHealthContributor" })
    HealthContributor ipcHealthContributor(ListableBeanFactory beanFactory) {
        Map<String, HealthIndicator> indicators = new LinkedHashMap<>();
        beanFactory.getBeansOfType(IpcPipe.class)
                .forEach((name, pipe) -> indicators.put(name, IpcChannelHealthIndicators.pipe(pipe)));
        beanFactory.getBeansOfType(IpcSharedMemory.class)
                .forEach((name, region) -> indicators.put(name, IpcChannelHealthIndicators.sharedMemory(region)));
        beanFactory.getBeansOfType(IpcQueue.class)
                .forEach((name, queue) -> indicators.put(name, IpcChannelHealthIndicators.queue(queue)));
        return CompositeHealthContributor.fromMap(indicators);
    }
}

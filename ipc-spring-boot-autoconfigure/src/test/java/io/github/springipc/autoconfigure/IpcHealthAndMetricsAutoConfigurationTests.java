package io.github.springipc.autoconfigure;

import java.nio.file.Path;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

class IpcHealthAndMetricsAutoConfigurationTests {

    @TempDir
    Path dir;

    private ApplicationContextRunner runner() {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(IpcAutoConfiguration.class,
                        IpcHealthContributorAutoConfiguration.class, IpcMetricsAutoConfiguration.class))
                .withPropertyValues("ipc.directory=" + this.dir, "ipc.pipes.control.role=bind",
                        "ipc.shared-memory.stats.size=64KB");
    }

    @Test
    void oneHealthContributorPerChannelUnderIpc() {
        runner().run(context -> {
            CompositeHealthContributor ipc = (CompositeHealthContributor) context.getBean("ipcHealthContributor",
                    HealthContributor.class);
            HealthIndicator control = (HealthIndicator) ipc.getContributor("control");
            assertThat(control.health(true).getStatus()).isEqualTo(Status.UP);
            assertThat(control.health(true).getDetails()).containsEntry("connected", false)
                    .containsKey("state");
            HealthIndicator stats = (HealthIndicator) ipc.getContributor("stats");
            assertThat(stats.health(true).getDetails()).containsEntry("size", 65536L);
        });
    }

    @Test
    void healthCanBeSwitchedOff() {
        runner().withPropertyValues("management.health.ipc.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean("ipcHealthContributor"));
    }

    @Test
    void withoutTheHealthModuleThereIsNoHealthContributor() {
        runner().withClassLoader(new FilteredClassLoader(HealthContributor.class)).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context).doesNotHaveBean("ipcHealthContributor");
        });
    }

    @Test
    void pipeMetricsAreTaggedWithTheChannel() {
        runner().run(context -> {
            MeterRegistry registry = new SimpleMeterRegistry();
            context.getBean(IpcMetrics.class).bindTo(registry);
            assertThat(registry.get("ipc.pipe.connected").tag("channel", "control").gauge().value()).isZero();
            assertThat(registry.get("ipc.pipe.reconnects").tag("channel", "control").functionCounter().count()).isZero();
            assertThat(registry.get("ipc.template.messages").tags("channel", "control", "outcome", "sent")
                    .functionCounter().count()).isZero();
        });
    }

    @Test
    void queueGaugesAndTemplateCountersFollowTraffic() {
        runner().withPropertyValues("ipc.queues.jobs.capacity=64KB", "ipc.queues.jobs.max-message-size=1KB")
                .run(context -> {
                    MeterRegistry registry = new SimpleMeterRegistry();
                    context.getBean(IpcMetrics.class).bindTo(registry);
                    context.getBean(io.github.springipc.messaging.IpcTemplate.class).convertAndSend("jobs", "one");
                    assertThat(registry.get("ipc.template.messages").tags("channel", "jobs", "outcome", "sent")
                            .functionCounter().count()).isEqualTo(1);
                    assertThat(registry.get("ipc.queue.depth").tag("channel", "jobs").gauge().value()).isPositive();
                    assertThat(registry.get("ipc.queue.capacity").tag("channel", "jobs").gauge().value())
                            .isEqualTo(65536);
                });
    }

    @Test
    void withoutMicrometerThereAreNoMetrics() {
        runner().withClassLoader(new FilteredClassLoader(MeterRegistry.class)).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context).doesNotHaveBean(IpcMetrics.class);
        });
    }
}

package io.github.springipc.it;

import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;

import io.github.springipc.process.SiblingJvm;
import io.github.springipc.transport.shm.IpcSharedMemory;

import static org.assertj.core.api.Assertions.assertThat;

/** Two Spring Boot JVMs injecting the same {@code IpcSharedMemory} bean from application properties. */
class SpringSharedMemoryEndToEndTests {

    @TempDir
    Path dir;

    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class ReaderApp {
    }

    @Test
    void valuesWrittenByOneSpringAppAreReadByAnother() {
        try (ConfigurableApplicationContext reader = new SpringApplicationBuilder(ReaderApp.class)
                .web(WebApplicationType.NONE)
                .properties("ipc.directory=" + this.dir, "ipc.shared-memory.stats.size=64KB").run()) {
            IpcSharedMemory stats = reader.getBean("stats", IpcSharedMemory.class);
            stats.longValue("hits").addAndGet(10);
            try (SiblingJvm writer = SiblingJvm.builder(ListenerApp.class).name("writer")
                    .property("ipc.directory", this.dir.toString()).property("ipc.shared-memory.stats.size", "64KB")
                    .property("it.stats.write", "true").property("it.stats.hits", "32").start()) {
                writer.awaitLineContaining("STATS WRITTEN", Duration.ofSeconds(90));
            }
            assertThat(stats.longValue("value").get()).isEqualTo(5);
            long[] array = new long[10];
            for (int i = 0; i < 10; i++) {
                array[i] = stats.longArray("array", 10).get(i);
            }
            assertThat(array).containsExactly(0, 2, 4, 6, 8, 10, 12, 14, 16, 18);
            assertThat(stats.longValue("hits").get()).isEqualTo(42);
        }
    }
}

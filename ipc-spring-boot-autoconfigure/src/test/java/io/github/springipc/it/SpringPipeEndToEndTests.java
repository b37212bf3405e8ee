package io.github.springipc.it;

import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;

import io.github.springipc.messaging.IpcTemplate;
import io.github.springipc.process.SiblingJvm;
import io.github.springipc.transport.pipe.IpcPipe;

import static org.assertj.core.api.Assertions.assertThat;

/** An {@code @IpcListener} on a pipe in one Spring Boot JVM, an {@code IpcTemplate} in another. */
class SpringPipeEndToEndTests {

    private static final Duration STARTUP = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class SenderApp {
    }

    private ConfigurableApplicationContext sender(String... properties) {
        return new SpringApplicationBuilder(SenderApp.class).web(WebApplicationType.NONE)
                .properties("ipc.directory=" + this.dir, "spring.main.banner-mode=off")
                .properties(properties).run();
    }

    @Test
    void listenerInASiblingJvmRepliesToTheTemplate() throws Exception {
        try (SiblingJvm receiver = SiblingJvm.builder(ListenerApp.class).name("receiver")
                .property("ipc.directory", this.dir.toString()).property("ipc.pipes.control.role", "auto")
                .property("it.control.enabled", "true").start()) {
            receiver.awaitLineContaining("LISTENER READY", STARTUP);
            try (ConfigurableApplicationContext sender = sender("ipc.pipes.control.role=auto")) {
                IpcPipe pipe = sender.getBean("control", IpcPipe.class);
                assertThat(pipe.awaitConnected(Duration.ofSeconds(30))).isTrue();
                IpcTemplate template = sender.getBean(IpcTemplate.class);

                template.convertAndSend("control", "Hello from sender!");
                receiver.awaitLineContaining("Received message: Hello from sender!", Duration.ofSeconds(30));

                String reply = template.convertSendAndReceive("control", "status", String.class);
                assertThat(reply).isEqualTo("ok:status");
            }
        }
    }

    @Test
    void pojosArriveInOrderConvertedToTheListenersParameterType() throws Exception {
        try (SiblingJvm receiver = SiblingJvm.builder(ListenerApp.class).name("jobs-receiver")
                .property("ipc.directory", this.dir.toString()).property("ipc.pipes.control-jobs.role", "auto")
                .property("it.jobs.channel", "control-jobs").start()) {
            receiver.awaitLineContaining("LISTENER READY", STARTUP);
            try (ConfigurableApplicationContext sender = sender("ipc.pipes.control-jobs.role=auto")) {
                assertThat(sender.getBean("control-jobs", IpcPipe.class).awaitConnected(Duration.ofSeconds(30))).isTrue();
                IpcTemplate template = sender.getBean(IpcTemplate.class);
                int count = 5_000;
                for (int i = 1; i <= count; i++) {
                    template.convertAndSend("control-jobs", new ListenerApp.Job(i, "job-" + i, i == count));
                }
                String last = receiver.awaitLineContaining("job " + count + " ", Duration.ofSeconds(60));
                assertThat(last).contains("job-" + count).contains("attempt=1").contains("count=" + count);
            }
        }
    }
}

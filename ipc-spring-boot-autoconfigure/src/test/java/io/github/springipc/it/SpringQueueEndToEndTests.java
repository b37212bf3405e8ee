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
import org.springframework.messaging.Message;

import io.github.springipc.messaging.IpcHeaders;
import io.github.springipc.messaging.IpcTemplate;
import io.github.springipc.process.SiblingJvm;

import static org.assertj.core.api.Assertions.assertThat;

/** An {@code @IpcListener} on a queue in a sibling Spring Boot JVM, with retries and a dead-letter queue. */
class SpringQueueEndToEndTests {

    @TempDir
    Path dir;

    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class ProducerApp {
    }

    private static final String[] QUEUES = { "ipc.queues.work.capacity=64KB", "ipc.queues.work.max-message-size=1KB",
            "ipc.queues.work.dead-letter=work-dlq", "ipc.queues.work-dlq.capacity=64KB",
            "ipc.queues.work-dlq.max-message-size=4KB" };

    @Test
    void aListenerOnAQueueRepliesToTheRequestingProcess() {
        try (SiblingJvm responder = SiblingJvm.builder(ListenerApp.class).name("responder")
                .property("ipc.directory", this.dir.toString()).property("it.control.enabled", "true")
                .property("ipc.queues.control.capacity", "64KB").property("ipc.queues.control.max-message-size", "1KB")
                .start();
                ConfigurableApplicationContext requester = new SpringApplicationBuilder(ProducerApp.class)
                        .web(WebApplicationType.NONE).properties("ipc.directory=" + this.dir,
                                "ipc.queues.control.capacity=64KB", "ipc.queues.control.max-message-size=1KB")
                        .run()) {
            responder.awaitLineContaining("LISTENER READY", Duration.ofSeconds(90));
            IpcTemplate template = requester.getBean(IpcTemplate.class);
            for (int i = 0; i < 20; i++) {
                assertThat(template.convertSendAndReceive("control", "status-" + i, String.class))
                        .isEqualTo("ok:status-" + i);
            }
        }
    }

    @Test
    void failingMessagesAreRetriedThenDeadLetteredWithTheirCause() {
        SiblingJvm.Builder consumer = SiblingJvm.builder(ListenerApp.class).name("consumer")
                .property("ipc.directory", this.dir.toString()).property("it.fragile.channel", "work")
                .property("ipc.listener.retry.max-attempts", "3").property("ipc.listener.retry.initial-interval", "10ms");
        for (String queue : QUEUES) {
            String[] pair = queue.split("=", 2);
            consumer.property(pair[0], pair[1]);
        }
        try (SiblingJvm sibling = consumer.start();
                ConfigurableApplicationContext producer = new SpringApplicationBuilder(ProducerApp.class)
                        .web(WebApplicationType.NONE).properties("ipc.directory=" + this.dir)
                        .properties(QUEUES).run()) {
            sibling.awaitLineContaining("LISTENER READY", Duration.ofSeconds(90));
            IpcTemplate template = producer.getBean(IpcTemplate.class);

            template.convertAndSend("work", "fine-1");
            template.convertAndSend("work", "poison-1");
            template.convertAndSend("work", "fine-2");

            sibling.awaitLineContaining("fragile got fine-1 attempt=1", Duration.ofSeconds(30));
            sibling.awaitLineContaining("fragile got poison-1 attempt=1", Duration.ofSeconds(30));
            sibling.awaitLineContaining("fragile got poison-1 attempt=2", Duration.ofSeconds(30));
            sibling.awaitLineContaining("fragile got poison-1 attempt=3", Duration.ofSeconds(30));
            sibling.awaitLineContaining("fragile got fine-2 attempt=1", Duration.ofSeconds(30));

            Message<?> deadLetter = template.receive("work-dlq");
            assertThat(deadLetter).isNotNull();
            assertThat(new String((byte[]) deadLetter.getPayload())).isEqualTo("poison-1");
            assertThat(deadLetter.getHeaders()).containsEntry(IpcHeaders.ORIGINAL_CHANNEL, "work")
                    .containsEntry(IpcHeaders.EXCEPTION_CLASS, IllegalArgumentException.class.getName());
            assertThat(deadLetter.getHeaders().get(IpcHeaders.EXCEPTION_MESSAGE).toString()).contains("cannot digest");
        }
    }
}

package io.github.springipc.it;

import java.util.concurrent.atomic.AtomicInteger;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.messaging.handler.annotation.Header;

import io.github.springipc.annotation.IpcListener;
import io.github.springipc.transport.shm.IpcSharedMemory;

/**
 * A Spring Boot application run as a sibling JVM by the end-to-end tests: it listens on the
 * channels configured through system properties and prints what it receives.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
public class ListenerApp {

    public static void main(String[] args) {
        SpringApplication.run(ListenerApp.class, args);
        System.out.println("LISTENER READY");
    }

    @Bean
    @ConditionalOnProperty("it.control.enabled")
    CommandListener commandListener() {
        return new CommandListener();
    }

    @Bean
    @ConditionalOnProperty("it.jobs.channel")
    JobListener jobListener() {
        return new JobListener();
    }

    @Bean
    @ConditionalOnProperty("it.fragile.channel")
    FragileListener fragileListener() {
        return new FragileListener();
    }

    /** Fails on "poison" messages, so that they are retried and then dead-lettered. */
    public static class FragileListener {

        @IpcListener("${it.fragile.channel}")
        public void onMessage(String text, @Header("ipc_deliveryAttempt") int attempt) {
            System.out.println("fragile got " + text + " attempt=" + attempt);
            if (text.startsWith("poison")) {
                throw new IllegalArgumentException("cannot digest " + text);
            }
        }
    }

    /** Answers commands: the return value is the reply. */
    public static class CommandListener {

        @IpcListener("control")
        public String onCommand(String command) {
            System.out.println("Received message: " + command);
            return "ok:" + command;
        }
    }

    /** Counts jobs received on the channel named by {@code it.jobs.channel}. */
    public static class JobListener {

        private final AtomicInteger jobs = new AtomicInteger();

        @IpcListener("${it.jobs.channel}")
        public void onJob(Job job, @Header("ipc_deliveryAttempt") int attempt) {
            int count = this.jobs.incrementAndGet();
            if (count % 1000 == 0 || job.last()) {
                System.out.println("job " + job.id() + " " + job.name() + " attempt=" + attempt + " count=" + count);
            }
        }
    }

    /** Writes shared values on demand, as a sibling that shares a region. */
    @Bean
    @ConditionalOnProperty("it.stats.write")
    Object statsWriter(@Qualifier("stats") IpcSharedMemory stats) {
        stats.longValue("value").set(5);
        var array = stats.longArray("array", 10);
        for (int i = 0; i < 10; i++) {
            array.set(i, 2L * i);
        }
        stats.longValue("hits").addAndGet(Long.getLong("it.stats.hits", 0));
        System.out.println("STATS WRITTEN");
        return new Object();
    }

    /** A POJO payload, converted from JSON by the listener's parameter type. */
    public record Job(long id, String name, boolean last) {
    }
}

package io.github.springipc.messaging;

import io.github.springipc.test.InMemoryIpcChannel;
import org.junit.jupiter.api.Test;

import org.springframework.context.support.StaticApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BeanFactoryIpcChannelResolverTests {

    @Test
    void resolvesByBeanNameThenByChannelName() {
        StaticApplicationContext context = new StaticApplicationContext();
        InMemoryIpcChannel jobs = new InMemoryIpcChannel("jobs");
        InMemoryIpcChannel other = new InMemoryIpcChannel("control");
        context.getBeanFactory().registerSingleton("jobs", jobs);
        context.getBeanFactory().registerSingleton("controlChannel", other);
        BeanFactoryIpcChannelResolver resolver = new BeanFactoryIpcChannelResolver(context);
        assertThat(resolver.resolve("jobs")).isSameAs(jobs);
        assertThat(resolver.resolve("control")).isSameAs(other);
    }

    @Test
    void unknownNameFailsListingKnownChannels() {
        StaticApplicationContext context = new StaticApplicationContext();
        context.getBeanFactory().registerSingleton("jobs", new InMemoryIpcChannel("jobs"));
        BeanFactoryIpcChannelResolver resolver = new BeanFactoryIpcChannelResolver(context);
        assertThatThrownBy(() -> resolver.resolve("nope"))
                .isInstanceOf(UnknownIpcChannelException.class)
                .hasMessageContaining("'nope'").hasMessageContaining("[jobs]").hasMessageContaining("ipc.");
    }
}

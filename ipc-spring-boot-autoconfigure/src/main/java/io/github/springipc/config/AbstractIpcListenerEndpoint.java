package io.github.springipc.config;

import java.util.List;

import io.github.springipc.listener.IpcListenerContainer;
import io.github.springipc.listener.IpcMessageListener;

import org.springframework.util.Assert;

/** Holds the common endpoint settings; subclasses create the listener. */
public abstract class AbstractIpcListenerEndpoint implements IpcListenerEndpoint {

    private String id;

    private List<String> channels = List.of();

    private String concurrency;

    private Boolean autoStartup;

    private String deadLetterChannel;

    private Integer maxAttempts;

    public void setId(String id) {
        this.id = id;
    }

    @Override
    public String getId() {
        return this.id;
    }

    public void setChannels(List<String> channels) {
        Assert.notEmpty(channels, "an endpoint needs at least one channel");
        this.channels = List.copyOf(channels);
    }

    @Override
    public List<String> getChannels() {
        return this.channels;
    }

    public void setConcurrency(String concurrency) {
        this.concurrency = concurrency;
    }

    @Override
    public String getConcurrency() {
        return this.concurrency;
    }

    public void setAutoStartup(Boolean autoStartup) {
        this.autoStartup = autoStartup;
    }

    @Override
    public Boolean getAutoStartup() {
        return this.autoStartup;
    }

    public void setDeadLetterChannel(String deadLetterChannel) {
        this.deadLetterChannel = deadLetterChannel;
    }

    @Override
    public String getDeadLetterChannel() {
        return this.deadLetterChannel;
    }

    public void setMaxAttempts(Integer maxAttempts) {
        Assert.isTrue(maxAttempts == null || maxAttempts > 0, "maxAttempts must be > 0");
        this.maxAttempts = maxAttempts;
    }

    @Override
    public Integer getMaxAttempts() {
        return this.maxAttempts;
    }

    @Override
    public void setupListenerContainer(IpcListenerContainer container) {
        container.setupMessageListener(createMessageListener(container));
    }

    /** The listener the container will invoke. */
    protected abstract IpcMessageListener createMessageListener(IpcListenerContainer container);

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[id=" + this.id + ", channels=" + this.channels + "]";
    }
}

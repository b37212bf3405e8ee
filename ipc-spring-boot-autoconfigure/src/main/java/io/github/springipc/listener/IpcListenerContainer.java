package io.github.springipc.listener;

import java.time.Duration;
import java.util.List;

import io.github.springipc.messaging.IpcChannelResolver;
import io.github.springipc.messaging.IpcMessageMapper;

import org.springframework.context.SmartLifecycle;
import org.springframework.messaging.converter.MessageConverter;

/**
 * Runs one listener against its channels. Managed by the {@code IpcListenerEndpointRegistry},
 * which starts, stops, pauses and resumes it by {@linkplain #getListenerId() id}:
 *
 * <pre>{@code
 * registry.getListenerContainer("ctl").start();
 * registry.pause("jobs-listener");
 * }</pre>
 */
public interface IpcListenerContainer extends SmartLifecycle {

    /** The listener id. */
    String getListenerId();

    /** The channels this container receives from. */
    List<String> getChannelNames();

    /** Sets the listener to invoke; done by the endpoint before the container starts. */
    void setupMessageListener(IpcMessageListener listener);

    /** Stops taking messages after the ones in flight; the threads stay and wait for {@link #resume()}. */
    void pause();

    /** Takes messages again after {@link #pause()}. */
    void resume();

    /** Whether {@link #pause()} was called and not yet {@link #resume() resumed}. */
    boolean isPaused();

    /** Converter for return values (replies, {@code @SendTo}). */
    MessageConverter getMessageConverter();

    /** Maps between Spring and wire messages. */
    IpcMessageMapper getMessageMapper();

    /** Finds {@code @SendTo} and dead-letter channels. */
    IpcChannelResolver getChannelResolver();

    /** How long sending a reply, a forwarded result or a dead letter may wait. */
    Duration getSendTimeout();

    /** Messages handled successfully and acknowledged. */
    long getHandledCount();

    /** Messages whose listener failed for good (retries used up or a failure not retried). */
    long getFailedCount();

    /** Failed messages sent to the dead-letter channel. */
    long getDeadLetteredCount();

    /**
     * Failed messages that no dead-letter channel took (none configured, or publishing failed):
     * they were logged with their channel name and acknowledged. Read this to alert on loss.
     */
    long getUnhandledFailureCount();

    /** Messages handed back to the channel unprocessed (stopped while holding them). */
    long getReleasedCount();
}

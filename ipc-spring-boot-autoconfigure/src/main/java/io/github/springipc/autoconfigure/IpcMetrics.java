package io.github.springipc.autoconfigure;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.context.ApplicationListener;
import org.springframework.context.event.ContextRefreshedEvent;

import io.github.springipc.config.IpcListenerEndpointRegistry;
import io.github.springipc.listener.IpcListenerContainer;
import io.github.springipc.messaging.IpcTemplate;
import io.github.springipc.transport.pipe.IpcPipe;
import io.github.springipc.transport.queue.IpcQueue;

/**
 * Micrometer meters of the IPC channels and listeners. Tags are low-cardinality: the channel
 * and listener names come from configuration, never from message content.
 *
 * <ul>
 * <li>{@code ipc.listener.messages} (counter; tags {@code channel}, {@code listener},
 * {@code outcome} = handled, failed, dead_lettered, unhandled_failure, released);</li>
 * <li>{@code ipc.pipe.connected} (gauge 0/1), {@code ipc.pipe.reconnects} (counter),
 * {@code ipc.pipe.buffered} (gauge) per pipe;</li>
 * <li>{@code ipc.queue.depth} and {@code ipc.queue.capacity} gauges, {@code ipc.queue.redeliveries}
 * and {@code ipc.queue.corrupt.records} counters per queue;</li>
 * <li>{@code ipc.template.messages} (counter; tags {@code channel}, {@code outcome} = sent,
 * failed) per configured channel.</li>
 * </ul>
 * Listener meters are bound once the context is refreshed, when the listener containers exist.
 */
class IpcMetrics implements MeterBinder, ApplicationListener<ContextRefreshedEvent> {

    private final ListableBeanFactory beanFactory;

    private volatile MeterRegistry registry;

    private volatile boolean listenersBound;

    IpcMetrics(ListableBeanFactory beanFactory) {
        this.beanFactory = beanFactory;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        this.registry = registry;
        this.beanFactory.getBeansOfType(IpcPipe.class).forEach((name, pipe) -> bindPipe(registry, name, pipe));
        this.beanFactory.getBeansOfType(IpcQueue.class).forEach((name, queue) -> bindQueue(registry, name, queue));
        this.beanFactory.getBeanProvider(IpcTemplate.class).orderedStream().findFirst()
                .ifPresent(template -> bindTemplate(registry, template));
        bindListenersOnce();
    }

    @Override
    public void onApplicationEvent(ContextRefreshedEvent event) {
        bindListenersOnce();
    }

    private static void bindPipe(MeterRegistry registry, String name, IpcPipe pipe) {
        Tags tags = Tags.of("channel", name);
        Gauge.builder("ipc.pipe.connected", pipe, p -> p.isConnected() ? 1 : 0).tags(tags)
                .description("Whether the pipe has a peer").register(registry);
        FunctionCounter.builder("ipc.pipe.reconnects", pipe, IpcPipe::reconnectCount).tags(tags)
                .description("Connections to a new peer after the first").register(registry);
        Gauge.builder("ipc.pipe.buffered", pipe, IpcPipe::bufferedMessages).tags(tags)
                .description("Received messages not yet taken by a listener").register(registry);
    }

    private static void bindQueue(MeterRegistry registry, String name, IpcQueue queue) {
        Tags tags = Tags.of("channel", name);
        Gauge.builder("ipc.queue.depth", queue, IpcQueue::pendingBytes).tags(tags).baseUnit("bytes")
                .description("Bytes of messages in the queue not yet acknowledged").register(registry);
        Gauge.builder("ipc.queue.capacity", queue, IpcQueue::capacity).tags(tags).baseUnit("bytes")
                .description("Bytes the queue can hold").register(registry);
        Gauge.builder("ipc.queue.consumers", queue, IpcQueue::liveConsumers).tags(tags)
                .description("Live processes consuming from the queue").register(registry);
        FunctionCounter.builder("ipc.queue.redeliveries", queue, IpcQueue::redeliveries).tags(tags)
                .description("Messages delivered again after their consumer died or released them").register(registry);
        FunctionCounter.builder("ipc.queue.corrupt.records", queue, IpcQueue::corruptRecords).tags(tags)
                .description("Records skipped because they did not follow the layout").register(registry);
    }

    /** Per configured channel, so that the tag values stay few and known. */
    private void bindTemplate(MeterRegistry registry, IpcTemplate template) {
        for (String channel : this.beanFactory.getBeanNamesForType(io.github.springipc.transport.IpcChannel.class)) {
            Tags tags = Tags.of("channel", channel);
            FunctionCounter.builder("ipc.template.messages", template, t -> sent(t, channel)).tags(tags.and("outcome", "sent"))
                    .description("Messages sent with the IpcTemplate").register(registry);
            FunctionCounter.builder("ipc.template.messages", template, t -> failed(t, channel))
                    .tags(tags.and("outcome", "failed")).description("Messages sent with the IpcTemplate")
                    .register(registry);
        }
    }

    private static double sent(IpcTemplate template, String channel) {
        IpcTemplate.SendCounts counts = template.getSendCounts().get(channel);
        return (counts != null) ? counts.getSent() : 0;
    }

    private static double failed(IpcTemplate template, String channel) {
        IpcTemplate.SendCounts counts = template.getSendCounts().get(channel);
        return (counts != null) ? counts.getFailed() : 0;
    }

    private synchronized void bindListenersOnce() {
        MeterRegistry meters = this.registry;
        if (meters == null || this.listenersBound) {
            return;
        }
        var registries = this.beanFactory.getBeanProvider(IpcListenerEndpointRegistry.class);
        IpcListenerEndpointRegistry endpoints = registries.getIfAvailable();
        if (endpoints == null || endpoints.getListenerContainers().isEmpty()) {
            return;
        }
        for (IpcListenerContainer container : endpoints.getListenerContainers()) {
            String channels = String.join(",", container.getChannelNames());
            Tags tags = Tags.of("channel", channels, "listener", container.getListenerId());
            counter(meters, container, tags, "handled", IpcListenerContainer::getHandledCount);
            counter(meters, container, tags, "failed", IpcListenerContainer::getFailedCount);
            counter(meters, container, tags, "dead_lettered", IpcListenerContainer::getDeadLetteredCount);
            counter(meters, container, tags, "unhandled_failure", IpcListenerContainer::getUnhandledFailureCount);
            counter(meters, container, tags, "released", IpcListenerContainer::getReleasedCount);
        }
        this.listenersBound = true;
    }

    private static void counter(MeterRegistry registry, IpcListenerContainer container, Tags tags, String outcome,
            java.util.function.ToDoubleFunction<IpcListenerContainer> count) {
        FunctionCounter.builder("ipc.listener.messages", container, count).tags(tags.and("outcome", outcome))
                .description("Messages received by an @IpcListener, by outcome").register(registry);
    }
}

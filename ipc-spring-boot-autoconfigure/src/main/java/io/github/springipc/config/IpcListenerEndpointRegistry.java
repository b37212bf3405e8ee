package io.github.springipc.config;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.springipc.listener.IpcListenerContainer;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.SmartLifecycle;
import org.springframework.util.Assert;

/**
 * Owns the listener containers and runs them with the application context: starts the ones
 * with {@code autoStartup} after refresh, stops all of them gracefully on close (in parallel,
 * each finishing its messages in flight). Controls single listeners by id:
 *
 * <pre>{@code
 * @Autowired IpcListenerEndpointRegistry registry;
 *
 * registry.start("ctl");          // a listener declared with autoStartup = "false"
 * registry.pause("jobs-worker");  // stop taking messages, keep the threads
 * registry.resume("jobs-worker");
 * registry.getListenerContainer("jobs-worker").getFailedCount();
 * }</pre>
 */
public class IpcListenerEndpointRegistry implements SmartLifecycle, DisposableBean {

    private static final Log logger = LogFactory.getLog(IpcListenerEndpointRegistry.class);

    private final Map<String, IpcListenerContainer> containers = Collections.synchronizedMap(new LinkedHashMap<>());

    private int phase = DEFAULT_PHASE;

    private volatile boolean running;

    /** Lifecycle phase; default {@code DEFAULT_PHASE} (started last, stopped first). */
    public void setPhase(int phase) {
        this.phase = phase;
    }

    /**
     * Creates and keeps the container of an endpoint.
     *
     * @param startImmediately whether to start it now (if its autoStartup allows), for endpoints
     *        registered after the context started
     * @throws IllegalStateException when the id is taken
     */
    public IpcListenerContainer registerListenerContainer(IpcListenerEndpoint endpoint,
            IpcListenerContainerFactory factory, boolean startImmediately) {
        String id = endpoint.getId();
        Assert.hasText(id, "endpoint id must not be empty");
        synchronized (this.containers) {
            Assert.state(!this.containers.containsKey(id), () -> "Another listener already has id '" + id
                    + "'; give each @IpcListener a unique id");
            IpcListenerContainer container = factory.createListenerContainer(endpoint);
            this.containers.put(id, container);
            if (startImmediately && container.isAutoStartup()) {
                container.start();
            }
            return container;
        }
    }

    /** The container of a listener, or {@code null}. */
    public IpcListenerContainer getListenerContainer(String id) {
        return this.containers.get(id);
    }

    /** Ids of all listeners. */
    public Set<String> getListenerContainerIds() {
        synchronized (this.containers) {
            return Set.copyOf(this.containers.keySet());
        }
    }

    /** All containers. */
    public Collection<IpcListenerContainer> getListenerContainers() {
        synchronized (this.containers) {
            return List.copyOf(this.containers.values());
        }
    }

    /** Starts one listener (for example one declared with {@code autoStartup = "false"}). */
    public void start(String id) {
        requireContainer(id).start();
    }

    /** Stops one listener gracefully; it can be started again. */
    public void stop(String id) {
        requireContainer(id).stop();
    }

    /** Pauses one listener: its threads take no new messages until {@link #resume}. */
    public void pause(String id) {
        requireContainer(id).pause();
    }

    /** Resumes a paused listener. */
    public void resume(String id) {
        requireContainer(id).resume();
    }

    private IpcListenerContainer requireContainer(String id) {
        IpcListenerContainer container = this.containers.get(id);
        if (container == null) {
            throw new IllegalArgumentException("No IPC listener with id '" + id + "'; known ids: "
                    + new TreeSet<>(getListenerContainerIds()));
        }
        return container;
    }

    @Override
    public void start() {
        for (IpcListenerContainer container : getListenerContainers()) {
            if (container.isAutoStartup()) {
                container.start();
            }
        }
        this.running = true;
    }

    @Override
    public void stop() {
        this.running = false;
        getListenerContainers().forEach(IpcListenerContainer::stop);
    }

    /** Stops all containers in parallel; {@code callback} runs when the last one is done. */
    @Override
    public void stop(Runnable callback) {
        this.running = false;
        Collection<IpcListenerContainer> all = getListenerContainers();
        if (all.isEmpty()) {
            callback.run();
            return;
        }
        AtomicInteger remaining = new AtomicInteger(all.size());
        for (IpcListenerContainer container : all) {
            container.stop(() -> {
                if (remaining.decrementAndGet() == 0) {
                    callback.run();
                }
            });
        }
    }

    @Override
    public boolean isRunning() {
        return this.running;
    }

    @Override
    public int getPhase() {
        return this.phase;
    }

    @Override
    public void destroy() {
        for (IpcListenerContainer container : getListenerContainers()) {
            if (container.isRunning()) {
                logger.debug("Stopping listener '" + container.getListenerId() + "' on destroy");
                container.stop();
            }
        }
    }
}

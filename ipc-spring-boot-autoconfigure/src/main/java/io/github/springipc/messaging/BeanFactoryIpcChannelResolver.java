package io.github.springipc.messaging;

import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

import io.github.springipc.transport.IpcChannel;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.util.Assert;

/**
 * Resolves channels from the {@link IpcChannel} beans of the application context: first the bean
 * whose bean name is the channel name, then the bean whose {@link IpcChannel#name()} is. Results
 * are cached.
 *
 * <pre>{@code
 * @Bean
 * IpcChannel jobs() { return new InMemoryIpcChannel("jobs"); }   // resolves "jobs"
 * }</pre>
 */
public class BeanFactoryIpcChannelResolver implements IpcChannelResolver, BeanFactoryAware {

    private ListableBeanFactory beanFactory;

    private final Map<String, IpcChannel> cache = new ConcurrentHashMap<>();

    public BeanFactoryIpcChannelResolver() {
    }

    public BeanFactoryIpcChannelResolver(ListableBeanFactory beanFactory) {
        this.beanFactory = beanFactory;
    }

    @Override
    public void setBeanFactory(BeanFactory beanFactory) {
        Assert.isInstanceOf(ListableBeanFactory.class, beanFactory,
                "BeanFactoryIpcChannelResolver needs a ListableBeanFactory");
        this.beanFactory = (ListableBeanFactory) beanFactory;
    }

    @Override
    public IpcChannel resolve(String channelName) {
        Assert.hasText(channelName, "channelName must not be empty");
        Assert.state(this.beanFactory != null, "No BeanFactory set on BeanFactoryIpcChannelResolver");
        IpcChannel cached = this.cache.get(channelName);
        if (cached != null) {
            return cached;
        }
        IpcChannel found = lookUp(channelName);
        this.cache.put(channelName, found);
        return found;
    }

    private IpcChannel lookUp(String channelName) {
        Map<String, IpcChannel> channels = this.beanFactory.getBeansOfType(IpcChannel.class);
        IpcChannel byBeanName = channels.get(channelName);
        if (byBeanName != null) {
            return byBeanName;
        }
        for (IpcChannel channel : channels.values()) {
            if (channelName.equals(channel.name())) {
                return channel;
            }
        }
        TreeSet<String> known = new TreeSet<>(channels.keySet());
        channels.values().forEach((channel) -> known.add(channel.name()));
        throw new UnknownIpcChannelException(channelName, known);
    }
}

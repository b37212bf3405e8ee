package io.github.springipc.config;

import java.util.ArrayList;
import java.util.List;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.BeanInitializationException;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.messaging.handler.annotation.support.MessageHandlerMethodFactory;
import org.springframework.util.Assert;

/**
 * Collects listener endpoints while the context starts and hands them to the
 * {@link IpcListenerEndpointRegistry} once everything is ready. {@code IpcListenerConfigurer}s
 * receive it to register endpoints in code or to change the defaults. Endpoints registered after
 * that go to the registry at once (and start, unless {@code autoStartup} is off).
 */
public class IpcListenerEndpointRegistrar implements BeanFactoryAware, InitializingBean {

    private IpcListenerEndpointRegistry endpointRegistry;

    private IpcListenerContainerFactory containerFactory;

    private String containerFactoryBeanName = IpcBeanNames.CONTAINER_FACTORY;

    private BeanFactory beanFactory;

    private MessageHandlerMethodFactory messageHandlerMethodFactory;

    private final List<Registration> pending = new ArrayList<>();

    private boolean startImmediately;

    public void setEndpointRegistry(IpcListenerEndpointRegistry endpointRegistry) {
        this.endpointRegistry = endpointRegistry;
    }

    public IpcListenerEndpointRegistry getEndpointRegistry() {
        return this.endpointRegistry;
    }

    /** The factory for endpoints that do not name one; wins over {@link #setContainerFactoryBeanName}. */
    public void setContainerFactory(IpcListenerContainerFactory containerFactory) {
        this.containerFactory = containerFactory;
    }

    /** Bean name of the default factory; {@value IpcBeanNames#CONTAINER_FACTORY} unless changed. */
    public void setContainerFactoryBeanName(String containerFactoryBeanName) {
        this.containerFactoryBeanName = containerFactoryBeanName;
    }

    /** Replaces the factory that resolves {@code @IpcListener} method arguments. */
    public void setMessageHandlerMethodFactory(MessageHandlerMethodFactory messageHandlerMethodFactory) {
        this.messageHandlerMethodFactory = messageHandlerMethodFactory;
    }

    public MessageHandlerMethodFactory getMessageHandlerMethodFactory() {
        return this.messageHandlerMethodFactory;
    }

    @Override
    public void setBeanFactory(BeanFactory beanFactory) {
        this.beanFactory = beanFactory;
    }

    /** Registers an endpoint with the default container factory. */
    public void registerEndpoint(IpcListenerEndpoint endpoint) {
        registerEndpoint(endpoint, null);
    }

    /**
     * Registers an endpoint.
     *
     * @param factory its container factory, or {@code null} for the default
     */
    public void registerEndpoint(IpcListenerEndpoint endpoint, IpcListenerContainerFactory factory) {
        Assert.notNull(endpoint, "endpoint must not be null");
        Assert.hasText(endpoint.getId(), "endpoint id must not be empty");
        Registration registration = new Registration(endpoint, factory);
        synchronized (this.pending) {
            if (this.startImmediately) {
                register(registration, true);
            }
            else {
                this.pending.add(registration);
            }
        }
    }

    /** Registers everything collected so far; later registrations go straight to the registry. */
    @Override
    public void afterPropertiesSet() {
        synchronized (this.pending) {
            for (Registration registration : this.pending) {
                register(registration, false);
            }
            this.pending.clear();
            this.startImmediately = true;
        }
    }

    private void register(Registration registration, boolean start) {
        Assert.state(this.endpointRegistry != null, "No IpcListenerEndpointRegistry set");
        IpcListenerEndpoint endpoint = registration.endpoint();
        try {
            this.endpointRegistry.registerListenerContainer(endpoint,
                    (registration.factory() != null) ? registration.factory() : defaultFactory(), start);
        }
        catch (RuntimeException ex) {
            throw new BeanInitializationException("Could not create IPC listener '" + endpoint.getId()
                    + "' on " + endpoint.getChannels() + ": " + ex.getMessage(), ex);
        }
    }

    private IpcListenerContainerFactory defaultFactory() {
        if (this.containerFactory == null) {
            Assert.state(this.beanFactory != null, "No BeanFactory to look up the default container factory");
            Assert.state(this.beanFactory.containsBean(this.containerFactoryBeanName), () ->
                    "No IpcListenerContainerFactory bean named '" + this.containerFactoryBeanName
                            + "'; use @EnableIpc or the auto-configuration, or define one");
            this.containerFactory = this.beanFactory.getBean(this.containerFactoryBeanName,
                    IpcListenerContainerFactory.class);
        }
        return this.containerFactory;
    }

    private record Registration(IpcListenerEndpoint endpoint, IpcListenerContainerFactory factory) {
    }
}

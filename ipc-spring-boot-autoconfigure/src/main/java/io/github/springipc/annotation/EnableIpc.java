package io.github.springipc.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.context.annotation.Import;

/**
 * Turns on {@link IpcListener} processing and registers the IPC messaging beans, for
 * applications without the Spring Boot auto-configuration (which does the same).
 *
 * <pre>{@code
 * @Configuration
 * @EnableIpc
 * class AppConfig {
 *     @Bean
 *     IpcChannel jobs() { ... }     // channels are beans named like the channel
 * }
 * }</pre>
 *
 * <p>Registers the annotation post-processor and the {@code IpcListenerEndpointRegistry}, plus
 * these defaults, each only when the application has none: an {@code IpcChannelResolver}
 * (channel beans by name), the {@code ipcMessageConverter} (JSON with the application's
 * {@code JsonMapper}, text, bytes), the {@code ipcListenerContainerFactory} and an
 * {@code IpcTemplate}.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Import(IpcBootstrapConfiguration.class)
public @interface EnableIpc {

}

package io.github.springipc.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.core.annotation.AliasFor;
import org.springframework.messaging.handler.annotation.MessageMapping;

/**
 * Marks a method as the listener of one or more IPC channels. Every attribute accepts
 * {@code ${...}} placeholders and {@code #{...}} SpEL expressions.
 *
 * <pre>{@code
 * @IpcListener("jobs")
 * void handle(Job job, @Header(IpcHeaders.DELIVERY_ATTEMPT) int attempt) { ... }
 *
 * @IpcListener(value = "control", id = "ctl", concurrency = "1", autoStartup = "false")
 * String onCommand(String cmd) { return "ok:" + cmd; }   // the reply to convertSendAndReceive
 *
 * @IpcListener(value = "orders", deadLetterChannel = "orders-dlq", maxAttempts = "5")
 * @SendTo("invoices")                                     // return value when nobody waits
 * Invoice bill(@Payload @Validated Order order) { ... }
 * }</pre>
 *
 * <p>Method arguments are resolved by spring-messaging: the payload converted to the parameter
 * type ({@code @Payload}, validated with {@code @Valid}/{@code @Validated} when a
 * {@code Validator} bean exists), {@code Message<T>}, {@code @Header}, {@code @Headers}. The
 * return value goes to the requester, else to {@code @SendTo}, else is dropped (logged at debug).
 *
 * <p>Meta-annotated with {@link MessageMapping} so that Spring's AOT processing registers
 * reflection hints for the parameter and return types.
 */
@Target({ ElementType.METHOD, ElementType.ANNOTATION_TYPE })
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Repeatable(IpcListeners.class)
@MessageMapping
public @interface IpcListener {

    /** Names of the channels to receive from. */
    @AliasFor("channels")
    String[] value() default {};

    /** Names of the channels to receive from. */
    @AliasFor("value")
    String[] channels() default {};

    /**
     * Unique id of the listener, for {@code IpcListenerEndpointRegistry} and metrics; default
     * {@code <beanName>.<methodName>}.
     */
    String id() default "";

    /** Consumer threads per channel; default the container factory's (1). */
    String concurrency() default "";

    /** Whether the listener starts with the context ({@code "true"}/{@code "false"}); default the factory's. */
    String autoStartup() default "";

    /** Bean name of an {@code IpcListenerErrorHandler} called when the method throws. */
    String errorHandler() default "";

    /** Bean name of the {@code IpcListenerContainerFactory}; default {@code ipcListenerContainerFactory}. */
    String containerFactory() default "";

    /** Channel for messages that failed for good; default the container factory's (none). */
    String deadLetterChannel() default "";

    /** Attempts per message including the first ({@code "1"} = no retry); default the factory's (3). */
    String maxAttempts() default "";
}

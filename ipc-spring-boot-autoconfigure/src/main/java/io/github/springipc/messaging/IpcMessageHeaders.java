package io.github.springipc.messaging;

import java.security.SecureRandom;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import org.springframework.messaging.MessageHeaders;

/**
 * {@link MessageHeaders} whose {@code id} is cheap to make: a random 64-bit prefix chosen once
 * per JVM and a counter, instead of Spring's default generator, which draws 128 random bits per
 * message. Ids stay unique within the JVM and collide across processes with negligible
 * probability; the {@code timestamp} is set as usual. Every message this layer builds per
 * received or sent object uses it.
 */
final class IpcMessageHeaders extends MessageHeaders {

    private static final long serialVersionUID = 1L;

    private static final long PREFIX = new SecureRandom().nextLong();

    private static final AtomicLong COUNTER = new AtomicLong();

    /** Copies {@code headers}, as {@link MessageHeaders#MessageHeaders(Map)} does, and adds id and timestamp. */
    IpcMessageHeaders(Map<String, Object> headers) {
        super(headers, new UUID(PREFIX, COUNTER.incrementAndGet()), null);
    }
}

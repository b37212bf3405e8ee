package io.github.springipc.transport.violation;

import org.springframework.util.Assert;

/**
 * Deliberately breaks the layering rules (a transport class that uses Spring), so that
 * {@code LayeringTests} can show its rules do fail. Test sources only; never scanned by the real
 * rules, which import production classes alone.
 */
public final class TransportClassUsingSpring {

    private TransportClassUsingSpring() {
    }

    public static void check(Object value) {
        Assert.notNull(value, "value");
    }
}

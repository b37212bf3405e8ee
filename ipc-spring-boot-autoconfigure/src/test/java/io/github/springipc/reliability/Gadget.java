package io.github.springipc.reliability;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A class a hostile payload names ({@code "@class"}, polymorphic type hints): if anything ever
 * instantiated a type taken from a message, this counter would show it.
 */
public class Gadget {

    static final AtomicInteger INSTANCES = new AtomicInteger();

    private String command;

    public Gadget() {
        INSTANCES.incrementAndGet();
    }

    public String getCommand() {
        return this.command;
    }

    public void setCommand(String command) {
        INSTANCES.incrementAndGet();
        this.command = command;
    }
}

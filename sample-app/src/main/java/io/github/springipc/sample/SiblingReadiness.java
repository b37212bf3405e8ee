package io.github.springipc.sample;

import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.annotation.Profile;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/** Tells the parent that a sibling is up: the line its {@code SiblingJvm.awaitLine} waits for. */
@Component
@Profile("!default")
class SiblingReadiness {

    private final Environment environment;

    SiblingReadiness(Environment environment) {
        this.environment = environment;
    }

    @EventListener(ApplicationReadyEvent.class)
    void ready() {
        System.out.println(String.join(",", this.environment.getActiveProfiles()) + " ready");
    }
}

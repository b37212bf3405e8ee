package io.github.springipc.sample;

import org.springframework.context.annotation.Profile;
import org.springframework.stereotype.Component;

import io.github.springipc.annotation.IpcListener;

/** The pipe example's receiving end: prints what it gets and answers requests. */
@Component
@Profile("receiver")
class Receiver {

    @IpcListener("greetings")
    String onGreeting(String message) {
        System.out.println("Received message: " + message);
        return "Hello back from receiver!";
    }
}

package io.github.springipc.sample;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Profile;
import org.springframework.messaging.handler.annotation.Header;
import org.springframework.stereotype.Component;

import io.github.springipc.annotation.IpcListener;
import io.github.springipc.transport.shm.IpcSharedMemory;
import io.github.springipc.transport.shm.SharedLong;

/**
 * The queue example's worker: two of them compete for the queue; each job reaches one of them,
 * and shared counters record who did what.
 */
@Component
@Profile("worker")
class Worker {

    private final String name;

    private final SharedLong done;

    private final SharedLong doneByMe;

    Worker(@Value("${sample.worker-name}") String name, @Qualifier("numbers") IpcSharedMemory numbers) {
        this.name = name;
        this.done = numbers.longValue("jobs-done", true);
        this.doneByMe = numbers.longValue("jobs-done-by-" + name);
    }

    @IpcListener("messages")
    void onMessage(String message) {
        System.out.println(this.name + " received: " + message);
    }

    @IpcListener("jobs")
    void onJob(Job job, @Header("ipc_deliveryAttempt") int attempt) {
        this.doneByMe.incrementAndGet();
        this.done.incrementAndGet();
    }
}

package io.github.springipc.sample;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.CommandLineRunner;
import org.springframework.context.annotation.Profile;
import org.springframework.stereotype.Component;

import io.github.springipc.messaging.IpcTemplate;
import io.github.springipc.process.SiblingJvm;
import io.github.springipc.transport.pipe.IpcPipe;
import io.github.springipc.transport.shm.IpcSharedMemory;
import io.github.springipc.transport.shm.SharedLong;
import io.github.springipc.transport.shm.SharedLongArray;

/**
 * The parent process: spawns its siblings like Python's {@code Process(target=...)} and runs
 * the pipe, shared memory and queue examples in order.
 */
@Component
@Profile("default")
class SampleRunner implements CommandLineRunner {

    private static final Duration STARTUP = Duration.ofSeconds(120);

    private static final int JOBS = 100;

    private final IpcTemplate ipc;

    private final IpcPipe greetings;

    private final IpcSharedMemory numbers;

    private final boolean keepRunning;

    private final List<SiblingJvm> siblings = new ArrayList<>();

    SampleRunner(IpcTemplate ipc, @Qualifier("greetings") IpcPipe greetings,
            @Qualifier("numbers") IpcSharedMemory numbers, @Value("${sample.keep-running:false}") boolean keepRunning) {
        this.ipc = ipc;
        this.greetings = greetings;
        this.numbers = numbers;
        this.keepRunning = keepRunning;
    }

    @Override
    public void run(String... args) throws Exception {
        try {
            pipeExample();
            sharedMemoryExample();
            queueExample();
            System.out.println("All examples done.");
            if (this.keepRunning) {
                System.out.println("Keeping the siblings running (sample.keep-running=true); stop with Ctrl+C.");
                Thread.currentThread().join();
            }
        }
        finally {
            this.siblings.forEach(sibling -> sibling.stop(Duration.ofSeconds(20)));
        }
    }

    private void pipeExample() throws InterruptedException {
        System.out.println("== 1. Pipe: a sender and a receiver");
        SiblingJvm receiver = spawn("receiver", "receiver");
        receiver.awaitLineContaining("receiver ready", STARTUP);
        if (!this.greetings.awaitConnected(STARTUP)) {
            throw new IllegalStateException("the receiver did not connect to the pipe");
        }
        this.ipc.convertAndSend("greetings", "Hello from sender!");
        receiver.awaitLineContaining("Received message: Hello from sender!", STARTUP);
        String reply = this.ipc.convertSendAndReceive("greetings", "How are you?", String.class);
        System.out.println("Reply: " + reply);
    }

    private void sharedMemoryExample() {
        System.out.println("== 2. Shared memory: a writer sets a value and an array, the parent reads them");
        SiblingJvm writer = spawn("writer", "writer");
        writer.awaitLineContaining("Writer set value and array", STARTUP);
        SharedLongArray array = this.numbers.longArray("array", 10);
        long[] values = new long[array.length()];
        for (int i = 0; i < values.length; i++) {
            values[i] = array.get(i);
        }
        System.out.println("Value: " + this.numbers.longValue("value").get());
        System.out.println("Array: " + Arrays.toString(values));
    }

    private void queueExample() throws InterruptedException {
        System.out.println("== 3. Queue: one producer, two competing workers");
        SiblingJvm first = spawn("worker-1", "worker", "--sample.worker-name=worker-1");
        SiblingJvm second = spawn("worker-2", "worker", "--sample.worker-name=worker-2");
        first.awaitLineContaining("worker ready", STARTUP);
        second.awaitLineContaining("worker ready", STARTUP);
        this.ipc.convertAndSend("messages", "Hello from sender!");
        for (int i = 1; i <= JOBS; i++) {
            this.ipc.convertAndSend("jobs", new Job(i, "resize image " + i));
        }
        SharedLong done = this.numbers.longValue("jobs-done", true);
        long deadline = System.nanoTime() + STARTUP.toNanos();
        while (done.get() < JOBS && System.nanoTime() < deadline) {
            Thread.sleep(10); // polling a shared counter: the parent has nothing else to do
        }
        long byFirst = this.numbers.longValue("jobs-done-by-worker-1").get();
        long bySecond = this.numbers.longValue("jobs-done-by-worker-2").get();
        System.out.println("Jobs handled: " + done.get() + " of " + JOBS + " (worker-1: " + byFirst + ", worker-2: "
                + bySecond + ")");
        if (done.get() != JOBS) {
            throw new IllegalStateException("the workers did not finish the jobs in time");
        }
    }

    private SiblingJvm spawn(String name, String profile, String... args) {
        SiblingJvm sibling = SiblingJvm.builder(SampleApplication.class).name(name)
                .property(SampleApplication.DIRECTORY_PROPERTY, System.getProperty(SampleApplication.DIRECTORY_PROPERTY))
                .property("spring.profiles.active", profile)
                .property("logging.level.root", "warn")
                .arguments(args)
                .start();
        this.siblings.add(sibling);
        System.out.println("Spawned " + name + " (pid " + sibling.pid() + ")");
        return sibling;
    }
}

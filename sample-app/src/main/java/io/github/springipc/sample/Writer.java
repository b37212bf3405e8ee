package io.github.springipc.sample;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.CommandLineRunner;
import org.springframework.context.annotation.Profile;
import org.springframework.stereotype.Component;

import io.github.springipc.transport.shm.IpcSharedMemory;
import io.github.springipc.transport.shm.SharedLongArray;

/** The shared memory example's writer, like Python's {@code f(n, a)}: sets a value and an array, then exits. */
@Component
@Profile("writer")
class Writer implements CommandLineRunner {

    private final IpcSharedMemory numbers;

    Writer(@Qualifier("numbers") IpcSharedMemory numbers) {
        this.numbers = numbers;
    }

    @Override
    public void run(String... args) {
        this.numbers.longValue("value").set(5);
        SharedLongArray array = this.numbers.longArray("array", 10);
        for (int i = 0; i < array.length(); i++) {
            array.set(i, 2L * i);
        }
        System.out.println("Writer set value and array");
    }
}

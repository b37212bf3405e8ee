package io.github.springipc.reliability;

import java.nio.file.Path;

import io.github.springipc.transport.queue.IpcQueue;
import io.github.springipc.transport.queue.QueueOptions;
import io.github.springipc.transport.shm.IpcSharedMemory;
import io.github.springipc.transport.shm.SharedMemoryOptions;

/**
 * Creates a queue or a region of a given size and prints the outcome; run on a file system that
 * is (or acts) full: {@code queue|shm <dir> <bytes>}.
 */
public final class ChannelCreatorMain {

    private ChannelCreatorMain() {
    }

    public static void main(String[] args) {
        Path dir = Path.of(args[1]);
        int bytes = Integer.parseInt(args[2]);
        try {
            if (args[0].equals("queue")) {
                try (IpcQueue queue = IpcQueue.open(dir, "big", QueueOptions.builder().capacity(bytes).build())) {
                    System.out.println("created " + queue.path());
                }
            }
            else {
                try (IpcSharedMemory region = IpcSharedMemory.open(dir, "big",
                        SharedMemoryOptions.builder().size(bytes).build())) {
                    region.longValue("last").set(1);
                    System.out.println("created " + region.path());
                }
            }
        }
        catch (RuntimeException ex) {
            System.out.println("failed: " + ex.getClass().getSimpleName() + ": " + ex.getMessage());
        }
        System.out.println("still alive");
    }
}

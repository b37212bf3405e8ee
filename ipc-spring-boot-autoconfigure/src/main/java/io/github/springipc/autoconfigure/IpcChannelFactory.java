package io.github.springipc.autoconfigure;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashSet;

import io.github.springipc.transport.file.IpcDirectory;
import io.github.springipc.transport.pipe.IpcPipe;
import io.github.springipc.transport.queue.IpcQueue;
import io.github.springipc.transport.queue.QueueOptions;
import io.github.springipc.transport.pipe.PipeOptions;
import io.github.springipc.transport.shm.IpcSharedMemory;
import io.github.springipc.transport.shm.SharedMemoryOptions;

/**
 * Opens the channels configured under {@code ipc.*}: maps each entry's properties onto its
 * transport's options. The IPC directory is prepared once, when the first channel opens.
 */
final class IpcChannelFactory {

    private final IpcProperties properties;

    private volatile Path directory;

    IpcChannelFactory(IpcProperties properties) {
        this.properties = properties;
    }

    /** The prepared (existing, private) IPC directory. */
    Path directory() {
        Path dir = this.directory;
        if (dir == null) {
            synchronized (this) {
                dir = this.directory;
                if (dir == null) {
                    Path configured = this.properties.getDirectory();
                    dir = IpcDirectory.prepare(configured != null ? configured : IpcDirectory.defaultPath());
                    this.directory = dir;
                }
            }
        }
        return dir;
    }

    IpcPipe openPipe(String name) {
        return IpcPipe.open(directory(), name, pipeOptions(this.properties.getPipes().get(name)));
    }

    static PipeOptions pipeOptions(IpcProperties.Pipe pipe) {
        PipeOptions.Builder builder = PipeOptions.builder()
                .role(pipe.getRole())
                .wireFormat(pipe.getWireFormat())
                .maxMessageSize((int) pipe.getMaxMessageSize().toBytes())
                .sendTimeout(pipe.getSendTimeout())
                .handshakeTimeout(pipe.getHandshakeTimeout())
                .receiveBufferCapacity(pipe.getReceiveBufferCapacity())
                .confirmDelivery(pipe.isConfirmDelivery())
                .socketFilePermissions(PosixFilePermissions.fromString(pipe.getFileMode()))
                .allowedUsers(new LinkedHashSet<>(pipe.getAllowedUsers()));
        if (pipe.getAuthkey() != null) {
            builder.authkey(pipe.getAuthkey().getBytes(StandardCharsets.UTF_8));
        }
        return builder.build();
    }

    IpcSharedMemory openSharedMemory(String name) {
        return IpcSharedMemory.open(directory(), name,
                sharedMemoryOptions(this.properties.getSharedMemory().get(name)));
    }

    static SharedMemoryOptions sharedMemoryOptions(IpcProperties.SharedMemory region) {
        return SharedMemoryOptions.builder()
                .size(region.getSize().toBytes())
                .maxSlots(region.getMaxSlots())
                .fileMode(PosixFilePermissions.fromString(region.getFileMode()))
                .recreateOnMismatch(region.isRecreateOnMismatch())
                .deleteWhenLastUserCloses(region.isDeleteWhenLastUserCloses())
                .build();
    }

    IpcQueue openQueue(String name) {
        return IpcQueue.open(directory(), name, queueOptions(this.properties.getQueues().get(name)));
    }

    static QueueOptions queueOptions(IpcProperties.Queue queue) {
        return QueueOptions.builder()
                .capacity((int) queue.getCapacity().toBytes())
                .maxMessageSize((int) queue.getMaxMessageSize().toBytes())
                .sendTimeout(queue.getSendTimeout())
                .waitStrategy(queue.getWaitStrategy())
                .livenessInterval(queue.getLivenessInterval())
                .slots(queue.getMaxProcesses())
                .recreateWhenInvalid(queue.isRecreateOnMismatch())
                .build();
    }
}

package io.github.springipc.messaging;

import java.util.Collection;

import org.springframework.messaging.MessagingException;

/** A channel name did not match any configured channel. */
public class UnknownIpcChannelException extends MessagingException {

    private static final long serialVersionUID = 1L;

    private final String channelName;

    public UnknownIpcChannelException(String channelName, Collection<String> knownChannels) {
        super("No IPC channel named '" + channelName + "'; known channels: "
                + (knownChannels.isEmpty() ? "none" : knownChannels)
                + ". Declare it under ipc.pipes.<name> / ipc.queues.<name>, or register an "
                + "IpcChannel bean whose bean name is the channel name.");
        this.channelName = channelName;
    }

    /** The name that was looked up. */
    public String getChannelName() {
        return this.channelName;
    }
}

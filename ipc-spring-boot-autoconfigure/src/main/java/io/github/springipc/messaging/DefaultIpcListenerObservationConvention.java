package io.github.springipc.messaging;

import io.micrometer.common.KeyValues;

import io.github.springipc.messaging.IpcObservationDocumentation.LowCardinalityKeys;

/** Observation {@code ipc.listener} tagged with the channel, the listener id and the outcome. */
public class DefaultIpcListenerObservationConvention implements IpcListenerObservationConvention {

    /** A shared instance. */
    public static final DefaultIpcListenerObservationConvention INSTANCE =
            new DefaultIpcListenerObservationConvention();

    @Override
    public String getName() {
        return "ipc.listener";
    }

    @Override
    public String getContextualName(IpcReceiverContext context) {
        return context.getChannelName() + " receive";
    }

    @Override
    public KeyValues getLowCardinalityKeyValues(IpcReceiverContext context) {
        return KeyValues.of(LowCardinalityKeys.CHANNEL.withValue(context.getChannelName()),
                LowCardinalityKeys.LISTENER_ID.withValue(context.getListenerId()),
                LowCardinalityKeys.OUTCOME.withValue(context.getError() == null ? "SUCCESS" : "FAILURE"));
    }
}

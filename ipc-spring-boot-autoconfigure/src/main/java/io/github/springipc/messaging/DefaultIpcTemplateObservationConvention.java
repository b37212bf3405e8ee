package io.github.springipc.messaging;

import io.micrometer.common.KeyValues;

import io.github.springipc.messaging.IpcObservationDocumentation.LowCardinalityKeys;

/** Observation {@code ipc.template} tagged with the channel and the outcome. */
public class DefaultIpcTemplateObservationConvention implements IpcTemplateObservationConvention {

    /** A shared instance. */
    public static final DefaultIpcTemplateObservationConvention INSTANCE =
            new DefaultIpcTemplateObservationConvention();

    @Override
    public String getName() {
        return "ipc.template";
    }

    @Override
    public String getContextualName(IpcSenderContext context) {
        return context.getChannelName() + " send";
    }

    @Override
    public KeyValues getLowCardinalityKeyValues(IpcSenderContext context) {
        return KeyValues.of(LowCardinalityKeys.CHANNEL.withValue(context.getChannelName()),
                LowCardinalityKeys.OUTCOME.withValue(context.getError() == null ? "SUCCESS" : "FAILURE"));
    }
}

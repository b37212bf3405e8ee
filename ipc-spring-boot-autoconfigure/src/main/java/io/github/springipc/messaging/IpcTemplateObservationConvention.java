package io.github.springipc.messaging;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;

/** Names and tags the observation of a message sent by {@link IpcTemplate}. */
public interface IpcTemplateObservationConvention extends ObservationConvention<IpcSenderContext> {

    @Override
    default boolean supportsContext(Observation.Context context) {
        return context instanceof IpcSenderContext;
    }
}

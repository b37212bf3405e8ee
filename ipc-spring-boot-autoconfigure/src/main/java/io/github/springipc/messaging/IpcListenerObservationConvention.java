package io.github.springipc.messaging;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;

/** Names and tags the observation of a message handled by a listener container. */
public interface IpcListenerObservationConvention extends ObservationConvention<IpcReceiverContext> {

    @Override
    default boolean supportsContext(Observation.Context context) {
        return context instanceof IpcReceiverContext;
    }
}

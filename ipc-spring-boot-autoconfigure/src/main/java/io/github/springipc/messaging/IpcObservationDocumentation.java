package io.github.springipc.messaging;

import io.micrometer.common.docs.KeyName;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;
import io.micrometer.observation.docs.ObservationDocumentation;

/**
 * The observations of the IPC messaging layer. With Micrometer's
 * {@code DefaultMeterObservationHandler} each becomes a timer tagged with its low-cardinality
 * keys: {@code ipc.template{ipc.channel, outcome}} and
 * {@code ipc.listener{ipc.channel, ipc.listener.id, outcome}}.
 */
public enum IpcObservationDocumentation implements ObservationDocumentation {

    /** One message sent (or one request-reply) by {@link IpcTemplate}. */
    TEMPLATE_OBSERVATION {
        @Override
        public Class<? extends ObservationConvention<? extends Observation.Context>> getDefaultConvention() {
            return DefaultIpcTemplateObservationConvention.class;
        }

        @Override
        public String getPrefix() {
            return "ipc";
        }

        @Override
        public KeyName[] getLowCardinalityKeyNames() {
            return new KeyName[] { LowCardinalityKeys.CHANNEL, LowCardinalityKeys.OUTCOME };
        }
    },

    /** One message handled by a listener container, retries and error handling included. */
    LISTENER_OBSERVATION {
        @Override
        public Class<? extends ObservationConvention<? extends Observation.Context>> getDefaultConvention() {
            return DefaultIpcListenerObservationConvention.class;
        }

        @Override
        public String getPrefix() {
            return "ipc";
        }

        @Override
        public KeyName[] getLowCardinalityKeyNames() {
            return LowCardinalityKeys.values();
        }
    };

    /** Low-cardinality key names (metric tags). */
    public enum LowCardinalityKeys implements KeyName {

        /** The channel name. */
        CHANNEL {
            @Override
            public String asString() {
                return "ipc.channel";
            }
        },

        /** The listener id (listener observations only). */
        LISTENER_ID {
            @Override
            public String asString() {
                return "ipc.listener.id";
            }
        },

        /** {@code SUCCESS} or {@code FAILURE}. */
        OUTCOME {
            @Override
            public String asString() {
                return "outcome";
            }
        }
    }
}

package io.github.springipc.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Reports an {@link InvalidIpcPropertyException} as "which property, why, what to change". */
class InvalidIpcPropertyFailureAnalyzer extends AbstractFailureAnalyzer<InvalidIpcPropertyException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, InvalidIpcPropertyException cause) {
        return new FailureAnalysis(cause.getMessage(), "Change " + cause.getProperty() + ": " + cause.getAction(),
                cause);
    }
}

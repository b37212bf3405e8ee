package io.github.springipc.listener;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.core.task.SimpleAsyncTaskExecutor;
import org.springframework.core.task.TaskExecutor;

/** Creates the consumer threads of a container: virtual ones on JDK 21+ when asked, platform ones otherwise. */
final class ListenerThreads {

    private static final Log logger = LogFactory.getLog(ListenerThreads.class);

    private ListenerThreads() {
    }

    static TaskExecutor executor(String listenerId, boolean virtualThreads) {
        SimpleAsyncTaskExecutor executor = new SimpleAsyncTaskExecutor(listenerId + "-");
        if (virtualThreads) {
            try {
                executor.setVirtualThreads(true);
            }
            catch (UnsupportedOperationException ex) {
                // Spring's delegate refuses below JDK 21; platform threads work everywhere.
                logger.warn("Listener '" + listenerId + "': virtual threads need JDK 21+ (running "
                        + Runtime.version().feature() + "); using platform threads");
            }
        }
        return executor;
    }
}

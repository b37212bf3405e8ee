package io.github.springipc.transport.liveness;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProcessIdentityTest {

    @Test
    void reusedProcessIdWithAnotherStartTimeIsNotAlive() {
        ProcessIdentity me = ProcessIdentity.current();
        assertThat(me.isAlive()).isTrue();
        assertThat(new ProcessIdentity(me.pid(), me.startMillis() - 3_600_000).isAlive()).isFalse();
        assertThat(ProcessIdentity.parseFileNameToken(me.fileNameToken())).contains(me);
        assertThat(ProcessIdentity.parseFileNameToken("nonsense")).isEmpty();
    }
}

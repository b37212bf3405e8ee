package io.github.springipc.transport.pipe;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;

import org.junit.jupiter.api.Test;

/** Which users may be the peer. The same-user path runs in every two-process test. */
class PipePeerCredentialCheckTest {

    @Test
    void theSameUserIsAccepted() {
        assertThat(new PeerCredentialCheck("alice", Set.of()).refusalReason("alice")).isNull();
    }

    @Test
    void anotherUserIsRefusedWithTheSettingToChange() {
        assertThat(new PeerCredentialCheck("alice", Set.of()).refusalReason("mallory"))
                .contains("'mallory'").contains("'alice'").contains("allowed-users");
    }

    @Test
    void aListedUserIsAccepted() {
        assertThat(new PeerCredentialCheck("alice", Set.of("bob")).refusalReason("bob")).isNull();
        assertThat(new PeerCredentialCheck("alice", Set.of("bob")).refusalReason("carol")).isNotNull();
    }
}

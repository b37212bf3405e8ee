package io.github.springipc.transport.pipe;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.util.Set;

import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

/**
 * Decides whether the user running a pipe's peer may talk to this process: the same user
 * always, another user only when listed in {@code allowed-users}. The user comes from the
 * kernel ({@code SO_PEERCRED}), so a peer can not lie about it.
 */
final class PeerCredentialCheck {

    private final String ownUser;

    private final Set<String> allowedUsers;

    PeerCredentialCheck(String ownUser, Set<String> allowedUsers) {
        this.ownUser = ownUser;
        this.allowedUsers = allowedUsers;
    }

    /** The peer's user name as the kernel reports it. */
    static String peerUser(SocketChannel channel) throws IOException {
        UnixDomainPrincipal principal = channel.getOption(ExtendedSocketOptions.SO_PEERCRED);
        return principal.user().getName();
    }

    /**
     * Why a peer of {@code peerUser} is refused, or {@code null} when it is accepted.
     */
    String refusalReason(String peerUser) {
        if (peerUser.equals(this.ownUser) || this.allowedUsers.contains(peerUser)) {
            return null;
        }
        return "the peer runs as user '" + peerUser + "', not '" + this.ownUser
                + "'; add it to allowed-users (ipc.pipes.<name>.allowed-users) to accept it";
    }
}

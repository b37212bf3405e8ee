package io.github.springipc.reliability;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * A pipe peer written by hand against docs/pipe-wire-format.md, using nothing but the JDK (so that
 * it can run as another user from a copy of this one class): {@code <socket path>}. It sends a
 * HELLO frame and prints {@code ACCEPTED} when the other end answers with its own HELLO, or
 * {@code REFUSED} when the other end closes the connection first.
 */
public final class RawPipePeer {

    private RawPipePeer() {
    }

    public static void main(String[] args) throws Exception {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            try {
                channel.connect(UnixDomainSocketAddress.of(Path.of(args[0])));
            }
            catch (IOException ex) {
                System.out.println("REFUSED at connect: " + ex);
                return;
            }
            try {
                channel.write(hello());
            }
            catch (IOException closed) {
                // the other end checked our user at accept and closed before we wrote: "Broken pipe"
                System.out.println("REFUSED: the other end closed the connection before the hello: " + closed);
                return;
            }
            ByteBuffer answer = ByteBuffer.allocate(12);
            while (answer.hasRemaining()) {
                int read;
                try {
                    read = channel.read(answer);
                }
                catch (IOException reset) {
                    read = -1; // closed with our hello unread: "Connection reset"
                }
                if (read < 0) {
                    System.out.println("REFUSED: the other end closed the connection after " + answer.position()
                            + " bytes");
                    return;
                }
            }
            System.out.println(answer.getInt(4) == 0x53495043 ? "ACCEPTED" : "GARBLED");
        }
    }

    /** A HELLO frame: length 8, "SIPC", version 1, no flags, reserved 0. */
    static ByteBuffer hello() {
        return ByteBuffer.allocate(12).putInt(8).putInt(0x53495043).put((byte) 1).put((byte) 0).putShort((short) 0)
                .flip();
    }
}

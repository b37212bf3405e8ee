package io.github.springipc.transport.pipe;

import java.io.IOException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import java.util.concurrent.locks.Lock;

import io.github.springipc.transport.IpcException;
import io.github.springipc.transport.file.LockFile;

/**
 * The socket file {@code <dir>/<name>.sock} of a pipe: decides, under the side lock file, whether
 * this process binds it or connects to the process that did, and replaces a file left behind by
 * a dead process (connecting to it is refused).
 */
final class PipeSocketFile implements AutoCloseable {

    private final String pipeName;

    private final Path socketPath;

    private final LockFile lockFile;

    /** Byte 0 of the lock file: held while deciding who binds, against this JVM's threads and other processes. */
    private final Lock bindDecision;

    private final PipeOptions options;

    /** The inode of the file this process bound, to delete only our own on close. */
    private Object boundFileKey;

    PipeSocketFile(String pipeName, Path socketPath, PipeOptions options) throws IOException {
        this.pipeName = pipeName;
        this.socketPath = socketPath;
        this.options = options;
        this.lockFile = LockFile.open(socketPath.resolveSibling(socketPath.getFileName() + ".lock"),
                options.socketFilePermissions());
        this.bindDecision = this.lockFile.rangeLock(0);
    }

    private <T> T locked(IoAction<T> action) throws IOException {
        this.bindDecision.lock();
        try {
            return action.run();
        }
        finally {
            this.bindDecision.unlock();
        }
    }

    @FunctionalInterface
    private interface IoAction<T> {

        T run() throws IOException;
    }

    Path path() {
        return this.socketPath;
    }

    /** Either a connected channel or a bound server, or neither (CONNECT and nobody listening yet). */
    record Endpoint(SocketChannel channel, ServerSocketChannel server) {
    }

    Endpoint establish(PipeRole role) throws IOException {
        refuseSymbolicLink();
        if (role == PipeRole.CONNECT) {
            return new Endpoint(tryConnect(), null);
        }
        return locked(() -> {
            if (Files.exists(this.socketPath, LinkOption.NOFOLLOW_LINKS)) {
                SocketChannel channel = tryConnect();
                if (channel != null) {
                    if (role == PipeRole.BIND) {
                        channel.close();
                        throw new IpcException("Pipe '" + this.pipeName + "': another live process has bound "
                                + this.socketPath + " and this end is configured with role BIND;"
                                + " set ipc.pipes." + this.pipeName + ".role to AUTO or CONNECT");
                    }
                    return new Endpoint(channel, null);
                }
                // nobody listens: a dead process left it behind
                refuseForeignLeftover();
                Files.deleteIfExists(this.socketPath);
            }
            return new Endpoint(null, bind());
        });
    }

    /** A link could lead the connect elsewhere, or the replacement over a file we do not own. */
    private void refuseSymbolicLink() {
        if (Files.isSymbolicLink(this.socketPath)) {
            throw new IpcException("Pipe '" + this.pipeName + "': socket path " + this.socketPath
                    + " is a symbolic link; refusing to follow or replace it. Remove it, or choose another ipc.directory");
        }
    }

    /**
     * Only a file of this user is replaced: another user's socket may be shared on purpose
     * ({@code allowed-users}), and deleting it would take the channel from its owner.
     */
    private void refuseForeignLeftover() throws IOException {
        if (!this.socketPath.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            return;
        }
        String owner = Files.getOwner(this.socketPath, LinkOption.NOFOLLOW_LINKS).getName();
        String me = System.getProperty("user.name");
        if (me != null && !owner.equals(me)) {
            throw new IpcException("Pipe '" + this.pipeName + "': " + this.socketPath + " belongs to user '" + owner
                    + "', not to '" + me + "', and nobody listens on it; refusing to replace it. Remove it, or"
                    + " choose another ipc.directory");
        }
    }

    private SocketChannel tryConnect() throws IOException {
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            channel.connect(UnixDomainSocketAddress.of(this.socketPath));
            return channel;
        }
        catch (IOException ex) {
            channel.close();
            String message = String.valueOf(ex.getMessage());
            if (ex instanceof ConnectException || ex instanceof NoSuchFileException || message.contains("refused")
                    || !Files.exists(this.socketPath, LinkOption.NOFOLLOW_LINKS)) {
                return null; // nobody listens (or the file went away meanwhile)
            }
            throw ex;
        }
    }

    private ServerSocketChannel bind() throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(this.socketPath), 4);
            if (this.socketPath.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                Files.setPosixFilePermissions(this.socketPath, this.options.socketFilePermissions());
            }
            this.boundFileKey = Files.readAttributes(this.socketPath, BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS).fileKey();
            return server;
        }
        catch (IOException | RuntimeException ex) {
            server.close();
            throw ex;
        }
    }

    /** Deletes the socket file when it is still the one this process bound. */
    void deleteIfOurs() {
        if (this.boundFileKey == null) {
            return;
        }
        try {
            locked(() -> {
                try {
                    Object key = Files.readAttributes(this.socketPath, BasicFileAttributes.class,
                            LinkOption.NOFOLLOW_LINKS).fileKey();
                    if (Objects.equals(key, this.boundFileKey)) {
                        Files.deleteIfExists(this.socketPath);
                    }
                }
                catch (NoSuchFileException gone) {
                    // already removed
                }
                return null;
            });
        }
        catch (IOException ignored) {
            // the next binder replaces a leftover file
        }
        this.boundFileKey = null;
    }

    @Override
    public void close() {
        deleteIfOurs();
        this.lockFile.close();
    }
}

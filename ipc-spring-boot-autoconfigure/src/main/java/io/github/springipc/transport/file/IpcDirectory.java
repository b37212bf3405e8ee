package io.github.springipc.transport.file;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Locale;
import java.util.Set;

import io.github.springipc.transport.IpcException;

/**
 * The directory where a host's channels keep their socket and region files. Every process
 * that should talk to another must use the same directory.
 *
 * <p>The directory is private to its owner (mode {@code 0700}): other users can neither connect
 * to a pipe's socket nor open a region, whatever the modes of the files inside.
 */
public final class IpcDirectory {

    /** Mode of a directory this class creates. */
    public static final Set<PosixFilePermission> PRIVATE = PosixFilePermissions.fromString("rwx------");

    private IpcDirectory() {
    }

    /**
     * The default directory: {@code /dev/shm/spring-ipc-<user>} where {@code /dev/shm} exists
     * (memory-backed, so regions never touch a disk), otherwise
     * {@code <java.io.tmpdir>/spring-ipc-<user>}.
     */
    public static Path defaultPath() {
        String user = System.getProperty("user.name", "user").replaceAll("[^A-Za-z0-9._-]", "_");
        Path shm = Paths.get("/dev/shm");
        boolean linux = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux");
        if (linux && Files.isDirectory(shm) && Files.isWritable(shm)) {
            return shm.resolve("spring-ipc-" + user);
        }
        return Paths.get(System.getProperty("java.io.tmpdir")).resolve("spring-ipc-" + user);
    }

    /**
     * Creates the directory (and its parents) when missing, with mode {@code 0700}, and checks
     * that it is a real directory, not a link, owned by this process's user.
     *
     * @return the directory's absolute path
     * @throws IpcException naming the directory and what is wrong with it
     */
    public static Path prepare(Path directory) {
        Path dir = directory.toAbsolutePath().normalize();
        try {
            if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectories(dir.getParent());
                try {
                    if (supportsPosix(dir.getParent())) {
                        Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PRIVATE));
                        // the umask may have narrowed the mode, never widened it: set it exactly
                        Files.setPosixFilePermissions(dir, PRIVATE);
                    }
                    else {
                        Files.createDirectory(dir);
                    }
                }
                catch (FileAlreadyExistsException raced) {
                    // another process created it first: validated below like any existing one
                }
            }
            if (Files.isSymbolicLink(dir)) {
                throw new IpcException("IPC directory " + dir + " is a symbolic link; refusing to use it."
                        + " Remove it or set ipc.directory to another path");
            }
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                throw new IpcException("IPC directory " + dir + " exists but is not a directory."
                        + " Remove it or set ipc.directory to another path");
            }
            if (supportsPosix(dir)) {
                PosixFileAttributes attributes = Files.getFileAttributeView(dir, PosixFileAttributeView.class,
                        LinkOption.NOFOLLOW_LINKS).readAttributes();
                String owner = attributes.owner().getName();
                String me = System.getProperty("user.name");
                if (me != null && !owner.equals(me)) {
                    throw new IpcException("IPC directory " + dir + " belongs to user '" + owner
                            + "', not to '" + me + "'. Set ipc.directory to a directory of your own");
                }
            }
            if (!Files.isWritable(dir)) {
                throw new IpcException("IPC directory " + dir + " is not writable."
                        + " Fix its permissions or set ipc.directory to another path");
            }
            return dir;
        }
        catch (IOException ex) {
            throw new IpcException("Could not create IPC directory " + dir + ": " + ex
                    + ". Set ipc.directory to a writable path", ex);
        }
    }

    static boolean supportsPosix(Path path) {
        return path.getFileSystem().supportedFileAttributeViews().contains("posix");
    }
}

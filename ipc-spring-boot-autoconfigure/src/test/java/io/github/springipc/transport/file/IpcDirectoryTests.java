package io.github.springipc.transport.file;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.springipc.transport.IpcException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class IpcDirectoryTests {

    @TempDir
    Path dir;

    @Test
    void createsAPrivateDirectoryWithItsParents() throws IOException {
        Path created = IpcDirectory.prepare(this.dir.resolve("a/b/ipc"));
        assertThat(created).isDirectory();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(created))).isEqualTo("rwx------");
    }

    @Test
    void acceptsAnExistingDirectory() {
        Path first = IpcDirectory.prepare(this.dir.resolve("ipc"));
        assertThat(IpcDirectory.prepare(this.dir.resolve("ipc"))).isEqualTo(first);
    }

    @Test
    void refusesASymbolicLink() throws IOException {
        Path real = Files.createDirectory(this.dir.resolve("real"));
        Path link = Files.createSymbolicLink(this.dir.resolve("link"), real);
        assertThatExceptionOfType(IpcException.class).isThrownBy(() -> IpcDirectory.prepare(link))
                .withMessageContaining("symbolic link").withMessageContaining("ipc.directory");
    }

    @Test
    void refusesAFile() throws IOException {
        Path file = Files.createFile(this.dir.resolve("file"));
        assertThatExceptionOfType(IpcException.class).isThrownBy(() -> IpcDirectory.prepare(file))
                .withMessageContaining("not a directory");
    }

    @Test
    void defaultIsPerUser() {
        assertThat(IpcDirectory.defaultPath().getFileName().toString())
                .startsWith("spring-ipc-").endsWith(System.getProperty("user.name"));
    }
}

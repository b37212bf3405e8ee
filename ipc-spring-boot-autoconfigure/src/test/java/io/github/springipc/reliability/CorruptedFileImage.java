package io.github.springipc.reliability;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;

/**
 * A valid file image with bytes overwritten where a fuzz input says: the input is read as a
 * list of patches (offset, then up to 16 bytes). Offsets are biased to the start of the file,
 * where headers and directories live, but may fall anywhere.
 */
final class CorruptedFileImage {

    private CorruptedFileImage() {
    }

    static byte[] patch(byte[] template, FuzzedDataProvider data) {
        byte[] image = template.clone();
        int patches = data.consumeInt(0, 24);
        for (int i = 0; i < patches && data.remainingBytes() > 0; i++) {
            int limit = data.consumeBoolean() ? Math.min(image.length, 2048) : image.length;
            int offset = data.consumeInt(0, limit - 1);
            byte[] bytes = data.consumeBytes(16);
            System.arraycopy(bytes, 0, image, offset, Math.min(bytes.length, image.length - offset));
        }
        return image;
    }

    /** Writes the image as an owner-only file, replacing what was there. */
    static void write(Path file, byte[] image) throws IOException {
        Files.deleteIfExists(file);
        Files.write(file, image);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    }

    /** A fresh owner-only directory under the temporary directory, for the fuzzers' files. */
    static Path directory(String prefix) {
        try {
            Path dir = Files.createTempDirectory(prefix);
            dir.toFile().deleteOnExit();
            return dir;
        }
        catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
    }
}

package io.github.springipc.transport.file;

import java.nio.file.Path;

/** Creates a region of the given size and prints the outcome; used under a file-size limit. */
public final class RegionCreatorMain {

    private RegionCreatorMain() {
    }

    public static void main(String[] args) {
        try (MappedRegionFile region = MappedRegionFile.openOrCreate(Path.of(args[0]), Long.parseLong(args[1]),
                MappedRegionFile.OWNER_ONLY, buffer -> buffer.putLong(0, 1), (buffer, size) -> { }, false)) {
            // touch the last page: on a sparse file this is where SIGBUS would strike
            region.buffer().put((int) region.size() - 1, (byte) 1);
            System.out.println("created " + region.size());
        }
        catch (RuntimeException ex) {
            System.out.println("failed: " + ex.getMessage());
        }
        System.out.println("still alive");
    }
}

package io.github.springipc.reliability;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * An append-only record of message ids that survives {@code kill -9} of the process writing it:
 * a memory-mapped file (the page cache keeps what a killed process wrote) holding a count and
 * then (id, delivery attempt) pairs. One writer per file; any process may read it.
 *
 * <pre>
 *  0        8               16              24
 *  | count  | pad           | id 0  | att 0 | id 1  | att 1 | ...    (little-endian u64)
 * </pre>
 *
 * An entry is written before the count that covers it is published with a release store, so a
 * reader never sees a half-written entry.
 */
final class Ledger implements AutoCloseable {

    static final int MAX_ENTRIES = 1 << 20;

    private static final VarHandle LONG = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final FileChannel channel;

    private final MappedByteBuffer buffer;

    private int count;

    private Ledger(FileChannel channel, MappedByteBuffer buffer) {
        this.channel = channel;
        this.buffer = buffer;
    }

    static Ledger create(Path file) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        MappedByteBuffer buffer = channel.map(FileChannel.MapMode.READ_WRITE, 0, 16L * (MAX_ENTRIES + 1));
        buffer.order(ByteOrder.LITTLE_ENDIAN);
        return new Ledger(channel, buffer);
    }

    void append(long id, int attempt) {
        if (this.count == MAX_ENTRIES) {
            throw new IllegalStateException("ledger full");
        }
        int at = 16 * (this.count + 1);
        this.buffer.putLong(at, id);
        this.buffer.putLong(at + 8, attempt);
        this.count++;
        LONG.setRelease(this.buffer, 0, (long) this.count);
    }

    /** One entry: the id and the delivery attempt it was recorded with (0 for a sender's record). */
    record Entry(long id, int attempt) {
    }

    static List<Entry> read(Path file) throws IOException {
        List<Entry> entries = new ArrayList<>();
        if (!Files.exists(file)) {
            return entries;
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer all = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size()).order(ByteOrder.LITTLE_ENDIAN);
            long count = (long) LONG.getAcquire(all, 0);
            for (int i = 1; i <= count; i++) {
                entries.add(new Entry(all.getLong(16 * i), (int) all.getLong(16 * i + 8)));
            }
        }
        return entries;
    }

    static List<Entry> readAll(List<Path> files) throws IOException {
        List<Entry> all = new ArrayList<>();
        for (Path file : files) {
            all.addAll(read(file));
        }
        return all;
    }

    @Override
    public void close() throws IOException {
        this.channel.close();
    }
}

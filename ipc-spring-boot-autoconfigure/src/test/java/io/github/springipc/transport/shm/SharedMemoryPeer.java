package io.github.springipc.transport.shm;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A sibling JVM for the shared-memory tests: opens a region and runs commands read line by line
 * from standard input, answering each with one line.
 *
 * <p>Arguments: {@code <dir> <region> <size> [deleteWhenLastUserCloses]}.
 */
public final class SharedMemoryPeer {

    static final String READY = "peer ready";

    private SharedMemoryPeer() {
    }

    public static void main(String[] args) throws Exception {
        SharedMemoryOptions options = SharedMemoryOptions.builder()
                .size(Long.parseLong(args[2]))
                .deleteWhenLastUserCloses(args.length > 3 && Boolean.parseBoolean(args[3]))
                .build();
        IpcSharedMemory region = IpcSharedMemory.open(Path.of(args[0]), args[1], options);
        System.out.println(READY);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            String[] c = line.trim().split(" ");
            switch (c[0]) {
                case "increment": {
                    SharedLong counter = region.longValue(c[1]);
                    int n = Integer.parseInt(c[2]);
                    for (int i = 0; i < n; i++) {
                        counter.incrementAndGet();
                    }
                    System.out.println("incremented " + n);
                    break;
                }
                case "writeArrays": {
                    SharedLongArray longs = region.longArray("longs", 4);
                    SharedIntArray ints = region.intArray("ints", 3);
                    SharedDoubleArray doubles = region.doubleArray("doubles", 2);
                    long[] l = { 1, -2, 3, Long.MAX_VALUE };
                    int[] n = { -1, 0, Integer.MIN_VALUE };
                    double[] d = { 0.5, -2.25 };
                    for (int i = 0; i < l.length; i++) {
                        longs.set(i, l[i]);
                    }
                    for (int i = 0; i < n.length; i++) {
                        ints.set(i, n[i]);
                    }
                    for (int i = 0; i < d.length; i++) {
                        doubles.set(i, d[i]);
                    }
                    System.out.println("arrays written");
                    break;
                }
                case "allocate": {
                    int n = Integer.parseInt(c[2]);
                    for (int i = 0; i < n; i++) {
                        region.longValue(c[1] + i).incrementAndGet();
                        region.longValue("shared" + i).incrementAndGet();
                    }
                    System.out.println("allocated " + n);
                    break;
                }
                case "setLong":
                    region.longValue(c[1]).set(Long.parseLong(c[2]));
                    System.out.println("set " + c[1]);
                    break;
                case "getLong":
                    System.out.println("long " + c[1] + " " + region.longValue(c[1]).get());
                    break;
                case "lock":
                    region.lock(c[1]).lock();
                    System.out.println("locked " + c[1]);
                    break;
                case "unlock":
                    region.lock(c[1]).unlock();
                    System.out.println("unlocked " + c[1]);
                    break;
                case "tryLock": {
                    SharedLock lock = region.lock(c[1]);
                    boolean locked = lock.tryLock();
                    if (locked) {
                        lock.unlock();
                    }
                    System.out.println("tryLock " + c[1] + " " + locked);
                    break;
                }
                case "lockedIncrement": {
                    SharedLock lock = region.lock(c[1]);
                    SharedLong value = region.longValue(c[2]);
                    int n = Integer.parseInt(c[3]);
                    for (int i = 0; i < n; i++) {
                        lockedIncrement(lock, value);
                    }
                    System.out.println("lockedIncrement done");
                    break;
                }
                case "publish": {
                    SharedSnapshot snapshot = region.snapshot(c[1], SnapshotRecords.MAX_LENGTH);
                    long deadline = System.nanoTime() + Long.parseLong(c[2]) * 1_000_000L;
                    byte[] record = new byte[SnapshotRecords.MAX_LENGTH];
                    long count = 0;
                    while (System.nanoTime() < deadline) {
                        int length = SnapshotRecords.fill(record, ++count);
                        snapshot.publish(record, 0, length);
                    }
                    System.out.println("published " + count);
                    break;
                }
                case "close":
                    region.close();
                    System.out.println("closed");
                    break;
                case "exit":
                    System.out.println("bye");
                    return;
                default:
                    System.out.println("unknown command " + line);
            }
        }
    }

    /** Increments with plain accesses: only the lock makes it exact. */
    static void lockedIncrement(SharedLock lock, SharedLong value) {
        lock.lock();
        try {
            value.setPlain(value.getPlain() + 1);
        }
        finally {
            lock.unlock();
        }
    }

    /** Records whose every byte follows from their first 8, so a torn one is recognisable. */
    static final class SnapshotRecords {

        static final int MAX_LENGTH = 4096;

        private SnapshotRecords() {
        }

        /** Writes record number {@code n} into {@code target}; returns its length. */
        static int fill(byte[] target, long n) {
            int length = lengthOf(n);
            ByteBuffer.wrap(target).order(ByteOrder.LITTLE_ENDIAN).putLong(0, n);
            for (int i = 8; i < length; i++) {
                target[i] = (byte) (n * 31 + i);
            }
            return length;
        }

        static int lengthOf(long n) {
            return 8 + (int) ((n * 997) % (MAX_LENGTH - 8));
        }

        /** Whether {@code record} is exactly a record {@link #fill} wrote; empty is the initial state. */
        static boolean isWhole(byte[] record) {
            if (record.length == 0) {
                return true;
            }
            if (record.length < 8) {
                return false;
            }
            long n = ByteBuffer.wrap(record).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
            if (n <= 0 || record.length != lengthOf(n)) {
                return false;
            }
            for (int i = 8; i < record.length; i++) {
                if (record[i] != (byte) (n * 31 + i)) {
                    return false;
                }
            }
            return true;
        }
    }
}

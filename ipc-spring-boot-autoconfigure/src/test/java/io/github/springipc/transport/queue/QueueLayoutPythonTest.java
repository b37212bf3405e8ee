package io.github.springipc.transport.queue;

import io.github.springipc.testsupport.Python3;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.springipc.transport.IpcMessage;

/** {@code docs/queue-layout.md} is enough for another language to read a queue file. */
class QueueLayoutPythonTest {

    /** Follows docs/queue-layout.md only: header, then records from head to tail. */
    private static final String READER = """
            import mmap, struct, sys
            with open(sys.argv[1], 'r+b') as f:
                m = mmap.mmap(f.fileno(), 0)
                magic, version, slots, capacity = struct.unpack_from('<QIIQ', m, 0)
                assert magic == 0x3145555143504953 and version == 4, (hex(magic), version)
                ring = struct.unpack_from('<Q', m, 32)[0]
                tail, head, dispatch = (struct.unpack_from('<Q', m, o)[0] for o in (128, 256, 384))
                print('counters', head, dispatch, tail)
                p = head
                while p < tail:
                    off = ring + (p & (capacity - 1))
                    length, rtype, state = struct.unpack_from('<IIQ', m, off)
                    kind, attempt = state & 0xFF, (state >> 8) & 0xFFFF
                    if rtype == 3 and kind == 2 and p >= dispatch:  # behind dispatch: in flight or settled
                        print('record', p, attempt, m[off + 16:off + 16 + length].decode())
                    p += (16 + length + 15) & ~15
            """;

    @TempDir
    Path dir;

    @Test
    void pythonReadsPublishedRecordsFollowingTheLayoutDocument() throws Exception {
        Python3.assumeAvailable("QueueLayoutPythonTest");
        QueueOptions options = QueueOptions.builder().capacity(4096).build();
        try (IpcQueue queue = IpcQueue.open(this.dir, "py", options)) {
            for (String text : List.of("one", "two", "x".repeat(100))) {
                queue.offer(java.nio.ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), 0, text.length());
            }
            queue.send(IpcMessage.of(new byte[] { 1 }), Duration.ofSeconds(1)); // an envelope: not printed
        }
        Path script = this.dir.resolve("read_queue.py");
        Files.writeString(script, READER);
        Process python = new ProcessBuilder("python3", script.toString(), this.dir.resolve("py.queue").toString())
                .redirectErrorStream(true).start();
        assertThat(python.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String output = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(python.exitValue()).as(output).isZero();
        assertThat(output.lines()).containsExactly("counters 0 0 224", "record 0 1 one", "record 32 1 two",
                "record 64 1 " + "x".repeat(100));
    }


}

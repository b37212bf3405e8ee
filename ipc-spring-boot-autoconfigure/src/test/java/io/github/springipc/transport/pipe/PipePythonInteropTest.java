package io.github.springipc.transport.pipe;

import io.github.springipc.testsupport.Python3;

import static io.github.springipc.transport.pipe.PipeTestSupport.text;
import static io.github.springipc.transport.pipe.PipeTestSupport.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.springipc.transport.IpcDelivery;
import io.github.springipc.transport.IpcMessage;

/**
 * A real {@code python3} using only {@code multiprocessing.connection}, as client and as
 * listener, with an authkey, against a RAW pipe.
 */
class PipePythonInteropTest {

    private static final PipeOptions RAW_WITH_KEY = PipeOptions.builder().wireFormat(PipeWireFormat.RAW)
            .authkey(utf8("secret")).build();

    @TempDir
    Path dir;

    @BeforeAll
    static void needsPython() {
        Python3.assumeAvailable("PipePythonInteropTest");
    }

    @Test
    void aPythonClientSendsAndGetsTheReply() throws Exception {
        try (IpcPipe pipe = IpcPipe.open(this.dir, "py", RAW_WITH_KEY.toBuilder().role(PipeRole.BIND).build())) {
            PythonProcess python = PythonProcess.start(this.dir, """
                    import sys
                    from multiprocessing.connection import Client
                    c = Client(sys.argv[1], family='AF_UNIX', authkey=b'secret')
                    c.send_bytes(b'hello from python')
                    print('REPLY', c.recv_bytes().decode(), flush=True)
                    c.close()
                    """, pipe.socketPath().toString());
            try (python) {
                IpcDelivery delivery = pipe.receive(Duration.ofSeconds(20));
                assertThat(delivery).as("message from python; its output: %s", python.lines).isNotNull();
                assertThat(text(delivery)).isEqualTo("hello from python");
                delivery.reply(IpcMessage.of(utf8("hello from java")));
                delivery.acknowledge();
                assertThat(python.awaitLine("REPLY")).isEqualTo("REPLY hello from java");
            }
        }
    }

    @Test
    void aPythonListenerAnswersAJavaRequest() throws Exception {
        Path socket = this.dir.resolve("py.sock");
        PythonProcess python = PythonProcess.start(this.dir, """
                import sys
                from multiprocessing.connection import Listener
                with Listener(sys.argv[1], family='AF_UNIX', authkey=b'secret') as listener:
                    print('LISTENING', flush=True)
                    with listener.accept() as c:
                        for i in range(2):
                            c.send_bytes(b'py:' + c.recv_bytes())
                print('DONE', flush=True)
                """, socket.toString());
        try (python) {
            python.awaitLine("LISTENING");
            try (IpcPipe pipe = IpcPipe.open(this.dir, "py", RAW_WITH_KEY.toBuilder().role(PipeRole.CONNECT).build())) {
                assertThat(text(pipe.request(IpcMessage.of(utf8("ping")), Duration.ofSeconds(20)).payload()))
                        .isEqualTo("py:ping");
                assertThat(text(pipe.request(IpcMessage.of(utf8("pong")), Duration.ofSeconds(20)).payload()))
                        .isEqualTo("py:pong");
                assertThat(python.awaitLine("DONE")).isEqualTo("DONE");
            }
        }
    }

    /** A python3 script with its output lines. */
    private static final class PythonProcess implements AutoCloseable {

        private final Process process;

        private final BlockingQueue<String> queue = new LinkedBlockingQueue<>();

        final List<String> lines = new ArrayList<>();

        private PythonProcess(Process process) {
            this.process = process;
            Thread pump = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = in.readLine()) != null) {
                        System.out.println("[python] " + line);
                        this.queue.add(line);
                    }
                }
                catch (IOException ignored) {
                    // process gone
                }
            }, "python-output");
            pump.setDaemon(true);
            pump.start();
        }

        static PythonProcess start(Path dir, String script, String argument) throws IOException {
            Path file = dir.resolve("peer.py");
            Files.writeString(file, script);
            return new PythonProcess(new ProcessBuilder("python3", file.toString(), argument)
                    .redirectErrorStream(true).start());
        }

        String awaitLine(String prefix) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (true) {
                String line = this.queue.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (line == null) {
                    throw new AssertionError("python printed no line starting with " + prefix + "; it printed "
                            + this.lines);
                }
                this.lines.add(line);
                if (line.startsWith(prefix)) {
                    return line;
                }
            }
        }

        @Override
        public void close() throws InterruptedException {
            if (!this.process.waitFor(5, TimeUnit.SECONDS)) {
                this.process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
    }
}

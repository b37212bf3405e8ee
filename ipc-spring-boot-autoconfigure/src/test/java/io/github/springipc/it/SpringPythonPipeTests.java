package io.github.springipc.it;

import io.github.springipc.testsupport.Python3;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.github.springipc.annotation.IpcListener;
import io.github.springipc.messaging.IpcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real python3 with only {@code multiprocessing.connection} talks to an {@code @IpcListener}
 * and to an {@code IpcTemplate}, as docs/python-interop.md shows.
 */
class SpringPythonPipeTests {

    @TempDir
    Path dir;

    @BeforeAll
    static void needsPython() {
        Python3.assumeAvailable("SpringPythonPipeTests");
    }

    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class JavaSide {

        @Bean
        PythonFacingListener pythonFacingListener() {
            return new PythonFacingListener();
        }
    }

    static class PythonFacingListener {

        @IpcListener(value = "py", autoStartup = "${it.listen:true}")
        String onPython(String text) {
            return "java got " + text;
        }
    }

    @Test
    void aPythonClientGetsTheListenersReply() throws Exception {
        try (ConfigurableApplicationContext java = new SpringApplicationBuilder(JavaSide.class)
                .web(WebApplicationType.NONE)
                .properties("ipc.directory=" + this.dir, "ipc.pipes.py.role=bind", "ipc.pipes.py.wire-format=raw",
                        "ipc.pipes.py.authkey=secret")
                .run()) {
            String output = python("""
                    import sys
                    from multiprocessing.connection import Client
                    with Client(sys.argv[1], family="AF_UNIX", authkey=b"secret") as conn:
                        for word in ("hello", "world"):
                            conn.send_bytes(word.encode())
                            print(conn.recv_bytes().decode(), flush=True)
                    """, this.dir.resolve("py.sock").toString());
            assertThat(output).isEqualTo("java got hello\njava got world");
        }
    }

    @Test
    void theTemplateGetsAPythonListenersReply() throws Exception {
        Path script = this.dir.resolve("listener.py");
        Files.writeString(script, """
                import sys
                from multiprocessing.connection import Listener
                with Listener(sys.argv[1], family="AF_UNIX", authkey=b"secret") as listener:
                    print("LISTENING", flush=True)
                    with listener.accept() as conn:
                        conn.send_bytes(b"py:" + conn.recv_bytes())
                """);
        Process python = new ProcessBuilder("python3", script.toString(), this.dir.resolve("py.sock").toString())
                .redirectErrorStream(true).start();
        try {
            var lines = new java.io.BufferedReader(new java.io.InputStreamReader(python.getInputStream(),
                    StandardCharsets.UTF_8));
            assertThat(lines.readLine()).isEqualTo("LISTENING");
            try (ConfigurableApplicationContext java = new SpringApplicationBuilder(JavaSide.class)
                    .web(WebApplicationType.NONE)
                    .properties("ipc.directory=" + this.dir, "ipc.pipes.py.role=connect",
                            "ipc.pipes.py.wire-format=raw", "ipc.pipes.py.authkey=secret", "it.listen=false")
                    .run()) {
                String reply = java.getBean(IpcTemplate.class).convertSendAndReceive("py", "ping", String.class);
                assertThat(reply).isEqualTo("py:ping");
            }
            assertThat(python.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        finally {
            python.destroyForcibly();
        }
    }

    private String python(String code, String argument) throws Exception {
        Path script = this.dir.resolve("client.py");
        Files.writeString(script, code);
        Process python = new ProcessBuilder("python3", script.toString(), argument).redirectErrorStream(true).start();
        String output = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(python.waitFor(60, TimeUnit.SECONDS)).as("python3 finished").isTrue();
        assertThat(python.exitValue()).as("python3 exit status; output: %s", output).isZero();
        return output;
    }
}

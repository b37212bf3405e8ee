package io.github.springipc.process;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class SiblingJvmTests {

    private static final Duration STARTUP = Duration.ofSeconds(60);

    @Test
    void exchangesLinesOverStdinAndStdout() {
        try (SiblingJvm echo = SiblingJvm.builder(EchoMain.class).name("echo").arguments("a", "b")
                .property("greeting", "hello").start()) {
            String ready = echo.awaitLineContaining("echo ready", STARTUP);
            assertThat(ready).contains("args=a,b").contains("greeting=hello").contains("pid=" + echo.pid());
            for (int i = 0; i < 20; i++) {
                echo.writeLine("ping " + i);
                assertThat(echo.readLine(Duration.ofSeconds(10))).isEqualTo("echo: ping " + i);
            }
        }
    }

    @Test
    void killIsKillNineAndTheProcessIsGone() {
        SiblingJvm echo = SiblingJvm.builder(EchoMain.class).name("victim").start();
        echo.awaitLineContaining("echo ready", STARTUP);
        ProcessHandle handle = ProcessHandle.of(echo.pid()).orElseThrow();

        int status = echo.kill();

        assertThat(status).isEqualTo(137); // 128 + SIGKILL: no shutdown hook ran
        assertThat(echo.isAlive()).isFalse();
        assertThat(handle.isAlive()).isFalse();
    }

    @Test
    void exitStatusOfASiblingThatExitsByItself() {
        try (SiblingJvm echo = SiblingJvm.builder(EchoMain.class).name("exiter").start()) {
            echo.awaitLineContaining("echo ready", STARTUP);
            echo.writeLine("exit");
            assertThat(echo.awaitExit(Duration.ofSeconds(30))).isEqualTo(3);
        }
    }

    @Test
    void missingReadinessLineFailsWithTheSiblingsLastOutput() {
        try (SiblingJvm echo = SiblingJvm.builder(EchoMain.class).name("silent").start()) {
            echo.awaitLineContaining("echo ready", STARTUP);
            echo.writeLine("something else");
            assertThatExceptionOfType(SiblingJvmException.class)
                    .isThrownBy(() -> echo.awaitLineContaining("never printed", Duration.ofMillis(300)))
                    .withMessageContaining("'silent'")
                    .withMessageContaining("within PT0.3S")
                    .withMessageContaining("| echo: something else");
        }
    }

    @Test
    void siblingThatExitsBeforeReadinessFailsFastNotAtTheTimeout() {
        SiblingJvm broken = SiblingJvm.builder("io.github.springipc.process.NoSuchMain").name("broken").start();
        long start = System.nanoTime();
        assertThatExceptionOfType(SiblingJvmException.class)
                .isThrownBy(() -> broken.awaitLineContaining("ready", Duration.ofMinutes(5)))
                .withMessageContaining("exited with status")
                .withMessageContaining("NoSuchMain");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMinutes(1));
    }

    @Test
    void gracefulStopRunsTheSiblingsShutdownHooks() {
        SiblingJvm echo = SiblingJvm.builder(HookMain.class).name("hooked").start();
        echo.awaitLineContaining("hook ready", STARTUP);
        echo.stop(Duration.ofSeconds(20));
        assertThat(echo.output()).contains("shutdown hook ran");
    }

    @Test
    void siblingHaltsWhenItsParentIsKilled() {
        // the middle JVM plays the parent: it starts a grandchild, prints its pid, and is killed
        SiblingJvm parent = SiblingJvm.builder(ParentMain.class).name("parent").start();
        String line = parent.awaitLineContaining("child pid=", STARTUP);
        long childPid = Long.parseLong(line.substring(line.indexOf("child pid=") + 10).trim());
        ProcessHandle child = ProcessHandle.of(childPid).orElseThrow();

        parent.kill();

        child.onExit().orTimeout(30, java.util.concurrent.TimeUnit.SECONDS).join();
        assertThat(child.isAlive()).isFalse();
    }

    /** Prints a line from a shutdown hook, to tell a graceful stop from a kill. */
    public static final class HookMain {

        public static void main(String[] args) throws Exception {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> System.out.println("shutdown hook ran")));
            System.out.println("hook ready");
            Thread.sleep(Long.MAX_VALUE);
        }
    }

    /** Starts a grandchild sibling and waits forever. */
    public static final class ParentMain {

        public static void main(String[] args) throws Exception {
            SiblingJvm child = SiblingJvm.builder(HookMain.class).name("grandchild").start();
            child.awaitLineContaining("hook ready", STARTUP);
            System.out.println("child pid=" + child.pid());
            Thread.sleep(Long.MAX_VALUE);
        }
    }
}

package io.github.springipc.sample;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import io.github.springipc.process.SiblingJvm;
import io.github.springipc.transport.file.IpcDirectory;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs the sample end to end, as the README's command does, and checks what it prints. */
class SampleApplicationTests {

    @Test
    void runsThePipeSharedMemoryAndQueueExamplesAndLeavesNothingBehind() {
        SiblingJvm sample = SiblingJvm.builder(SampleApplication.class).name("sample").start();
        int status = sample.awaitExit(Duration.ofMinutes(4));
        List<String> output = sample.output();

        assertThat(status).as("exit status").isZero();
        assertThat(output).containsSubsequence(
                "== 1. Pipe: a sender and a receiver",
                "[receiver] Received message: Hello from sender!",
                "Reply: Hello back from receiver!",
                "== 2. Shared memory: a writer sets a value and an array, the parent reads them",
                "Value: 5",
                "Array: [0, 2, 4, 6, 8, 10, 12, 14, 16, 18]",
                "== 3. Queue: one producer, two competing workers",
                "All examples done.");
        assertThat(output).filteredOn(line -> line.matches("\\[worker-[12]\\] worker-[12] received: Hello from sender!"))
                .hasSize(1);
        assertThat(output).anySatisfy(line -> assertThat(line).matches(
                "Jobs handled: 100 of 100 \\(worker-1: \\d+, worker-2: \\d+\\)"));

        List<Long> spawned = new ArrayList<>();
        Pattern pid = Pattern.compile("Spawned .* \\(pid (\\d+)\\)");
        for (String line : output) {
            Matcher matcher = pid.matcher(line);
            if (matcher.matches()) {
                spawned.add(Long.parseLong(matcher.group(1)));
            }
        }
        assertThat(spawned).hasSize(4);
        assertThat(spawned).allSatisfy(p -> assertThat(ProcessHandle.of(p).map(ProcessHandle::isAlive)).isNotEqualTo(
                java.util.Optional.of(true)));
        Path directory = IpcDirectory.defaultPath().resolve("sample-" + sample.pid());
        assertThat(Files.exists(directory)).as(directory + " removed").isFalse();
    }
}

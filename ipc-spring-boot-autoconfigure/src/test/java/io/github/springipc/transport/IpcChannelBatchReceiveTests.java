package io.github.springipc.transport;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The default {@link IpcChannel#receive(int, Duration)}, built on single receives. */
class IpcChannelBatchReceiveTests {

    @Test
    void takesWhatIsThereUpToTheLimitWaitingOnlyForTheFirst() throws Exception {
        ScriptedChannel channel = new ScriptedChannel(5);

        List<IpcDelivery> batch = channel.receive(3, Duration.ofSeconds(1));

        assertThat(batch).extracting(d -> d.message().payload()[0]).containsExactly((byte) 0, (byte) 1, (byte) 2);
        assertThat(channel.timeouts).containsExactly(Duration.ofSeconds(1), Duration.ZERO, Duration.ZERO);
    }

    @Test
    void stopsAtTheFirstEmptyPollWithoutWaiting() throws Exception {
        ScriptedChannel channel = new ScriptedChannel(2);

        assertThat(channel.receive(10, Duration.ofSeconds(1))).hasSize(2);
        assertThat(channel.timeouts).containsExactly(Duration.ofSeconds(1), Duration.ZERO, Duration.ZERO);
    }

    @Test
    void nothingInTimeIsAnEmptyList() throws Exception {
        assertThat(new ScriptedChannel(0).receive(10, Duration.ofMillis(1))).isEmpty();
    }

    @Test
    void deliveriesTakenBeforeAFailureAreReleased() {
        ScriptedChannel channel = new ScriptedChannel(5);
        channel.failOnCall = 3;

        assertThatThrownBy(() -> channel.receive(10, Duration.ofSeconds(1))).isInstanceOf(IpcClosedException.class);
        assertThat(channel.released).containsExactly(0, 1);
    }

    @Test
    void limitBelowOneIsRejected() {
        assertThatIllegalArgumentException().isThrownBy(() -> new ScriptedChannel(1).receive(0, Duration.ZERO))
                .withMessageContaining("maxMessages");
    }

    /** Hands out {@code available} numbered messages, then nothing; records the timeouts asked for. */
    private static final class ScriptedChannel implements IpcChannel {

        final List<Duration> timeouts = new ArrayList<>();

        final List<Integer> released = new ArrayList<>();

        final Deque<Integer> messages = new ArrayDeque<>();

        int failOnCall = -1;

        ScriptedChannel(int available) {
            for (int i = 0; i < available; i++) {
                this.messages.add(i);
            }
        }

        @Override
        public String name() {
            return "scripted";
        }

        @Override
        public void send(IpcMessage message, Duration timeout) {
            throw new UnsupportedOperationException();
        }

        @Override
        public IpcMessage request(IpcMessage message, Duration timeout) {
            throw new UnsupportedOperationException();
        }

        @Override
        public IpcDelivery receive(Duration timeout) {
            this.timeouts.add(timeout);
            if (this.timeouts.size() == this.failOnCall) {
                throw new IpcClosedException("closed under the caller");
            }
            Integer next = this.messages.poll();
            return (next == null) ? null : new Numbered(next);
        }

        @Override
        public void close() {
        }

        private final class Numbered implements IpcDelivery {

            private final int number;

            Numbered(int number) {
                this.number = number;
            }

            @Override
            public IpcMessage message() {
                return IpcMessage.of(new byte[] { (byte) this.number });
            }

            @Override
            public int deliveryAttempt() {
                return 1;
            }

            @Override
            public boolean expectsReply() {
                return false;
            }

            @Override
            public void reply(IpcMessage reply) {
                throw new IllegalStateException();
            }

            @Override
            public void acknowledge() {
            }

            @Override
            public void release() {
                released.add(this.number);
            }
        }
    }
}

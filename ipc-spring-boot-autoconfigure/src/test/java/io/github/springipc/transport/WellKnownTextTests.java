package io.github.springipc.transport;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class WellKnownTextTests {

    private static final String[] KNOWN = { "contentType", "application/json", "text/plain;charset=UTF-8",
            "application/octet-stream", "ipc_correlationId", "ipc_replyTo" };

    @ParameterizedTest
    @ValueSource(booleans = { true, false })
    void findsEveryKnownTextAtAnyOffsetInEitherByteOrderAsTheSharedInstance(boolean bigEndian) {
        for (String text : KNOWN) {
            for (int offset = 0; offset < 9; offset++) {
                ByteBuffer in = bufferWith(text.getBytes(StandardCharsets.US_ASCII), offset, bigEndian);

                String match = WellKnownText.match(in, offset, text.length());

                assertThat(match).isEqualTo(text);
                assertThat(match).isSameAs(WellKnownText.match(in, offset, text.length()));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = { true, false })
    void aSingleDifferentByteAnywhereIsNoMatch(boolean bigEndian) {
        for (String text : KNOWN) {
            for (int changed = 0; changed < text.length(); changed++) {
                byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
                bytes[changed] ^= 0x20;
                ByteBuffer in = bufferWith(bytes, 3, bigEndian);

                assertThat(WellKnownText.match(in, 3, bytes.length)).as("%s changed at %d", text, changed).isNull();
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "", "a", "content", "contentTyp", "contentTypes", "application/jso" })
    void otherLengthsAreNoMatch(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        ByteBuffer in = bufferWith(bytes, 0, true);

        assertThat(WellKnownText.match(in, 0, bytes.length)).isNull();
    }

    /** The text at {@code offset} and nothing after it: a read past its end would throw. */
    private static ByteBuffer bufferWith(byte[] text, int offset, boolean bigEndian) {
        ByteBuffer in = ((offset & 1) == 0 ? ByteBuffer.allocate(offset + text.length)
                : ByteBuffer.allocateDirect(offset + text.length))
                .order(bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        in.put(offset, text);
        return in;
    }
}

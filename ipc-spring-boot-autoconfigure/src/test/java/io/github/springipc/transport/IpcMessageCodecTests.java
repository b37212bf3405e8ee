package io.github.springipc.transport;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class IpcMessageCodecTests {

    @Test
    void roundTripsHeadersInOrderAndPayload() {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("contentType", "application/json");
        headers.put("ümlaut-€", "värde 🚀");
        headers.put("empty", "");
        IpcMessage message = IpcMessage.of(headers, "{\"a\":1}".getBytes(StandardCharsets.UTF_8));

        byte[] encoded = IpcMessageCodec.encode(message);

        assertThat(encoded).hasSize(IpcMessageCodec.encodedLength(message));
        IpcMessage decoded = IpcMessageCodec.decode(encoded);
        assertThat(decoded).isEqualTo(message);
        assertThat(decoded.headers().keySet()).containsExactly("contentType", "ümlaut-€", "empty");
    }

    @Test
    void encodedLengthCountsLoneSurrogatesAsGetBytesDoes() {
        IpcMessage message = IpcMessage.of(Map.of("k", "a\uD800b"), new byte[0]);
        assertThat(IpcMessageCodec.encode(message)).hasSize(IpcMessageCodec.encodedLength(message));
    }

    @Test
    void messageWithoutHeadersIsTwoBytesPlusPayload() {
        byte[] encoded = IpcMessageCodec.encode(IpcMessage.of(new byte[] { 7, 8, 9 }));
        assertThat(encoded).containsExactly(0, 0, 7, 8, 9);
    }

    @Test
    void layoutIsLittleEndianAsDocumented() {
        byte[] encoded = IpcMessageCodec.encode(IpcMessage.of(Map.of("ab", "xyz"), new byte[] { 1 }));
        ByteBuffer in = ByteBuffer.wrap(encoded).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(in.getShort()).isEqualTo((short) 1);
        assertThat(in.getShort()).isEqualTo((short) 2);
        assertThat((char) in.get()).isEqualTo('a');
        assertThat((char) in.get()).isEqualTo('b');
        assertThat(in.getInt()).isEqualTo(3);
    }

    @Test
    void truncatedEnvelopeIsRejectedClearly() {
        byte[] encoded = IpcMessageCodec.encode(IpcMessage.of(Map.of("name", "value"), new byte[0]));
        byte[] truncated = java.util.Arrays.copyOf(encoded, encoded.length - 2);
        assertThatExceptionOfType(IpcCorruptDataException.class)
                .isThrownBy(() -> IpcMessageCodec.decode(truncated))
                .withMessageContaining("truncated");
    }

    @Test
    void hugeAnnouncedLengthsAllocateNothing() {
        ByteBuffer garbage = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        garbage.putShort((short) 1).putShort((short) 1).put((byte) 'k').putInt(Integer.MAX_VALUE).flip();
        assertThatExceptionOfType(IpcCorruptDataException.class)
                .isThrownBy(() -> IpcMessageCodec.decode(garbage))
                .withMessageContaining("value of header 'k'");
    }

    @Test
    void errorsNameTheHeaderTextTheyFoundBroken() {
        // two headers: the second one's value is not UTF-8
        ByteBuffer badValue = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
        badValue.putShort((short) 2).putShort((short) 1).put((byte) 'a').putInt(1).put((byte) 'x');
        badValue.putShort((short) 1).put((byte) 'b').putInt(2).put((byte) 0xC3).put((byte) 0x28).flip();
        assertThatExceptionOfType(IpcCorruptDataException.class)
                .isThrownBy(() -> IpcMessageCodec.decode(badValue))
                .withMessageContaining("value of header 'b'").withMessageContaining("UTF-8");
        // one header whose name runs past the end
        ByteBuffer shortName = ByteBuffer.allocate(5).order(ByteOrder.LITTLE_ENDIAN);
        shortName.putShort((short) 1).putShort((short) 9).put((byte) 'k').flip();
        assertThatExceptionOfType(IpcCorruptDataException.class)
                .isThrownBy(() -> IpcMessageCodec.decode(shortName))
                .withMessageContaining("truncated").withMessageContaining("header name");
    }

    @Test
    void tooManyHeadersAreRejected() {
        ByteBuffer garbage = ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN);
        garbage.putShort((short) 0xFFFF).flip();
        assertThatExceptionOfType(IpcCorruptDataException.class)
                .isThrownBy(() -> IpcMessageCodec.decode(garbage))
                .withMessageContaining("65535 headers");
    }

    @Test
    void invalidUtf8InAHeaderIsRejected() {
        byte[] bad = { 1, 0, 1, 0, (byte) 0xC3, 0, 0, 0, 0 };
        assertThatExceptionOfType(IpcCorruptDataException.class)
                .isThrownBy(() -> IpcMessageCodec.decode(bad))
                .withMessageContaining("UTF-8");
    }

    @Test
    void randomBytesNeverFailWithAnythingButCorruptData() {
        Random random = new Random(42);
        for (int i = 0; i < 20_000; i++) {
            byte[] bytes = new byte[random.nextInt(64)];
            random.nextBytes(bytes);
            try {
                IpcMessageCodec.decode(bytes);
            }
            catch (IpcCorruptDataException expected) {
                // the only failure allowed
            }
        }
    }

    @Test
    void decodesFromAReadOnlyDirectBufferAsFromAnArray() {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("contentType", "application/json");
        headers.put("trace", "abc-123");
        headers.put("ümlaut", "värde 🚀");
        IpcMessage message = IpcMessage.of(headers, "{\"a\":1}".getBytes(StandardCharsets.UTF_8));
        byte[] encoded = IpcMessageCodec.encode(message);
        ByteBuffer mapped = ByteBuffer.allocateDirect(encoded.length).put(encoded).flip().asReadOnlyBuffer();

        IpcMessage decoded = IpcMessageCodec.decode(mapped);

        assertThat(decoded).isEqualTo(message);
        assertThat(decoded.headers().keySet()).containsExactly("contentType", "trace", "ümlaut");
    }

    @Test
    void wellKnownHeaderTextIsSharedNotDecodedPerMessage() {
        byte[] encoded = IpcMessageCodec.encode(
                IpcMessage.of(Map.of(IpcMessage.CONTENT_TYPE, "application/json"), new byte[0]));

        IpcMessage first = IpcMessageCodec.decode(encoded);
        IpcMessage second = IpcMessageCodec.decode(encoded);

        assertThat(first.headers().keySet().iterator().next()).isSameAs(IpcMessage.CONTENT_TYPE);
        assertThat(first.header(IpcMessage.CONTENT_TYPE)).isEqualTo("application/json")
                .isSameAs(second.header(IpcMessage.CONTENT_TYPE));
    }

    @Test
    void encodesAtThePositionOfABufferInAnyByteOrderAndAdvancesIt() {
        IpcMessage message = IpcMessage.of(Map.of("k", "v"), new byte[] { 7 });
        ByteBuffer target = ByteBuffer.allocate(64).order(ByteOrder.BIG_ENDIAN);
        target.position(5);

        IpcMessageCodec.encode(message, target);

        assertThat(target.position()).isEqualTo(5 + IpcMessageCodec.encodedLength(message));
        assertThat(target.order()).isEqualTo(ByteOrder.BIG_ENDIAN);
        assertThat(IpcMessageCodec.decode(target.duplicate().limit(target.position()).position(5))).isEqualTo(message);
    }

    @Test
    void encodingIntoTooSmallABufferWritesNothing() {
        IpcMessage message = IpcMessage.of(Map.of("k", "v"), new byte[16]);
        ByteBuffer target = ByteBuffer.allocate(8);

        assertThatExceptionOfType(java.nio.BufferOverflowException.class)
                .isThrownBy(() -> IpcMessageCodec.encode(message, target));
        assertThat(target.position()).isZero();
        assertThat(target.array()).containsOnly(0);
    }

    @Test
    void encodeAtLeavesTheBufferAsItWasAndReturnsTheEnd() {
        IpcMessage message = IpcMessage.of(Map.of("contentType", "application/json"), new byte[] { 1, 2 });
        ByteBuffer shared = ByteBuffer.allocateDirect(128); // like a queue's mapped ring
        shared.position(3).limit(100);

        int end = IpcMessageCodec.encodeAt(message, shared, 40);

        assertThat(end).isEqualTo(40 + IpcMessageCodec.encodedLength(message));
        assertThat(shared.position()).isEqualTo(3);
        assertThat(shared.limit()).isEqualTo(100);
        assertThat(IpcMessageCodec.decode(shared.duplicate().limit(end).position(40))).isEqualTo(message);
    }

    @Test
    void encodeAtPastTheLimitIsRejectedBeforeWriting() {
        IpcMessage message = IpcMessage.of(Map.of("k", "v"), new byte[8]);
        ByteBuffer target = ByteBuffer.allocate(64);
        target.limit(20);

        assertThatExceptionOfType(IndexOutOfBoundsException.class)
                .isThrownBy(() -> IpcMessageCodec.encodeAt(message, target, 4));
        assertThat(target.array()).containsOnly(0);
    }

    @Test
    void messagesStampedFromATemplateEncodeAsIfBuiltOneByOne() {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("contentType", "application/json");
        headers.put("tenant", "ünïcode");
        IpcMessage template = IpcMessage.of(headers, null);

        for (String payload : new String[] { "{}", "{\"id\":7}", "" }) {
            byte[] bytes = payload.getBytes(StandardCharsets.UTF_8);
            IpcMessage stamped = template.withPayload(bytes);
            byte[] expected = IpcMessageCodec.encode(IpcMessage.of(headers, bytes));

            assertThat(IpcMessageCodec.encodedLength(stamped)).isEqualTo(expected.length);
            assertThat(IpcMessageCodec.encode(stamped)).isEqualTo(expected);
            ByteBuffer target = ByteBuffer.allocate(expected.length + 8);
            assertThat(IpcMessageCodec.encodeAt(stamped, target, 8)).isEqualTo(expected.length + 8);
            assertThat(target.array()).endsWith(expected);
            assertThat(stamped.headers()).isSameAs(template.headers());
            assertThat(IpcMessageCodec.decode(expected)).isEqualTo(stamped);
        }
    }

    @Test
    void aLoneHeaderDecodesToTheSameMessageAsSeveral() {
        IpcMessage one = IpcMessage.of(Map.of("contentType", "text/plain;charset=UTF-8"), new byte[] { 1, 2 });

        IpcMessage decoded = IpcMessageCodec.decode(IpcMessageCodec.encode(one));

        assertThat(decoded).isEqualTo(one);
        assertThat(decoded.header("contentType")).isEqualTo("text/plain;charset=UTF-8");
        assertThatExceptionOfType(UnsupportedOperationException.class).isThrownBy(() -> decoded.headers().put("k", "v"));
        assertThat(decoded.header(null)).isNull();
        byte[] encoded = IpcMessageCodec.encode(one);
        byte[] truncated = java.util.Arrays.copyOf(encoded, 10);
        assertThatExceptionOfType(IpcCorruptDataException.class).isThrownBy(() -> IpcMessageCodec.decode(truncated));
        byte[] negative = encoded.clone();
        ByteBuffer.wrap(negative).order(ByteOrder.LITTLE_ENDIAN).putInt(2 + 2 + "contentType".length(), -5);
        assertThatExceptionOfType(IpcCorruptDataException.class).isThrownBy(() -> IpcMessageCodec.decode(negative))
                .withMessageContaining("negative length");
    }
}

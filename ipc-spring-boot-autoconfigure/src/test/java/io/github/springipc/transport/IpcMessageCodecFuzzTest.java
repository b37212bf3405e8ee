package io.github.springipc.transport;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Coverage-guided fuzzing of the envelope decoder. In a normal build only the committed inputs
 * under {@code IpcMessageCodecFuzzTestInputs/} run; {@code JAZZER_FUZZ=1} fuzzes (see
 * {@code docs/reliability.md}).
 */
class IpcMessageCodecFuzzTest {

    /**
     * Any bytes decode to a message or fail with {@link IpcCorruptDataException}; what decodes
     * encodes back to an equal message.
     */
    @FuzzTest(maxDuration = "30s")
    void anyBytesDecodeOrFailAsCorruptData(byte[] bytes) {
        IpcMessage message;
        try {
            message = IpcMessageCodec.decode(bytes);
        }
        catch (IpcCorruptDataException expected) {
            assertThat(expected.getMessage()).isNotBlank();
            return;
        }
        assertThat(message.payload().length).isLessThanOrEqualTo(bytes.length);
        assertThat(IpcMessageCodec.decode(IpcMessageCodec.encode(message))).isEqualTo(message);
    }
}

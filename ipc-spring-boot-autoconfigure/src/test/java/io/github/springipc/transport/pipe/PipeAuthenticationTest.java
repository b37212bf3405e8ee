package io.github.springipc.transport.pipe;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/** The digests of Python's challenge-response, without sockets. */
class PipeAuthenticationTest {

    private static final byte[] KEY = "k".getBytes(StandardCharsets.US_ASCII);

    @Test
    void aModernChallengeIsAnsweredWithAPrefixedSha256Mac() {
        byte[] challenge = "{sha256}0123456789012345678901234567890123456789".getBytes(StandardCharsets.US_ASCII);
        byte[] response = PipeAuthentication.response(KEY, challenge);
        assertThat(new String(response, 0, 8, StandardCharsets.US_ASCII)).isEqualTo("{sha256}");
        assertThat(response).hasSize(8 + 32);
        assertThat(PipeAuthentication.verify(KEY, challenge, response)).isTrue();
        assertThat(PipeAuthentication.verify("other".getBytes(), challenge, response)).isFalse();
    }

    @Test
    void aLegacyTwentyByteChallengeIsAnsweredWithBareMd5() {
        byte[] challenge = "01234567890123456789".getBytes(StandardCharsets.US_ASCII);
        byte[] response = PipeAuthentication.response(KEY, challenge);
        assertThat(response).hasSize(16);
        assertThat(PipeAuthentication.verify(KEY, challenge, response)).isTrue();
    }

    @Test
    void aBareMd5AnswerToAModernChallengeIsAcceptedAsPython311SendsIt() {
        byte[] challenge = "{sha256}0123456789012345678901234567890123456789".getBytes(StandardCharsets.US_ASCII);
        byte[] legacy = PipeAuthentication.response(KEY, "x".repeat(20).getBytes());
        assertThat(PipeAuthentication.verify(KEY, challenge, legacy)).isFalse();
        byte[] md5OfChallenge = md5(challenge);
        assertThat(PipeAuthentication.verify(KEY, challenge, md5OfChallenge)).isTrue();
    }

    @Test
    void garbageAnswersAreRejectedNotThrown() {
        byte[] challenge = "{sha256}0123456789012345678901234567890123456789".getBytes(StandardCharsets.US_ASCII);
        assertThat(PipeAuthentication.verify(KEY, challenge, new byte[0])).isFalse();
        assertThat(PipeAuthentication.verify(KEY, challenge, "{nope}abc".getBytes())).isFalse();
    }

    private static byte[] md5(byte[] message) {
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacMD5");
            mac.init(new javax.crypto.spec.SecretKeySpec(KEY, "HmacMD5"));
            return mac.doFinal(message);
        }
        catch (java.security.GeneralSecurityException ex) {
            throw new IllegalStateException(ex);
        }
    }
}

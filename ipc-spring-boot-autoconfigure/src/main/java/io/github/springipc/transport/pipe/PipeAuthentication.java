package io.github.springipc.transport.pipe;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Map;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The shared-secret challenge-response of Python's {@code multiprocessing.connection}, so that a
 * Python {@code Client} or {@code Listener} with the same {@code authkey} is accepted.
 *
 * <p>The challenger sends {@code #CHALLENGE#{sha256}<40 random bytes>}; the answer is
 * {@code {sha256}HMAC-SHA256(key, "{sha256}"+random)}, or, from a Python 3.11 peer, the bare
 * 16-byte {@code HMAC-MD5(key, "{sha256}"+random)}; both are accepted, as Python 3.12 does. A
 * legacy 20-byte challenge (Python 3.11) is answered with bare HMAC-MD5. The challenger replies
 * {@code #WELCOME#} or {@code #FAILURE#}.
 */
final class PipeAuthentication {

    private static final Map<String, String> DIGESTS = Map.of("md5", "HmacMD5", "sha256", "HmacSHA256",
            "sha384", "HmacSHA384", "sha3_256", "HmacSHA3-256", "sha3_384", "HmacSHA3-384");

    private static final int MAX_DIGEST_NAME = 8;

    private static final int LEGACY_CHALLENGE_LENGTH = 20;

    private static final int MD5_LENGTH = 16;

    private static final SecureRandom RANDOM = new SecureRandom();

    private PipeAuthentication() {
    }

    /** Challenges the peer; throws when its answer is wrong (after telling it so). */
    static void deliverChallenge(SocketChannel channel, byte[] authkey) throws IOException {
        byte[] random = new byte[PipeFrameLayout.CHALLENGE_RANDOM_LENGTH];
        RANDOM.nextBytes(random);
        byte[] message = concat("{sha256}".getBytes(StandardCharsets.US_ASCII), random);
        HandshakeFrames.write(channel, concat(PipeFrameLayout.CHALLENGE, message));
        byte[] response = HandshakeFrames.read(channel, PipeFrameLayout.MAX_AUTH_FRAME, "authentication answer");
        if (!verify(authkey, message, response)) {
            HandshakeFrames.write(channel, PipeFrameLayout.FAILURE);
            throw new IpcAuthenticationException("the peer answered the authkey challenge wrongly"
                    + " (it holds a different authkey, or none)");
        }
        HandshakeFrames.write(channel, PipeFrameLayout.WELCOME);
    }

    /** Answers the peer's challenge; throws when the peer refuses the answer. */
    static void answerChallenge(SocketChannel channel, byte[] authkey) throws IOException {
        byte[] frame = HandshakeFrames.read(channel, PipeFrameLayout.MAX_AUTH_FRAME, "authentication challenge");
        PipeConnection.throwIfRefusal(frame);
        if (!PipeFrameLayout.startsWith(frame, PipeFrameLayout.CHALLENGE)) {
            throw new IpcAuthenticationException("the peer sent no authkey challenge; it has no authkey"
                    + " configured, or is not a pipe");
        }
        byte[] message = Arrays.copyOfRange(frame, PipeFrameLayout.CHALLENGE.length, frame.length);
        if (message.length < LEGACY_CHALLENGE_LENGTH) {
            throw new IpcAuthenticationException("the peer's authkey challenge is too short");
        }
        HandshakeFrames.write(channel, response(authkey, message));
        byte[] verdict = HandshakeFrames.read(channel, PipeFrameLayout.MAX_AUTH_FRAME, "authentication verdict");
        if (!Arrays.equals(verdict, PipeFrameLayout.WELCOME)) {
            throw new IpcAuthenticationException("the peer rejected this process's authkey (the two ends hold"
                    + " different authkeys)");
        }
    }

    /** The answer to a challenge message (the bytes after {@code #CHALLENGE#}). */
    static byte[] response(byte[] authkey, byte[] message) {
        String digest = digestName(message);
        if (digest.isEmpty()) {
            return hmac("md5", authkey, message);
        }
        return concat(("{" + digest + "}").getBytes(StandardCharsets.US_ASCII), hmac(digest, authkey, message));
    }

    /** Whether {@code response} answers {@code message} for this key. */
    static boolean verify(byte[] authkey, byte[] message, byte[] response) {
        String digest;
        byte[] mac;
        try {
            digest = digestName(response);
        }
        catch (IpcAuthenticationException ex) {
            return false;
        }
        if (digest.isEmpty()) {
            digest = "md5";
            mac = response;
        }
        else {
            mac = Arrays.copyOfRange(response, digest.length() + 2, response.length);
        }
        return MessageDigest.isEqual(hmac(digest, authkey, message), mac);
    }

    /** The digest a message names in its {@code {name}} prefix, or "" for the legacy unprefixed form. */
    static String digestName(byte[] message) {
        if (message.length == LEGACY_CHALLENGE_LENGTH || message.length == MD5_LENGTH) {
            return "";
        }
        if (message.length > 0 && message[0] == '{') {
            for (int i = 1; i < Math.min(message.length, MAX_DIGEST_NAME + 2); i++) {
                if (message[i] == '}') {
                    String name = new String(message, 1, i - 1, StandardCharsets.US_ASCII);
                    if (DIGESTS.containsKey(name)) {
                        return name;
                    }
                    break;
                }
            }
        }
        throw new IpcAuthenticationException("unsupported authentication message: wrong length, no digest"
                + " prefix, or an unsupported digest");
    }

    private static byte[] hmac(String digest, byte[] key, byte[] message) {
        try {
            String algorithm = DIGESTS.get(digest);
            Mac mac = Mac.getInstance(algorithm);
            mac.init(new SecretKeySpec(key, algorithm));
            return mac.doFinal(message);
        }
        catch (GeneralSecurityException ex) {
            throw new IpcAuthenticationException("HMAC-" + digest + " is not available in this JVM: " + ex);
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}

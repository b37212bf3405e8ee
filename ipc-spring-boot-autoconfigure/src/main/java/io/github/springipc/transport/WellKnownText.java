package io.github.springipc.transport;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Header names and values that nearly every envelope carries, shared instead of decoded into a
 * new {@code String} per message: no allocation, and the name's hash code, which every header
 * map computes, is already cached in the shared instance.
 */
final class WellKnownText {

    private static final String[] TEXTS = { IpcMessage.CONTENT_TYPE, "application/json",
            "text/plain;charset=UTF-8", "application/octet-stream", IpcMessage.CORRELATION_ID, IpcMessage.REPLY_TO };

    private static final byte[][] BYTES = new byte[TEXTS.length][];

    static {
        for (int i = 0; i < TEXTS.length; i++) {
            BYTES[i] = TEXTS[i].getBytes(StandardCharsets.US_ASCII);
        }
    }

    private WellKnownText() {
    }

    /** The shared string equal to bytes {@code [start, start + length)} of {@code in}, or {@code null}. */
    static String match(ByteBuffer in, int start, int length) {
        for (int i = 0; i < BYTES.length; i++) {
            byte[] candidate = BYTES[i];
            if (candidate.length == length && equalAt(in, start, candidate)) {
                return TEXTS[i];
            }
        }
        return null;
    }

    private static boolean equalAt(ByteBuffer in, int start, byte[] candidate) {
        // compare from the end: these texts share prefixes ("application/", "ipc_")
        for (int i = candidate.length - 1; i >= 0; i--) {
            if (in.get(start + i) != candidate[i]) {
                return false;
            }
        }
        return true;
    }
}

package io.github.springipc.transport;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Header names and values that nearly every envelope carries, shared instead of decoded into a
 * new {@code String} per message: no allocation, and the name's hash code, which every header
 * map computes, is already cached in the shared instance.
 */
final class WellKnownText {

    private static final String[] TEXTS = { IpcMessage.CONTENT_TYPE, "application/json",
            "text/plain;charset=UTF-8", "application/octet-stream", IpcMessage.CORRELATION_ID, IpcMessage.REPLY_TO };

    /**
     * Each text as the 8-byte words a buffer of either byte order reads at offsets 0, 8, 16, ...
     * and, last, at {@code length - 8} (overlapping the previous word): a text is compared in a few
     * word loads instead of one bounds-checked byte at a time. Index 0 big-endian, 1 little-endian.
     */
    private static final long[][][] WORDS = new long[2][TEXTS.length][];

    static {
        for (int i = 0; i < TEXTS.length; i++) {
            byte[] text = TEXTS[i].getBytes(StandardCharsets.US_ASCII);
            WORDS[0][i] = words(text, ByteOrder.BIG_ENDIAN);
            WORDS[1][i] = words(text, ByteOrder.LITTLE_ENDIAN);
        }
    }

    private WellKnownText() {
    }

    /** The shared string equal to bytes {@code [start, start + length)} of {@code in}, or {@code null}. */
    static String match(ByteBuffer in, int start, int length) {
        if (length < Long.BYTES) {
            return null; // every well-known text is longer
        }
        long[][] words = WORDS[in.order() == ByteOrder.BIG_ENDIAN ? 0 : 1];
        for (int i = 0; i < TEXTS.length; i++) {
            if (TEXTS[i].length() == length && equalAt(in, start, length, words[i])) { // ASCII: one byte per char
                return TEXTS[i];
            }
        }
        return null;
    }

    private static boolean equalAt(ByteBuffer in, int start, int length, long[] words) {
        // the last word first: these texts share prefixes ("application/", "ipc_")
        if (in.getLong(start + length - Long.BYTES) != words[words.length - 1]) {
            return false;
        }
        for (int w = 0; w < words.length - 1; w++) {
            if (in.getLong(start + w * Long.BYTES) != words[w]) {
                return false;
            }
        }
        return true;
    }

    private static long[] words(byte[] text, ByteOrder order) {
        ByteBuffer buffer = ByteBuffer.wrap(text).order(order);
        int full = text.length / Long.BYTES;
        long[] words = new long[full + (text.length % Long.BYTES == 0 ? 0 : 1)];
        for (int w = 0; w < full; w++) {
            words[w] = buffer.getLong(w * Long.BYTES);
        }
        words[words.length - 1] = buffer.getLong(text.length - Long.BYTES);
        return words;
    }
}

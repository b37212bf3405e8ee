package io.github.springipc.transport.pipe;

import java.nio.ByteBuffer;

import java.nio.charset.StandardCharsets;

/**
 * The bytes a pipe puts on its socket: one descriptor for the framing, the authentication
 * tokens, the hello and the typed records. Full description: {@code docs/pipe-wire-format.md}.
 *
 * <pre>
 * Frame (the same as Python's multiprocessing.connection; integers big-endian):
 * +--------------------+--------------------------------+
 * | length  i32        | body (length bytes)            |     0 &lt;= length &lt;= 0x7fffffff
 * +--------------------+--------------------------------+
 * +--------------------+--------------------+-----------+
 * | -1      i32        | length  u64        | body      |     extended form (read, never sent)
 * +--------------------+--------------------+-----------+
 *
 * Connection set-up, in order:
 *   binder  : [REFUSED frame and close, when it already has a peer]
 *   authkey : binder challenges, connector answers; then connector challenges, binder answers
 *             (bodies "#CHALLENGE#..." / digest / "#WELCOME#" or "#FAILURE#")
 *   ENVELOPE: both send HELLO, both read the other's HELLO
 *
 * HELLO body (8 bytes):
 * +-----+-----+-----+-----+---------+---------+-------------------+
 * | 'S' | 'I' | 'P' | 'C' | version |  flags  |  reserved u16 = 0 |
 * +-----+-----+-----+-----+---------+---------+-------------------+
 *   flags bit 0 CONFIRM: "acknowledge what your application takes from me"
 *
 * Record body after the hello (ENVELOPE format):
 * +--------+-----------------------------------------------+
 * | kind   | MESSAGE (0): IpcMessageCodec envelope         |
 * |  u8    | ACK     (1): u64 count of MESSAGE records the |
 * |        |              sender of the ACK has handed to   |
 * |        |              its application, cumulative      |
 * +--------+-----------------------------------------------+
 *
 * REFUSED body: "#SIPC-REFUSED#" followed by a UTF-8 reason.
 * </pre>
 *
 * With {@link PipeWireFormat#RAW} there is no hello and each body is one message's payload.
 */
public final class PipeFrameLayout {

    /** Bytes of the plain length prefix. */
    public static final int LENGTH_PREFIX = 4;

    /** Length value announcing the extended form (an 8-byte length follows). */
    public static final int EXTENDED_LENGTH_MARKER = -1;

    /** Bytes of the extended length that follows the marker. */
    public static final int EXTENDED_LENGTH = 8;

    /** Magic opening a HELLO body: ASCII "SIPC". */
    public static final int HELLO_MAGIC = 0x53495043;

    /** Wire version this code speaks. */
    public static final int VERSION = 1;

    /** Bytes of a HELLO body. */
    public static final int HELLO_LENGTH = 8;

    /** Offset of the version byte in a HELLO body. */
    public static final int HELLO_VERSION_OFFSET = 4;

    /** Offset of the flags byte in a HELLO body. */
    public static final int HELLO_FLAGS_OFFSET = 5;

    /** HELLO flag: the sender wants ACK records for its messages. */
    public static final int FLAG_CONFIRM = 0x01;

    /** Bytes of the kind that opens every record body after the hello. */
    public static final int KIND_LENGTH = 1;

    /** Record kind: an envelope follows. */
    public static final byte KIND_MESSAGE = 0;

    /** Record kind: a u64 cumulative count follows. */
    public static final byte KIND_ACK = 1;

    /** Bytes of an ACK record body. */
    public static final int ACK_LENGTH = KIND_LENGTH + 8;

    /**
     * Bytes before the payload in the body of a plain message: the kind and an envelope header
     * count of 0 (u16).
     */
    public static final int PLAIN_MESSAGE_HEADER = KIND_LENGTH + 2;

    /** Opening of a refusal body. */
    public static final byte[] REFUSED = ascii("#SIPC-REFUSED#");

    /** Authentication: opening of a challenge body (Python's {@code CHALLENGE}). */
    public static final byte[] CHALLENGE = ascii("#CHALLENGE#");

    /** Authentication: the digest was right. */
    public static final byte[] WELCOME = ascii("#WELCOME#");

    /** Authentication: the digest was wrong. */
    public static final byte[] FAILURE = ascii("#FAILURE#");

    /** Random bytes in a challenge this code sends (after the {@code {sha256}} prefix). */
    public static final int CHALLENGE_RANDOM_LENGTH = 40;

    /** Largest authentication frame accepted (Python's {@code recv_bytes(256)}). */
    public static final int MAX_AUTH_FRAME = 256;

    private PipeFrameLayout() {
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Whether the record body at {@code [offset, offset + length)} of {@code buffer} is a plain
     * message (kind MESSAGE, no headers): its payload starts {@link #PLAIN_MESSAGE_HEADER} bytes in.
     */
    static boolean isPlainMessage(ByteBuffer buffer, int offset, int length) {
        return length >= PLAIN_MESSAGE_HEADER && buffer.get(offset) == KIND_MESSAGE && buffer.getShort(offset + 1) == 0;
    }

    static boolean startsWith(byte[] bytes, byte[] prefix) {
        if (bytes.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (bytes[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}

package io.github.springipc.transport;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Encodes an {@link IpcMessage} into the envelope that pipe frames and queue records carry
 * between Java peers, and decodes it back, validating every length against the bytes present.
 *
 * <pre>
 * Envelope (all integers little-endian):
 *  0               2
 * +---------------+----------------------------------------------------------+
 * | header count  | header 0 | header 1 | ... | payload (the remaining bytes) |
 * |     u16       |                                                          |
 * +---------------+----------------------------------------------------------+
 *
 * Header:
 * +--------------+-------------------+----------------+---------------------+
 * | key length   | key (UTF-8)       | value length   | value (UTF-8)       |
 * |     u16      |                   |      u32       |                     |
 * +--------------+-------------------+----------------+---------------------+
 * </pre>
 *
 * A decoder never allocates more than the bytes it was given, so a garbage length can not make
 * it exhaust memory. See {@code docs/wire-format.md}.
 */
public final class IpcMessageCodec {

    /** Most headers one envelope may carry. */
    public static final int MAX_HEADERS = 1024;

    private static final VarHandle SHORT = MethodHandles.byteBufferViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);

    private static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    /** Longest header text copied out of a buffer without an array to test it for ASCII first. */
    private static final int MAX_COPIED_TEXT = 1024;

    private IpcMessageCodec() {
    }

    /**
     * Bytes {@link #encode} will produce for this message. Also checks everything the encoding
     * can refuse, so that a writer that sizes its space with it (a queue claiming ring space)
     * learns of a message it can not write before it claims anything.
     *
     * @throws IllegalArgumentException when the message has more than {@link #MAX_HEADERS}
     *         headers or a header name longer than 65535 UTF-8 bytes
     * @throws IpcMessageTooLargeException when the encoding would not fit in an array
     */
    public static int encodedLength(IpcMessage message) {
        int cached = message.encodedLength;
        if (cached > 0) { // 0: not computed yet (an envelope has at least its 2-byte header count)
            return cached;
        }
        long length;
        if (message.headerBlock != null) {
            length = (long) message.headerBlock.length + message.payload().length;
        }
        else {
            checkHeaderCount(message);
            length = 2;
            for (Map.Entry<String, String> header : message.headers().entrySet()) {
                int keyLength = utf8Length(header.getKey());
                if (keyLength > 0xFFFF) {
                    throw headerNameTooLong(header.getKey());
                }
                length += 2 + keyLength + 4 + utf8Length(header.getValue());
            }
            length += message.payload().length;
        }
        if (length > Integer.MAX_VALUE - 64) {
            throw new IpcMessageTooLargeException("Message of " + length + " bytes is too large to encode");
        }
        message.encodedLength = (int) length; // a message is immutable: senders ask twice (room, then write)
        return (int) length;
    }

    /** Encodes into a new array. */
    public static byte[] encode(IpcMessage message) {
        byte[] out = new byte[encodedLength(message)];
        encode(message, ByteBuffer.wrap(out));
        return out;
    }

    /**
     * Encodes at the buffer's position, which advances by {@link #encodedLength}; the buffer's
     * byte order is left as it was.
     *
     * @throws java.nio.BufferOverflowException when the buffer has less room than that; nothing
     *         is written then
     */
    public static void encode(IpcMessage message, ByteBuffer target) {
        checkHeaderCount(message);
        if (target.remaining() < encodedLength(message)) {
            throw new BufferOverflowException();
        }
        target.position(encodeAt(message, target, target.position()));
    }

    /**
     * Encodes at index {@code at} of {@code target}, leaving its position, limit and byte order
     * alone, so a writer into a shared buffer (a queue's mapped ring) needs no duplicate of it
     * per message.
     *
     * @return the index after the envelope, {@code at + encodedLength(message)}
     * @throws IndexOutOfBoundsException when the envelope does not fit below the limit
     */
    public static int encodeAt(IpcMessage message, ByteBuffer target, int at) {
        checkHeaderCount(message);
        int length = encodedLength(message);
        if (at < 0 || at > target.limit() - length) {
            throw new IndexOutOfBoundsException("An envelope of " + length + " bytes does not fit at index " + at
                    + " of a buffer with limit " + target.limit());
        }
        byte[] block = message.headerBlock;
        if (block != null) {
            target.put(at, block);
            at += block.length;
        }
        else {
            at = encodeHeadersAt(message, target, at);
        }
        byte[] payload = message.payload();
        target.put(at, payload);
        return at + payload.length;
    }

    /**
     * The header block of {@code message} (header count, then each header), encoded once and
     * kept on the message, for messages that share its headers.
     */
    static byte[] headerBlock(IpcMessage message) {
        if (message.headerBlock != null) {
            return message.headerBlock;
        }
        byte[] block = message.ownHeaderBlock;
        if (block == null) {
            checkHeaderCount(message);
            block = new byte[encodedLength(message) - message.payload().length];
            encodeHeadersAt(message, ByteBuffer.wrap(block), 0);
            message.ownHeaderBlock = block; // two threads at once make the same bytes
        }
        return block;
    }

    private static int encodeHeadersAt(IpcMessage message, ByteBuffer target, int at) {
        SHORT.set(target, at, (short) message.headers().size());
        at += 2;
        for (Map.Entry<String, String> header : message.headers().entrySet()) {
            String key = header.getKey();
            if (isAscii(key)) {
                if (key.length() > 0xFFFF) {
                    throw headerNameTooLong(key);
                }
                SHORT.set(target, at, (short) key.length());
                at = putAscii(target, at + 2, key);
            }
            else {
                byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
                if (bytes.length > 0xFFFF) {
                    throw headerNameTooLong(key);
                }
                SHORT.set(target, at, (short) bytes.length);
                target.put(at + 2, bytes);
                at += 2 + bytes.length;
            }
            String value = header.getValue();
            if (isAscii(value)) {
                INT.set(target, at, value.length());
                at = putAscii(target, at + 4, value);
            }
            else {
                byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
                INT.set(target, at, bytes.length);
                target.put(at + 4, bytes);
                at += 4 + bytes.length;
            }
        }
        return at;
    }

    private static IllegalArgumentException headerNameTooLong(String key) {
        return new IllegalArgumentException("Header name longer than 65535 UTF-8 bytes: " + key.substring(0, 64) + "...");
    }

    private static void checkHeaderCount(IpcMessage message) {
        if (message.headers().size() > MAX_HEADERS) {
            throw new IllegalArgumentException("A message may carry at most " + MAX_HEADERS + " headers, not "
                    + message.headers().size());
        }
    }

    // Headers are nearly always ASCII: writing their chars directly allocates nothing.
    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    private static int putAscii(ByteBuffer out, int at, String s) {
        for (int i = 0; i < s.length(); i++) {
            out.put(at + i, (byte) s.charAt(i));
        }
        return at + s.length();
    }

    /** Decodes a whole array. */
    public static IpcMessage decode(byte[] bytes) {
        return decode(ByteBuffer.wrap(bytes));
    }

    /**
     * Decodes the bytes between the buffer's position and limit; the payload is copied out, so
     * the buffer may be reused afterwards.
     *
     * @throws IpcCorruptDataException when a length points outside the bytes given
     */
    public static IpcMessage decode(ByteBuffer source) {
        IpcMessage message = decodeFrom(source.duplicate().order(ByteOrder.LITTLE_ENDIAN));
        source.position(source.limit());
        return message;
    }

    /**
     * Decodes bytes {@code [offset, offset + length)} of {@code source} (absolute; its position,
     * limit and byte order are left alone), so a reader of a shared buffer (a queue's mapped
     * ring) needs no view of its own per message; the payload is copied out.
     *
     * @throws IpcCorruptDataException when a length points outside the bytes given
     * @throws IndexOutOfBoundsException when the range lies outside the buffer's limit
     */
    public static IpcMessage decode(ByteBuffer source, int offset, int length) {
        java.util.Objects.checkFromIndexSize(offset, length, source.limit());
        ByteBuffer in = source.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        in.limit(offset + length).position(offset);
        return decodeFrom(in);
    }

    /** Decodes from {@code in}'s position to its limit; {@code in} is a little-endian view of the caller's own. */
    private static IpcMessage decodeFrom(ByteBuffer in) {
        int headerCount = readUnsignedShort(in, "header count");
        if (headerCount > MAX_HEADERS) {
            throw new IpcCorruptDataException("Envelope announces " + headerCount + " headers; at most "
                    + MAX_HEADERS + " are allowed");
        }
        if (headerCount == 1) { // the usual case (a content type): no map to grow, no decoder array
            String key = readString(in, readUnsignedShort(in, "header name length"), null, null);
            String value = readString(in, readValueLength(in, key), null, key);
            return IpcMessage.ofImmutable(Collections.singletonMap(key, value), readPayload(in));
        }
        Map<String, String> headers = new LinkedHashMap<>(Math.max(4, headerCount * 2));
        CharsetDecoder[] decoder = new CharsetDecoder[1]; // made only for non-ASCII text
        for (int i = 0; i < headerCount; i++) {
            int keyLength = readUnsignedShort(in, "header name length");
            String key = readString(in, keyLength, decoder, null);
            headers.put(key, readString(in, readValueLength(in, key), decoder, key));
        }
        return IpcMessage.ofOwned(headers, readPayload(in));
    }

    private static int readValueLength(ByteBuffer in, String key) {
        if (in.remaining() < 4) {
            throw truncated("header value length");
        }
        int valueLength = in.getInt();
        if (valueLength < 0) {
            throw new IpcCorruptDataException("Envelope header '" + key + "' has a negative length");
        }
        return valueLength;
    }

    private static byte[] readPayload(ByteBuffer in) {
        byte[] payload = new byte[in.remaining()];
        in.get(payload);
        return payload;
    }

    private static int readUnsignedShort(ByteBuffer in, String what) {
        if (in.remaining() < 2) {
            throw truncated(what);
        }
        return Short.toUnsignedInt(in.getShort());
    }

    /**
     * Reads a header name ({@code headerKey} null) or the value of header {@code headerKey}; the
     * text naming it in an error is only built for the error (not per message).
     */
    private static String readString(ByteBuffer in, int length, CharsetDecoder[] decoder, String headerKey) {
        if (in.remaining() < length) {
            throw truncated(describe(headerKey));
        }
        int start = in.position();
        String known = WellKnownText.match(in, start, length);
        if (known != null) {
            in.position(start + length);
            return known;
        }
        if (in.hasArray()) {
            byte[] array = in.array();
            int offset = in.arrayOffset() + start;
            if (isAscii(array, offset, length)) {
                in.position(start + length);
                // ISO-8859-1 of ASCII bytes is the same text, and the JDK copies it without decoding
                return new String(array, offset, length, StandardCharsets.ISO_8859_1);
            }
        }
        else if (length <= MAX_COPIED_TEXT) {
            // a direct or read-only buffer (a queue record): copy out, then as above
            byte[] bytes = new byte[length];
            in.get(start, bytes);
            if (isAscii(bytes, 0, length)) {
                in.position(start + length);
                return new String(bytes, StandardCharsets.ISO_8859_1);
            }
        }
        ByteBuffer slice = in.slice();
        slice.limit(length);
        in.position(start + length);
        try {
            if (decoder == null) { // one text to decode: no decoder to keep for the next
                decoder = new CharsetDecoder[1];
            }
            if (decoder[0] == null) {
                decoder[0] = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT);
            }
            return decoder[0].reset().decode(slice).toString();
        }
        catch (CharacterCodingException ex) {
            throw new IpcCorruptDataException("Envelope " + describe(headerKey) + " is not valid UTF-8", ex);
        }
    }

    private static String describe(String headerKey) {
        return headerKey == null ? "header name" : "value of header '" + headerKey + "'";
    }

    private static boolean isAscii(byte[] bytes, int offset, int length) {
        for (int i = offset, end = offset + length; i < end; i++) {
            if (bytes[i] < 0) {
                return false;
            }
        }
        return true;
    }

    private static IpcCorruptDataException truncated(String what) {
        return new IpcCorruptDataException("Envelope is truncated: it ends inside the " + what);
    }

    private static int utf8Length(String s) {
        int length = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                length += 1;
            }
            else if (c < 0x800) {
                length += 2;
            }
            else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                length += 4;
                i++;
            }
            else if (Character.isSurrogate(c)) {
                length += 1; // String.getBytes(UTF_8) replaces a lone surrogate with '?'
            }
            else {
                length += 3;
            }
        }
        return length;
    }
}

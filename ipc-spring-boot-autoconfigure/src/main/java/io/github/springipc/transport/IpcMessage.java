package io.github.springipc.transport;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One message as the transports carry it: string headers and an opaque payload. The messaging
 * layer maps Spring {@code Message}s onto it; {@link IpcMessageCodec} puts it into bytes.
 *
 * <p>Instances are immutable. The payload array is not copied: callers must not change it after
 * handing it over.
 */
public final class IpcMessage {

    /** Header naming the id a request carries and its reply echoes. */
    public static final String CORRELATION_ID = "ipc_correlationId";

    /** Header present on a request: the sender waits for a reply. */
    public static final String REPLY_TO = "ipc_replyTo";

    /** Header with the MIME type of the payload, e.g. {@code application/json}. */
    public static final String CONTENT_TYPE = "contentType";

    private static final byte[] EMPTY = new byte[0];

    private final Map<String, String> headers;

    private final byte[] payload;

    /**
     * {@link IpcMessageCodec#encodedLength} once computed, else 0 (never a real length, so a
     * thread that sees the message before this field is written just computes it again).
     */
    int encodedLength;

    /**
     * The encoded header block (count and headers) this message shares with the message it was
     * {@linkplain #withPayload made from}; else {@code null} (encoded per write). Final, so that
     * its bytes are visible to any thread that sees the message.
     */
    final byte[] headerBlock;

    /** This message's own header block, once a {@link #withPayload} call encoded it. */
    volatile byte[] ownHeaderBlock;

    private IpcMessage(Map<String, String> headers, byte[] payload) {
        this(headers, payload, null);
    }

    private IpcMessage(Map<String, String> headers, byte[] payload, byte[] headerBlock) {
        this.headers = headers;
        this.payload = payload;
        this.headerBlock = headerBlock;
    }

    /** A message with the given headers (copied) and payload (not copied). */
    public static IpcMessage of(Map<String, String> headers, byte[] payload) {
        Objects.requireNonNull(headers, "headers");
        return new IpcMessage(Collections.unmodifiableMap(new LinkedHashMap<>(headers)),
                payload == null ? EMPTY : payload);
    }

    /**
     * A message that takes {@code headers} as they are, for the codec, which made the map for it
     * and never touches it again.
     */
    static IpcMessage ofOwned(Map<String, String> headers, byte[] payload) {
        return new IpcMessage(Collections.unmodifiableMap(headers), payload == null ? EMPTY : payload);
    }

    /** A message that takes {@code headers}, already immutable, as they are; for the codec. */
    static IpcMessage ofImmutable(Map<String, String> headers, byte[] payload) {
        return new IpcMessage(headers, payload == null ? EMPTY : payload);
    }

    /** A message without headers. */
    public static IpcMessage of(byte[] payload) {
        return new IpcMessage(Map.of(), payload == null ? EMPTY : payload);
    }

    /** Headers in the order they were given; never {@code null}. */
    public Map<String, String> headers() {
        return this.headers;
    }

    /** One header, or {@code null}. */
    public String header(String name) {
        return this.headers.get(name);
    }

    /** The payload; not a copy. */
    public byte[] payload() {
        return this.payload;
    }

    /**
     * A message with this message's headers and another payload. The headers are shared, not
     * copied (both messages are immutable), and so is their encoded form: a sender that stamps
     * many payloads with the same headers builds and encodes them once.
     *
     * @throws IllegalArgumentException when the headers can not be encoded (more than
     *         {@link IpcMessageCodec#MAX_HEADERS}, or a name longer than 65535 bytes); other
     *         messages report that when they are sent
     */
    public IpcMessage withPayload(byte[] payload) {
        // the headers are encoded once, here, for every message stamped from this one
        return new IpcMessage(this.headers, payload == null ? EMPTY : payload, IpcMessageCodec.headerBlock(this));
    }

    /** A copy of this message with one header added or replaced. */
    public IpcMessage withHeader(String name, String value) {
        Map<String, String> copy = new LinkedHashMap<>(this.headers);
        copy.put(name, value);
        return new IpcMessage(Collections.unmodifiableMap(copy), this.payload);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof IpcMessage that && this.headers.equals(that.headers)
                && Arrays.equals(this.payload, that.payload);
    }

    @Override
    public int hashCode() {
        return 31 * this.headers.hashCode() + Arrays.hashCode(this.payload);
    }

    @Override
    public String toString() {
        return "IpcMessage[headers=" + this.headers + ", payload=" + this.payload.length + " bytes]";
    }
}

package io.github.springipc.transport.shm;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * Raw bytes in a shared-memory region, for bulk data. Copies are plain memory copies with no
 * ordering or atomicity between processes: coordinate writers and readers with a
 * {@link SharedLock}, a {@link SharedLong} flag written with {@code setRelease} and read with
 * {@code getAcquire}, or use a {@link SharedSnapshot} for records that must not be seen half
 * written.
 *
 * <pre>{@code
 * SharedBytes frame = region.bytes("frame", 1 << 20);
 * frame.put(0, pixels, 0, pixels.length);
 * }</pre>
 *
 * <p>Positions are relative to the start of the slot and checked against {@link #length()}.
 */
public final class SharedBytes {

    private final String name;

    private final ByteBuffer buffer;

    private final int offset;

    private final int length;

    SharedBytes(String name, ByteBuffer buffer, int offset, int length) {
        this.name = name;
        this.buffer = buffer;
        this.offset = offset;
        this.length = length;
    }

    /** The slot's name. */
    public String name() {
        return this.name;
    }

    /** The slot's size in bytes. */
    public int length() {
        return this.length;
    }

    /** The byte at {@code position}. */
    public byte get(int position) {
        return this.buffer.get(this.offset + Objects.checkIndex(position, this.length));
    }

    /** Writes one byte at {@code position}. */
    public void put(int position, byte value) {
        this.buffer.put(this.offset + Objects.checkIndex(position, this.length), value);
    }

    /** Copies {@code length} bytes from the slot at {@code position} into {@code target[targetOffset..]}. */
    public void get(int position, byte[] target, int targetOffset, int length) {
        Objects.checkFromIndexSize(position, length, this.length);
        this.buffer.get(this.offset + position, target, targetOffset, length);
    }

    /** Copies all of {@code source} into the slot at {@code position}. */
    public void put(int position, byte[] source) {
        put(position, source, 0, source.length);
    }

    /** Copies {@code source[sourceOffset..sourceOffset+length)} into the slot at {@code position}. */
    public void put(int position, byte[] source, int sourceOffset, int length) {
        Objects.checkFromIndexSize(position, length, this.length);
        this.buffer.put(this.offset + position, source, sourceOffset, length);
    }

    /**
     * Copies bytes from the slot at {@code position} into {@code target}, as many as it has
     * remaining, and advances its position.
     */
    public void get(int position, ByteBuffer target) {
        int count = target.remaining();
        Objects.checkFromIndexSize(position, count, this.length);
        target.put(target.position(), this.buffer, this.offset + position, count);
        target.position(target.position() + count);
    }

    /** Copies the remaining bytes of {@code source} into the slot at {@code position}, and advances its position. */
    public void put(int position, ByteBuffer source) {
        int count = source.remaining();
        Objects.checkFromIndexSize(position, count, this.length);
        this.buffer.put(this.offset + position, source, source.position(), count);
        source.position(source.position() + count);
    }

    /** A copy of the whole slot. */
    public byte[] toByteArray() {
        byte[] copy = new byte[this.length];
        get(0, copy, 0, this.length);
        return copy;
    }

    @Override
    public String toString() {
        return "SharedBytes[" + this.name + ", " + this.length + " bytes]";
    }
}

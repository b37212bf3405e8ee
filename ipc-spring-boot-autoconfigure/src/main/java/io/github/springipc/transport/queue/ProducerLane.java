package io.github.springipc.transport.queue;

/**
 * One producer lane of an attachment: where its claims are announced (an intent pair in the
 * slot, see {@link QueueLayout}) and the producer-side caches of whichever thread writes through
 * it. One thread at a time writes through a lane ({@link ProducerLanes} decides which), so the
 * caches are plain fields.
 */
final class ProducerLane {

    /** Buffer offset of the lane's intentPosition. */
    final int intentPositionOffset;

    /** Buffer offset of the lane's intentLength. */
    final int intentLengthOffset;

    /** Last head seen; only grows stale-low, so it can only under-estimate room. */
    long cachedHead;

    /** The intent length last stored (same-sized messages skip the store). */
    long lastIntentLength = -1;

    /** Lane {@code number} (0 or 1) of {@code slot}. */
    ProducerLane(int slot, int number) {
        int base = QueueLayout.slotOffset(slot);
        this.intentPositionOffset = base + QueueLayout.intentPositionField(number);
        this.intentLengthOffset = base + QueueLayout.intentLengthField(number);
    }
}

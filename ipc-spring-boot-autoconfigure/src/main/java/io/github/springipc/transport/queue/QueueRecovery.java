package io.github.springipc.transport.queue;

import static io.github.springipc.transport.queue.QueueLayout.*;

import java.nio.file.Path;

import io.github.springipc.transport.file.LockFile;
import io.github.springipc.transport.file.LockFile.HeldByte;
import io.github.springipc.transport.liveness.ProcessIdentity;

/**
 * Cleans up after processes that died while attached to a queue. A slot's owner is dead when
 * its byte of the lock file can be locked (the kernel dropped the owner's lock) and its recorded
 * process is not running; the cleaner holds that lock while it works, so no new owner can take
 * the slot under it and two cleaners never work on one slot.
 *
 * <p>For a dead slot it: finishes the owner's half-done reclaim, pads over the record the owner
 * was writing, makes the records it had claimed available again with one more attempt, removes
 * its doorbell and frees the slot.
 */
final class QueueRecovery {

    private final QueueRing ring;

    private final LockFile locks;

    private final Path directory;

    private final String name;

    QueueRecovery(QueueRing ring, LockFile locks, Path directory, String name) {
        this.ring = ring;
        this.locks = locks;
        this.directory = directory;
        this.name = name;
    }

    /** Checks every occupied slot but {@code ownSlot} and recovers the dead ones. */
    int recoverDeadPeers(int ownSlot) {
        int recovered = 0;
        for (int slot = 0; slot < this.ring.slotCount; slot++) {
            if (slot == ownSlot || this.ring.slotLong(slot, SLOT_PID) == 0 || this.locks.isHeldHere(slot)) {
                continue;
            }
            HeldByte lock = this.locks.tryHold(slot);
            if (lock == null) {
                continue; // alive
            }
            try {
                if (ownerStillRuns(slot)) {
                    continue; // lock file replaced under a live owner: never take its messages
                }
                if (recoverSlot(slot)) {
                    recovered++;
                }
            }
            finally {
                lock.release();
            }
        }
        return recovered;
    }

    private boolean ownerStillRuns(int slot) {
        long pid = this.ring.slotLong(slot, SLOT_PID);
        if (pid == 0 || pid == ProcessIdentity.current().pid()) {
            return false; // a leaked attachment of this very JVM, or freed meanwhile
        }
        return new ProcessIdentity(pid, this.ring.slotLong(slot, SLOT_START)).isAlive();
    }

    /**
     * Recovers one slot whose lock the caller holds. Frees the slot only when everything was
     * settled; otherwise (a live process is in the middle of something) a later pass retries.
     *
     * @return whether the slot was freed
     */
    boolean recoverSlot(int slot) {
        if (this.ring.slotLong(slot, SLOT_PID) == 0) {
            return true;
        }
        finishReclaim(slot);
        boolean complete = padUnpublished(slot);
        complete &= returnClaims(slot);
        if (!complete) {
            return false;
        }
        int waiters = this.ring.slotInt(slot, SLOT_WAITERS);
        if (waiters > 0) {
            this.ring.addSlotInt(slot, SLOT_WAITERS, -waiters);
            this.ring.addCounter(WAITERS_OFFSET, -waiters);
        }
        if ((this.ring.slotInt(slot, SLOT_ROLE) & ROLE_DOORBELL) != 0) {
            Doorbell.deleteSocketFile(Doorbell.path(this.directory, this.name, slot));
        }
        this.ring.setSlotInt(slot, SLOT_ROLE, 0);
        this.ring.setSlotLong(slot, SLOT_INTENT_POSITION, -1);
        this.ring.setSlotLong(slot, SLOT_LANE1_INTENT_POSITION, -1);
        this.ring.setSlotLong(slot, SLOT_CLAIM_FROM, -1);
        this.ring.setSlotLong(slot, SLOT_HELD_FROM, -1);
        this.ring.setSlotLong(slot, SLOT_RECLAIM_FROM, -1);
        this.ring.setSlotLong(slot, SLOT_PID, 0);
        return true;
    }

    /**
     * Finishes or undoes the reclaim a dead slot was making. The reclaimer announces the head
     * position ({@code reclaimFrom}) before it marks the record there, and records the span
     * ({@code reclaimTo}) once the mark is known to be on the head record (see
     * {@code QueueRing.reclaim}). So: with the span recorded and the head still there, zero the
     * span and move the head; otherwise a mark of this slot at the announced offset, whichever lap
     * it landed on, is put back to the state it replaced.
     */
    private void finishReclaim(int slot) {
        long head = this.ring.head();
        long from = this.ring.slotLong(slot, SLOT_RECLAIM_FROM);
        if (from < 0) {
            return; // not reclaiming: a reclaimer announces before it marks
        }
        long to = this.ring.slotLong(slot, SLOT_RECLAIM_TO);
        if (to >= 0 && from == head) {
            this.ring.finishReclaim(from, to);
        }
        else {
            unmark(slot, from);
        }
    }

    /**
     * Puts back what a dead reclaimer's mark at the offset of {@code position} replaced: a record
     * state, or (a lapped mark that landed inside a later record's payload) 8 payload bytes. Only
     * this slot's exact mark is touched: a payload never holds one by chance.
     */
    private void unmark(int slot, long position) {
        long word = this.ring.state(position);
        int epoch = (int) this.ring.slotLong(slot, SLOT_EPOCH);
        if (kind(word) == RECLAIMING && slotOf(word) == slot && epochOf(word) == epoch
                && QueueRing.settled(priorOf(word))) {
            this.ring.casState(position, word, priorOf(word));
        }
    }


    /** Turns what the dead producer claimed but did not publish (if anything) into padding, lane by lane. */
    private boolean padUnpublished(int slot) {
        boolean complete = true;
        for (int lane = 0; lane < PRODUCER_LANES; lane++) {
            complete &= padUnpublished(slot, lane);
        }
        return complete;
    }

    /**
     * Pads over the claim that the intent of one lane of a dead slot names, if it was claimed
     * and not published. Unpublished records are never behind the dispatch cursor; an EMPTY
     * record behind it is a published one that a reclaimer is zeroing right now, never to be
     * written over.
     */
    private boolean padUnpublished(int slot, int lane) {
        long position = this.ring.slotLong(slot, intentPositionField(lane));
        if (position < 0) {
            return true;
        }
        long intent = this.ring.slotLong(slot, intentLengthField(lane));
        long length = intent & ~INTENT_RUN;
        if ((intent & INTENT_RUN) != 0) {
            // its first records may be consumed and reclaimed while later ones are not published
            return position + length <= this.ring.head() || padRun(position, position + length);
        }
        if (position < this.ring.head() || position >= this.ring.tail()) {
            return true; // consumed long ago, or its claim never happened
        }
        if ((position & (RECORD_ALIGNMENT - 1)) != 0) {
            this.ring.countCorrupt(); // no record starts there: a corrupt slot, nothing to pad
            return true;
        }
        long state = this.ring.state(position);
        if (kind(state) != EMPTY) {
            return true; // published, or someone else's record
        }
        if (position < this.ring.dispatch()) {
            return false; // published and being reclaimed: look again on the next pass
        }
        return padClaim(slot, lane, position, length);
    }

    /**
     * Pads over the unpublished claim at {@code position}, which the intent of a dead lane
     * names with {@code length}. Whose claim it is: a tail CAS that lost names its position in
     * the intent until the loser retries, so intents of several lanes (of one slot, or of slots
     * that died together) may name one position, and only one of them won it. The winner is,
     * in this order: a live producer's (wait for it); the one whose intent has the run flag (set
     * after its CAS: pad its span as a run); the one whose header is written (only the winner
     * writes at the position: its size is in word 0); the only size named; the smallest that
     * ends at a record boundary ({@link #winnerSize}).
     */
    private boolean padClaim(int slot, int lane, long position, long length) {
        long[] lengths = new long[this.ring.slotCount * PRODUCER_LANES];
        int named = 0;
        for (int other = 0; other < this.ring.slotCount; other++) {
            if (other != slot && this.ring.slotLong(other, SLOT_PID) == 0) {
                continue;
            }
            for (int otherLane = 0; otherLane < PRODUCER_LANES; otherLane++) {
                if ((other == slot && otherLane == lane)
                        || this.ring.slotLong(other, intentPositionField(otherLane)) != position) {
                    continue;
                }
                if (other != slot && this.locks.isHeld(other)) {
                    return false; // a live producer names it: it won, or its CAS is about to fail
                }
                long intent = this.ring.slotLong(other, intentLengthField(otherLane));
                if ((intent & INTENT_RUN) != 0) {
                    return padRun(position, position + (intent & ~INTENT_RUN));
                }
                lengths[named++] = intent;
            }
        }
        long size = length;
        long word = this.ring.word0(position);
        if (word != 0) {
            size = this.ring.sizeOf(word, position);
        }
        else if (named > 0 && !allEqual(lengths, named, length)) {
            size = winnerSize(position, length, lengths, named);
            if (size == 0) {
                return false;
            }
        }
        if (size < RECORD_HEADER_LENGTH || (size & (RECORD_ALIGNMENT - 1)) != 0
                || size > this.ring.capacity - (position & this.ring.mask)) {
            this.ring.countCorrupt();
            return true;
        }
        this.ring.pad(position, (int) size);
        return true;
    }

    private static boolean allEqual(long[] lengths, int count, long length) {
        for (int i = 0; i < count; i++) {
            if (lengths[i] != length) {
                return false;
            }
        }
        return true;
    }

    /**
     * Among claims of different sizes at {@code position}, none with its header written: the
     * smallest that ends at a record boundary, or 0 when none does yet. A boundary is the tail,
     * a written record header, or a position some intent names (intents name tail values, and
     * the tail only ever stands at boundaries). The winner's end is always one (whoever claimed
     * after it names it in its intent until its header is written); a smaller claim ends inside
     * the winner's space, which is zero and was never the tail.
     */
    private long winnerSize(long position, long length, long[] lengths, int count) {
        long best = 0;
        long tail = this.ring.tail();
        for (int i = -1; i < count; i++) {
            long size = i < 0 ? length : lengths[i];
            if ((best == 0 || size < best) && position + size <= tail && isBoundary(position + size, tail)) {
                best = size;
            }
        }
        return best;
    }

    private boolean isBoundary(long position, long tail) {
        if (position == tail || this.ring.sizeOf(this.ring.word0(position), position) > 0) {
            return true;
        }
        for (int slot = 0; slot < this.ring.slotCount; slot++) {
            for (int lane = 0; lane < PRODUCER_LANES; lane++) {
                if (this.ring.slotLong(slot, intentPositionField(lane)) == position) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * A dead producer's run {@code [from, to)}, known to be its own: keeps the records it
     * published (in order, so everything after the first unpublished one is unpublished too)
     * and pads over the rest with one padding record.
     */
    private boolean padRun(long from, long to) {
        long position = from;
        while (position < to) {
            long word = this.ring.word0(position);
            long state = this.ring.state(position);
            long head = this.ring.head();
            if (head > position) {
                position = head; // reclaimed under us
                continue;
            }
            if (kind(state) == EMPTY) {
                if (position < this.ring.dispatch()) {
                    return false; // published and being reclaimed: look again on the next pass
                }
                this.ring.pad(position, (int) (to - position));
                return true;
            }
            int size = this.ring.sizeOf(word, position);
            if (size < 0) {
                this.ring.countCorrupt();
                return true;
            }
            position += size;
        }
        return true;
    }

    /**
     * Makes the dead slot's claims available again: records stamped CLAIMED by it, and records
     * it had won at the dispatch cursor without stamps (AVAILABLE with attempt 1 behind the
     * cursor, inside its claim span or held span, and inside no live consumer's span).
     */
    private boolean returnClaims(int slot) {
        long claimFrom = this.ring.slotLong(slot, SLOT_CLAIM_FROM);
        long claimTo = this.ring.slotLong(slot, SLOT_CLAIM_TO);
        long heldFrom = this.ring.slotLong(slot, SLOT_HELD_FROM);
        long heldTo = this.ring.slotLong(slot, SLOT_HELD_TO);
        long dispatch = this.ring.dispatch();
        long position = this.ring.head();
        int returned = 0;
        boolean complete = true;
        while (position < dispatch) {
            long word = this.ring.word0(position);
            long state = this.ring.state(position);
            long head = this.ring.head();
            if (head > position) {
                position = head;
                continue;
            }
            int size = this.ring.sizeOf(word, position);
            if (size < 0) {
                complete = false; // a live reclaim in progress at the head: try again later
                break;
            }
            int kind = kind(state);
            if (kind == CLAIMED && slotOf(state) == slot) {
                if (!this.ring.casState(position, state, available(attempt(state) + 1))) {
                    continue;
                }
                returned++;
            }
            else if (kind == AVAILABLE && attempt(state) == 1
                    && (within(position, claimFrom, claimTo) || within(position, heldFrom, heldTo))
                    && !coveredByLiveClaim(slot, position)) {
                if (!this.ring.casState(position, state, available(2))) {
                    continue;
                }
                returned++;
            }
            position += size;
        }
        if (returned > 0) {
            this.ring.requestRedelivery();
        }
        return complete;
    }

    private static boolean within(long position, long from, long to) {
        return from >= 0 && position >= from && position < to;
    }

    private boolean coveredByLiveClaim(int deadSlot, long position) {
        for (int other = 0; other < this.ring.slotCount; other++) {
            if (other == deadSlot) {
                continue;
            }
            boolean covered = within(position, this.ring.slotLong(other, SLOT_CLAIM_FROM),
                    this.ring.slotLong(other, SLOT_CLAIM_TO))
                    || within(position, this.ring.slotLong(other, SLOT_HELD_FROM), this.ring.slotLong(other, SLOT_HELD_TO));
            if (covered && this.locks.isHeld(other)) {
                return true;
            }
        }
        return false;
    }
}

package dev.sonde.probe.object;

import java.util.Arrays;

/**
 * The objects of one hit on one execution slot and their handles ({@link HandleLayout}).
 *
 * <p>Assumptions: one table per slot; only the thread holding the slot touches it (the slot's
 * claim and release order one holder's writes before the next holder's reads, see
 * {@code ExecutionSlots}), so nothing here is synchronised. The trampoline adds the hit's objects
 * before its programs run and calls {@link #clear} when the hit ends.
 *
 * <p>Guarantees: {@link #handleOf} and {@link #resolve} never allocate or throw. After
 * {@link #clear} the table holds no reference (nothing of the hit stays reachable, nothing is held
 * from the GC) and every handle it gave out resolves to nothing, because both the count and the hit
 * tag changed.
 */
public final class ObjectTable {
    /** Objects one hit can name: 255 parameter slots at most, {@code this}, the return value. */
    public static final int CAPACITY = HandleLayout.INDEX_LIMIT;

    private final Object[] refs = new Object[CAPACITY];
    private int count;
    private int tag;
    private final int step;
    /** The largest multiple of {@code step} not above 2^22: tags stay ≡ slot (mod step) across wraps. */
    private final int limit;
    private final int first;

    /** The table of slot {@code slot} of {@code slots}. */
    public ObjectTable(int slot, int slots) {
        if (slots < 1 || slots > HandleLayout.HIT_TAG_LIMIT || slot < 0 || slot >= slots) {
            throw new IllegalArgumentException("slot " + slot + " of " + slots);
        }
        this.first = slot;
        this.step = slots;
        this.limit = HandleLayout.HIT_TAG_LIMIT - HandleLayout.HIT_TAG_LIMIT % slots;
        this.tag = slot;
    }

    /**
     * The handle of {@code o} for this hit: 0 for null, and 0 when the table is full (the program
     * then sees null, which it must handle anyway). The same object added twice gets two handles.
     */
    public long handleOf(Object o) {
        if (o == null || count == CAPACITY) {
            return 0;
        }
        refs[count] = o;
        return HandleLayout.handle(tag, count++);
    }

    /** The object {@code handle} names in the current hit (its offset is ignored), or null. */
    public Object resolve(long handle) {
        if (!HandleLayout.isHandle(handle) || HandleLayout.hitTag(handle) != tag) {
            return null;
        }
        int i = HandleLayout.index(handle);
        return i < count ? refs[i] : null;
    }

    /** Ends the hit: drops every reference and retires its tag. */
    public void clear() {
        Arrays.fill(refs, 0, count, null);
        count = 0;
        int next = tag + step;
        tag = next >= limit ? first : next;
    }

    public int size() {
        return count;
    }

    /** The tag of the current hit (for tests). */
    int tag() {
        return tag;
    }
}

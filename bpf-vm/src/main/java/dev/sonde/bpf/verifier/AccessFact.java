package dev.sonde.bpf.verifier;

/**
 * What the verifier proved about one load, store or atomic, over every path that reaches it.
 *
 * @param kind     the region kind of the base pointer ({@link PointerKind#MIXED} when paths differ)
 * @param region   map index, caller-memory index, or for the stack the frame relative to the
 *                 accessing function (0 = its own frame, -1 = its caller's…); -1 when mixed
 * @param minOff   lowest start offset of the access in the region (stack: from the frame's
 *                 bottom, so r10-8 is 504)
 * @param maxOff   highest start offset
 * @param size     access width in bytes
 * @param inBounds every access lies inside its region with the needed permission (true in
 *                 accepted programs for every kind but MIXED; the JIT may drop its run-time check)
 * @param write    the instruction stores (stores and atomics)
 */
public record AccessFact(PointerKind kind, int region, long minOff, long maxOff, int size, boolean inBounds,
                         boolean write) {

    /** The offset is the same on every path (for the stack: a fixed slot the JIT can keep in a local). */
    public boolean constantOffset() {
        return minOff == maxOff && kind != PointerKind.MIXED;
    }

    AccessFact merge(AccessFact o) {
        if (o.kind != kind || o.region != region) {
            return new AccessFact(PointerKind.MIXED, -1, Math.min(minOff, o.minOff), Math.max(maxOff, o.maxOff), size,
                false, write);
        }
        return new AccessFact(kind, region, Math.min(minOff, o.minOff), Math.max(maxOff, o.maxOff), size,
            inBounds && o.inBounds, write);
    }
}

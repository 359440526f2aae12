package dev.sonde.bpf.jit;

import dev.sonde.bpf.mem.Addr;
import java.util.Arrays;

/**
 * Facts a verifier proved about memory instructions, the JIT's optional second input: "the access
 * at slot i always lands, with its full size and the permission it needs, inside X", where X is
 * either some stack frame of the running call chain or one given global region (a map value
 * array, a global-data section). At such a slot the JIT emits a plain array access and no check.
 *
 * <p>The JIT trusts these facts completely: a wrong fact is a verifier bug that lets a program
 * read or write outside its region's window (but never outside the region's byte array, which the
 * JVM still bounds-checks). Immutable; {@code with…} returns a changed copy.
 */
public final class AccessProofs {
    /** What is known about one access. */
    public enum Kind {
        /** Nothing: the access is checked at run time, as the interpreter checks it. */
        NONE,
        /** Inside one of the 8 stack frames (which one need not be known). */
        STACK,
        /** Inside the global region {@link #regionId}, which is registered and never changes. */
        REGION
    }

    private static final AccessProofs NONE = new AccessProofs(new byte[0], new int[0]);

    private final byte[] kinds;
    private final int[] regions;

    private AccessProofs(byte[] kinds, int[] regions) {
        this.kinds = kinds;
        this.regions = regions;
    }

    public static AccessProofs none() {
        return NONE;
    }

    /** The access at {@code slot} is proven inside a stack frame. */
    public AccessProofs withStack(int slot) {
        return with(slot, Kind.STACK, 0);
    }

    /** The access at {@code slot} is proven inside global region {@code regionId}. */
    public AccessProofs withRegion(int slot, int regionId) {
        if (regionId < Addr.LOCAL_LIMIT) {
            throw new IllegalArgumentException("region " + regionId + " is per-run, not global");
        }
        return with(slot, Kind.REGION, regionId);
    }

    private AccessProofs with(int slot, Kind kind, int regionId) {
        int n = Math.max(kinds.length, slot + 1);
        byte[] k = Arrays.copyOf(kinds, n);
        int[] r = Arrays.copyOf(regions, n);
        k[slot] = (byte) kind.ordinal();
        r[slot] = regionId;
        return new AccessProofs(k, r);
    }

    public Kind kind(int slot) {
        return slot < kinds.length ? Kind.values()[kinds[slot]] : Kind.NONE;
    }

    /** The region of a {@link Kind#REGION} fact. */
    public int regionId(int slot) {
        return slot < regions.length ? regions[slot] : 0;
    }
}

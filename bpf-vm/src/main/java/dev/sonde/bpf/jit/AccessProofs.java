package dev.sonde.bpf.jit;

import dev.sonde.bpf.mem.Addr;
import java.util.Arrays;

/**
 * Facts a verifier proved about memory instructions, the JIT's optional second input: "the access
 * at slot i always lands, with its full size and the permission it needs, inside X", where X is
 * some stack frame of the running call chain, one given global region (a map value array, a
 * global-data section) or one caller-memory region of the running Cpu. At such a slot the JIT
 * emits a plain array access and no check.
 *
 * <p><b>Entry assumption.</b> A RAW program verified with {@code VerifierConfig.raw(len)} is
 * proven under the assumption that r1 points at the start of caller region 0
 * ({@code Addr.CALLER_0}), r2 is exactly {@code len} and that region has {@code len} bytes. Those
 * facts (its caller-memory facts, and also stack facts whose offsets follow from r2) hold only
 * for runs that meet it, so proofs carrying a {@link #rawEntryLength} make the generated code test
 * it once at entry: r1 == {@code Addr.of(CALLER_0, 0)}, r2 == len, the region bound to at least
 * len bytes with the permissions the proven accesses need ({@link #callerPerms}). A run that does
 * not meet it runs, whole, on the interpreter, with every access checked: same results, slower.
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
        /** Inside the accessing function's own stack frame (a STACK fact whose frame is known). */
        FRAME,
        /** Inside the global region {@link #regionId}, which is registered and never changes. */
        REGION,
        /**
         * Inside caller region 0 ({@code Addr.CALLER_0}, a RAW program's r1), whose window is
         * bound before the run and not re-pointed during it. Only with an entry assumption
         * ({@link #withRawEntry}), which the generated code tests before relying on the fact.
         */
        CALLER
    }

    private static final AccessProofs NONE = new AccessProofs(new byte[0], new int[0], -1, 0);

    private final byte[] kinds;
    private final int[] regions;
    private final int rawLen;
    /** Region.READ / WRITE bits the proven caller accesses need. */
    private final int callerPerms;

    private AccessProofs(byte[] kinds, int[] regions, int rawLen, int callerPerms) {
        this.kinds = kinds;
        this.regions = regions;
        this.rawLen = rawLen;
        this.callerPerms = callerPerms;
    }

    public static AccessProofs none() {
        return NONE;
    }

    /** The access at {@code slot} is proven inside a stack frame. */
    public AccessProofs withStack(int slot) {
        return with(slot, Kind.STACK, 0);
    }

    /** The access at {@code slot} is proven inside the stack frame of the function it is in. */
    public AccessProofs withFrame(int slot) {
        return with(slot, Kind.FRAME, 0);
    }

    /** The access at {@code slot} is proven inside global region {@code regionId}. */
    public AccessProofs withRegion(int slot, int regionId) {
        if (regionId < Addr.LOCAL_LIMIT) {
            throw new IllegalArgumentException("region " + regionId + " is per-run, not global");
        }
        return with(slot, Kind.REGION, regionId);
    }

    /**
     * The access at {@code slot} is proven inside caller region 0 (the memory a RAW program gets
     * in r1); {@code write} says whether it stores (then the region must be writable, else
     * readable). Takes effect only with {@link #withRawEntry}.
     */
    public AccessProofs withCaller(int slot, boolean write) {
        AccessProofs p = with(slot, Kind.CALLER, 0);
        int perm = write ? dev.sonde.bpf.mem.Region.WRITE : dev.sonde.bpf.mem.Region.READ;
        return new AccessProofs(p.kinds, p.regions, rawLen, callerPerms | perm);
    }

    /**
     * Every fact here holds only for runs entered with r1 = {@code Addr.of(CALLER_0, 0)} and
     * r2 = {@code len}, caller region 0 bound to at least {@code len} bytes (the entry state of
     * {@code VerifierConfig.raw(len)}); see the class comment.
     */
    public AccessProofs withRawEntry(int len) {
        if (len < 0) {
            throw new IllegalArgumentException("length " + len);
        }
        return new AccessProofs(kinds, regions, len, callerPerms);
    }

    /** The entry assumption's length, or -1 when the facts hold for every run. */
    public int rawEntryLength() {
        return rawLen;
    }

    /** The permissions (Region.READ, WRITE) the proven accesses need in caller region 0. */
    public int callerPerms() {
        return callerPerms;
    }

    private AccessProofs with(int slot, Kind kind, int regionId) {
        int n = Math.max(kinds.length, slot + 1);
        byte[] k = Arrays.copyOf(kinds, n);
        int[] r = Arrays.copyOf(regions, n);
        k[slot] = (byte) kind.ordinal();
        r[slot] = regionId;
        return new AccessProofs(k, r, rawLen, callerPerms);
    }

    public Kind kind(int slot) {
        if (slot >= kinds.length) {
            return Kind.NONE;
        }
        Kind k = KINDS[kinds[slot]];
        // A caller fact without the entry test that makes it true is no fact.
        return k == Kind.CALLER && rawLen < 0 ? Kind.NONE : k;
    }

    private static final Kind[] KINDS = Kind.values();

    /** The region of a {@link Kind#REGION} fact (0 for the others). */
    public int regionId(int slot) {
        return slot < regions.length ? regions[slot] : 0;
    }
}

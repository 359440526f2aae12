package dev.sonde.bpf.mem;

/**
 * A contiguous range of bytes a program can address: a stack frame, the context, a map's values,
 * a global-data section, a ring buffer's data, caller memory.
 *
 * <p>A region is a window {@code [base, base + size)} into a {@code byte[]}. Regions in the global
 * {@link RegionTable} never change after they are registered (so the JIT may treat them as
 * constants); the per-run regions a {@link dev.sonde.bpf.vm.Cpu} owns (stack frames, context, caller
 * memory) are re-pointed by that Cpu before a run and only by the thread that holds it.
 */
public final class Region {
    public static final int READ = 1;
    public static final int WRITE = 2;
    public static final int READ_WRITE = READ | WRITE;

    /** What the region holds; used in fault messages and by the verifier. */
    public enum Kind { STACK, CONTEXT, CALLER, MAP_VALUE, GLOBAL_DATA, RINGBUF, MAP, CODE, OBJECT }

    public final Kind kind;
    /** Short name for messages: "stack frame 0", ".rodata", "map counts". */
    public final String name;
    byte[] data;
    int base;
    int size;
    int perms;
    /** Whatever owns the region (a map, a program); used by helpers that take a map pointer. */
    Object owner;

    public Region(Kind kind, String name, byte[] data, int base, int size, int perms, Object owner) {
        if (base < 0 || size < 0 || base > data.length - size) {
            throw new IllegalArgumentException("region " + name + " [" + base + ", +" + size
                + ") outside array of " + data.length);
        }
        this.kind = kind;
        this.name = name;
        this.data = data;
        this.base = base;
        this.size = size;
        this.perms = perms;
        this.owner = owner;
    }

    /** An empty, inaccessible region whose window a Cpu sets before each run. */
    public static Region local(Kind kind, String name) {
        return new Region(kind, name, new byte[0], 0, 0, 0, null);
    }

    /** Re-points a per-run region. Only the thread holding the owning Cpu may call it. */
    public void bind(byte[] data, int base, int size, int perms) {
        if (base < 0 || size < 0 || base > data.length - size) {
            throw new IllegalArgumentException("window [" + base + ", +" + size + ") outside array of " + data.length);
        }
        // Compared before stored: a probe hit re-binds the same arrays run after run, and a
        // reference store into this long-lived object costs G1's post-write barrier, whose
        // StoreLoad fence dominates a hit (notes/probe-performance.md).
        if (this.data != data) {
            this.data = data;
        }
        this.base = base;
        this.size = size;
        this.perms = perms;
    }

    /** Makes a per-run region inaccessible again and drops its array (so nothing of the last run stays reachable). */
    public void unbind() {
        if (this.data != EMPTY) {
            this.data = EMPTY;
        }
        this.base = 0;
        this.size = 0;
        this.perms = 0;
    }

    /**
     * Makes a per-run region inaccessible again but keeps a reference to its array, for arrays
     * that belong to the binder anyway (a probe's context image): the next bind of the same array
     * then stores no reference. Nothing can be read or written through the region until it is
     * bound again.
     */
    public void close() {
        this.base = 0;
        this.size = 0;
        this.perms = 0;
    }

    private static final byte[] EMPTY = new byte[0];

    public byte[] data() {
        return data;
    }

    public int base() {
        return base;
    }

    public int size() {
        return size;
    }

    public int perms() {
        return perms;
    }

    public Object owner() {
        return owner;
    }

    public boolean readable() {
        return (perms & READ) != 0;
    }

    public boolean writable() {
        return (perms & WRITE) != 0;
    }

    @Override
    public String toString() {
        return name + "[" + size + (writable() ? ", rw]" : ", ro]");
    }
}

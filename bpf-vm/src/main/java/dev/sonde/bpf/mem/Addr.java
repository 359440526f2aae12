package dev.sonde.bpf.mem;

/**
 * The layout of a program-visible 64-bit address.
 *
 * <pre>
 *  63                32 31                 0
 * +--------------------+--------------------+
 * |     region id      |   byte offset      |
 * +--------------------+--------------------+
 * </pre>
 *
 * Region id 0 is never a region, so no address below 2^32 (in particular 0, NULL) is valid. Ids
 * below {@link #LOCAL_LIMIT} name the per-run regions of the running {@link dev.sonde.bpf.vm.Cpu};
 * the others name entries of the global {@link RegionTable}. An offset is a byte index into the
 * region; pointer arithmetic that leaves the region changes the id or makes the offset exceed the
 * region's size, and the access faults.
 */
public final class Addr {
    private Addr() {
    }

    /** Stack frames 0..7 of the running call chain: region ids 1..8; frame k's r10 is its top. */
    public static final int STACK_FRAME_0 = 1;
    public static final int MAX_FRAMES = 8;
    public static final int FRAME_SIZE = 512;
    /** The context (pt_regs image for probes; caller memory for bare programs). */
    public static final int CONTEXT = STACK_FRAME_0 + MAX_FRAMES;
    /** Extra caller-supplied memory regions (the conformance plugin's r1, helper scratch). */
    public static final int CALLER_0 = CONTEXT + 1;
    public static final int CALLER_COUNT = 4;
    /** Code addresses ({@code lddw src=4}): callable by helpers such as bpf_loop, never loadable. */
    public static final int CODE = 15;
    /** Ids below this are per-run; ids at or above it are global. */
    public static final int LOCAL_LIMIT = 16;

    public static long of(int regionId, int offset) {
        return (long) regionId << 32 | (offset & 0xffffffffL);
    }

    public static int region(long addr) {
        return (int) (addr >>> 32);
    }

    public static int offset(long addr) {
        return (int) addr;
    }

    /** Address of frame {@code k}'s frame pointer: one past its last byte. */
    public static long framePointer(int k) {
        return of(STACK_FRAME_0 + k, FRAME_SIZE);
    }

    public static String format(long addr) {
        return String.format("0x%x (region %d + %d)", addr, region(addr), offset(addr));
    }
}

package dev.sonde.probe.symbol;

/**
 * The layout of a synthetic code address (DESIGN.md §3 "Symbols"): a method, and a bytecode index
 * inside it, as a kernel text address is a function and an offset.
 *
 * <pre>
 *  63 62 61                          32 31            16 15             0
 * +-----+------------------------------+----------------+----------------+
 * | 1 1 |      method id (30)          |    0 (16)      |   bci (16)     |
 * +-----+------------------------------+----------------+----------------+
 *  \_____ region id 0xc000_0001..0xffff_ffff ________/
 * </pre>
 *
 * <p>A method's own address ({@code ip}, {@code bpf_get_func_ip}) has bci 0; a stack frame's
 * address is the method's address plus the frame's bytecode index (a JVM method has at most 65535
 * bytes of code), so {@code address - method address} is the offset {@code sonde} prints, as
 * {@code func+0x1c} in a kernel stack. Method ids start at 1 and are never reused, so no address is
 * 0 and an address means the same method for the JVM's life.
 *
 * <p>Why a program cannot load through one: the region id, read as the {@code int} bpf-vm's
 * {@code Cpu} uses, is negative, which is neither a per-run region (1..15) nor a global one (looked
 * up only for positive ids); the read helpers see no region and no object view
 * ({@code HandleLayout} owns the ids with top bits 1 0) and return -EFAULT.
 */
public final class SymbolLayout {
    private SymbolLayout() {
    }

    public static final long TAG_BITS = 0b11L << 62;
    public static final long TAG_MASK = 0b11L << 62;
    public static final int ID_SHIFT = 32;
    /** Method ids are 1..MAX_ID. */
    public static final int MAX_ID = (1 << 30) - 1;
    public static final int BCI_MASK = 0xffff;
    /** Bits that must be 0 in a valid address. */
    public static final long RESERVED_MASK = 0xffff_0000L;

    /** Region ids of symbols, as bpf-vm's {@code Addr.region} returns them: [FIRST, LAST]. */
    public static final int FIRST_REGION_ID = (int) (TAG_BITS >>> 32) | 1;
    public static final int LAST_REGION_ID = -1;

    public static long address(int methodId, int bci) {
        return TAG_BITS | (long) methodId << ID_SHIFT | (bci & BCI_MASK);
    }

    public static boolean isSymbol(long addr) {
        return (addr & TAG_MASK) == TAG_BITS && (addr & RESERVED_MASK) == 0 && methodId(addr) != 0;
    }

    public static int methodId(long addr) {
        return (int) (addr >>> ID_SHIFT) & MAX_ID;
    }

    public static int bci(long addr) {
        return (int) addr & BCI_MASK;
    }
}

package dev.sonde.bpf.ctx;

/**
 * The context of kprobe programs: an x86-64 {@code struct pt_regs} image, 21 little-endian u64
 * fields, 168 bytes, read-only (DESIGN.md §3). The C declaration is
 * {@code c-lib-bindings/include/sonde/probe.h}; {@code PtRegsLayoutTest} checks that the two agree.
 *
 * <pre>
 *   0 r15    8 r14   16 r13   24 r12 (this)   32 bp    40 bx    48 r11   56 r10
 *  64 r9 (param 6)   72 r8 (param 5)   80 ax (return value / throwable)   88 cx (param 4)
 *  96 dx (param 3)  104 si (param 2)  112 di (param 1)  120 orig_ax  128 ip (method address)
 * 136 cs  144 flags (bit 0: exceptional exit)  152 sp (stack snapshot)  160 ss
 * </pre>
 */
public final class PtRegs {
    private PtRegs() {
    }

    public static final int SIZE = 168;

    public static final int R15 = 0;
    public static final int R14 = 8;
    public static final int R13 = 16;
    public static final int R12 = 24;
    public static final int BP = 32;
    public static final int BX = 40;
    public static final int R11 = 48;
    public static final int R10 = 56;
    public static final int R9 = 64;
    public static final int R8 = 72;
    public static final int AX = 80;
    public static final int CX = 88;
    public static final int DX = 96;
    public static final int SI = 104;
    public static final int DI = 112;
    public static final int ORIG_AX = 120;
    public static final int IP = 128;
    public static final int CS = 136;
    public static final int FLAGS = 144;
    public static final int SP = 152;
    public static final int SS = 160;

    /** Offsets of the registers that carry declared parameters 1..6, in order. */
    private static final int[] PARAMS = {DI, SI, DX, CX, R8, R9};

    /** The offset of declared parameter {@code n} (1-based, n ≤ 6). */
    public static int param(int n) {
        return PARAMS[n - 1];
    }

    /** Number of parameters passed in registers; the rest are in the stack snapshot at sp+8.... */
    public static final int REGISTER_PARAMS = 6;

    /** The field names in layout order, as the C header and the kernel spell them. */
    public static final String[] FIELDS = {"r15", "r14", "r13", "r12", "bp", "bx", "r11", "r10", "r9", "r8", "ax",
        "cx", "dx", "si", "di", "orig_ax", "ip", "cs", "flags", "sp", "ss"};

    /** Flag bit set in {@link #FLAGS} on an exceptional exit. */
    public static final long FLAG_EXCEPTIONAL = 1;

    public static void put(byte[] image, int offset, long value) {
        for (int k = 0; k < 8; k++) {
            image[offset + k] = (byte) (value >>> (8 * k));
        }
    }

    public static long get(byte[] image, int offset) {
        long v = 0;
        for (int k = 7; k >= 0; k--) {
            v = v << 8 | (image[offset + k] & 0xff);
        }
        return v;
    }
}

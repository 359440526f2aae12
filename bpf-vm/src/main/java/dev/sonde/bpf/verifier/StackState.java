package dev.sonde.bpf.verifier;

import java.util.Arrays;

/**
 * The abstract contents of one 512-byte stack frame, byte by byte (Linux's slot_type): never
 * written ({@link #UNINIT}), holding some scalar bytes ({@link #MISC}), known zero ({@link #ZERO}),
 * or part of an 8-byte aligned slot that holds a spilled register ({@link #SPILL}, the register in
 * {@link #spill}). A SPILL slot is always whole: writing part of it turns the rest into MISC if it
 * held a scalar, or UNINIT if it held a pointer, so that no pointer bits are ever read as a number.
 * Offsets are from the frame's bottom: r10 is 512.
 */
final class StackState {
    static final byte UNINIT = 0, MISC = 1, ZERO = 2, SPILL = 3;
    static final int SIZE = 512;

    final byte[] kind;
    final Reg[] spill;

    StackState() {
        kind = new byte[SIZE];
        spill = new Reg[SIZE / 8];
    }

    private StackState(StackState o) {
        kind = o.kind.clone();
        spill = o.spill.clone();
    }

    StackState copy() {
        return new StackState(this);
    }

    /** Stores a whole register into the aligned slot at {@code off}. */
    void spill(int off, Reg r) {
        int slot = off >>> 3;
        Arrays.fill(kind, off, off + 8, SPILL);
        spill[slot] = r;
    }

    /** A store of {@code size} bytes at a known offset; {@code zero} when the value is known 0. */
    void write(int off, int size, boolean zero) {
        breakSpills(off, off + size, true);
        Arrays.fill(kind, off, off + size, zero ? ZERO : MISC);
    }

    /**
     * A store somewhere in [lo, hi) (variable offset): each byte may or may not be written, so a byte
     * keeps a kind only if both outcomes agree with it.
     */
    void writeSomewhere(int lo, int hi, boolean zero) {
        breakSpills(lo, hi, false);
        for (int i = lo; i < hi; i++) {
            if (kind[i] == ZERO && !zero) {
                kind[i] = MISC;
            }
        }
    }

    /** Marks [lo, hi) as written with unknown bytes by a helper. */
    void fill(int lo, int hi) {
        breakSpills(lo, hi, true);
        Arrays.fill(kind, lo, hi, MISC);
    }

    /** Dissolves spilled registers overlapping [lo, hi). {@code surely}: the overlap is written for sure. */
    private void breakSpills(int lo, int hi, boolean surely) {
        for (int slot = lo >>> 3; slot < SIZE / 8 && slot * 8 < hi; slot++) {
            Reg r = spill[slot];
            if (r == null) {
                continue;
            }
            spill[slot] = null;
            byte rest;
            if (r.isScalar()) {
                rest = r.value.isConst(0) ? ZERO : MISC;
            } else {
                rest = UNINIT;
            }
            Arrays.fill(kind, slot * 8, slot * 8 + 8, rest);
            if (!surely && !r.isScalar()) {
                Arrays.fill(kind, slot * 8, slot * 8 + 8, UNINIT);
            }
        }
    }

    /** The spilled register of the aligned slot at {@code off}, or null. */
    Reg spilled(int off) {
        return (off & 7) == 0 ? spill[off >>> 3] : null;
    }

    /** First offset in [lo, hi) that is never written, or -1. */
    int firstUninit(int lo, int hi) {
        for (int i = lo; i < hi; i++) {
            if (kind[i] == UNINIT) {
                return i;
            }
        }
        return -1;
    }

    /** First offset in [lo, hi) that belongs to a spilled pointer, or -1. */
    int firstPointer(int lo, int hi) {
        for (int i = lo; i < hi; i++) {
            if (kind[i] == SPILL && !spill[i >>> 3].isScalar()) {
                return i;
            }
        }
        return -1;
    }

    boolean allZero(int lo, int hi) {
        for (int i = lo; i < hi; i++) {
            if (kind[i] != ZERO && !(kind[i] == SPILL && spill[i >>> 3].value != null
                && spill[i >>> 3].isScalar() && spill[i >>> 3].value.isConst(0))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StackState s && Arrays.equals(kind, s.kind) && Arrays.equals(spill, s.spill);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(kind);
    }

    /** Linux-like: "fp-8=spilled scalar fp-16=mmmmmmmm". */
    String describe() {
        StringBuilder sb = new StringBuilder();
        for (int slot = SIZE / 8 - 1; slot >= 0; slot--) {
            int off = slot * 8;
            if (spill[slot] != null) {
                sb.append(" fp").append(off - SIZE).append('=').append(spill[slot]);
                continue;
            }
            boolean any = false;
            StringBuilder b = new StringBuilder();
            for (int i = off + 7; i >= off; i--) {
                char c = switch (kind[i]) {
                    case MISC -> 'm';
                    case ZERO -> '0';
                    default -> '?';
                };
                any |= c != '?';
                b.append(c);
            }
            if (any) {
                sb.append(" fp").append(off - SIZE).append('=').append(b);
            }
        }
        return sb.toString();
    }
}

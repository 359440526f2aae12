package dev.sonde.bpf.verifier;

/**
 * A tristate number (Linux {@code kernel/bpf/tnum.c}): each bit is known 0, known 1 or unknown.
 * {@code value} holds the known ones, {@code mask} the unknown bits; a bit set in both never
 * occurs. The operations are the kernel's, which are proven sound (Vishwanathan et al., CGO 2022).
 */
record Tnum(long value, long mask) {
    static final Tnum UNKNOWN = new Tnum(0, -1L);
    static final long LOW32 = 0xffffffffL;

    static Tnum constant(long v) {
        return new Tnum(v, 0);
    }

    /** The smallest tnum holding every value of the unsigned range [min, max]. */
    static Tnum range(long min, long max) {
        long chi = min ^ max;
        int bits = 64 - Long.numberOfLeadingZeros(chi);
        if (bits > 63) {
            return UNKNOWN;
        }
        long delta = (1L << bits) - 1;
        return new Tnum(min & ~delta, delta);
    }

    boolean isConst() {
        return mask == 0;
    }

    Tnum add(Tnum b) {
        long sm = mask + b.mask;
        long sv = value + b.value;
        long sigma = sm + sv;
        long chi = sigma ^ sv;
        long mu = chi | mask | b.mask;
        return new Tnum(sv & ~mu, mu);
    }

    Tnum sub(Tnum b) {
        long dv = value - b.value;
        long alpha = dv + mask;
        long beta = dv - b.mask;
        long chi = alpha ^ beta;
        long mu = chi | mask | b.mask;
        return new Tnum(dv & ~mu, mu);
    }

    Tnum and(Tnum b) {
        long alpha = value | mask;
        long beta = b.value | b.mask;
        long v = value & b.value;
        return new Tnum(v, alpha & beta & ~v);
    }

    Tnum or(Tnum b) {
        long v = value | b.value;
        long mu = mask | b.mask;
        return new Tnum(v, mu & ~v);
    }

    Tnum xor(Tnum b) {
        long v = value ^ b.value;
        long mu = mask | b.mask;
        return new Tnum(v & ~mu, mu);
    }

    Tnum mul(Tnum b) {
        Tnum a = this;
        long accV = value * b.value;
        Tnum accM = new Tnum(0, 0);
        while (a.value != 0 || a.mask != 0) {
            if ((a.value & 1) != 0) {
                accM = accM.add(new Tnum(0, b.mask));
            } else if ((a.mask & 1) != 0) {
                accM = accM.add(new Tnum(0, b.value | b.mask));
            }
            a = a.rsh(1);
            b = b.lsh(1);
        }
        return new Tnum(accV, 0).add(accM);
    }

    Tnum lsh(int k) {
        return new Tnum(value << k, mask << k);
    }

    Tnum rsh(int k) {
        return new Tnum(value >>> k, mask >>> k);
    }

    Tnum arsh(int k) {
        return new Tnum(value >> k, mask >> k);
    }

    /** Bits known in either; null when they disagree on a bit both know (no common value). */
    Tnum intersect(Tnum b) {
        if (((value ^ b.value) & ~mask & ~b.mask) != 0) {
            return null;
        }
        long v = value | b.value;
        long mu = mask & b.mask;
        return new Tnum(v & ~mu, mu);
    }

    /** Every value of {@code b} is a value of this. */
    boolean contains(Tnum b) {
        if ((b.mask & ~mask) != 0) {
            return false;
        }
        return value == (b.value & ~mask);
    }

    /** The low 32 bits, zero-extended. */
    Tnum low32() {
        return new Tnum(value & LOW32, mask & LOW32);
    }

    /** The low 32 bits, sign-extended from bit 31. */
    Tnum sext32() {
        return new Tnum((long) (int) value, (long) (int) mask);
    }

    /** Replaces the low 32 bits with {@code low}'s. */
    Tnum withLow32(Tnum low) {
        return new Tnum((value & ~LOW32) | (low.value & LOW32), (mask & ~LOW32) | (low.mask & LOW32));
    }

    long min() {
        return value;
    }

    long max() {
        return value | mask;
    }

    @Override
    public String toString() {
        return mask == 0 ? Long.toString(value) : String.format("(0x%x; 0x%x)", value, mask);
    }
}

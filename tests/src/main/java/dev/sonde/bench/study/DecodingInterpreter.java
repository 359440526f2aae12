package dev.sonde.bench.study;

/**
 * A deliberately rbpf-shaped interpreter, for the study in notes/interpreter.md only: it decodes
 * every instruction from the raw 8-byte slots on every step (opcode, registers, offset, immediate
 * re-read from the byte array, as rbpf's {@code get_insn} does), and optionally checks each load
 * against the input's bounds. It implements just the opcodes the three benchmark kernels use and
 * is not part of Sonde; Sonde's interpreter is {@code dev.sonde.bpf.vm.Interpreter}.
 */
public final class DecodingInterpreter {
    private DecodingInterpreter() {
    }

    /** Runs {@code text} with r1 = the input (address 0 of {@code mem}), r2 = len. */
    public static long run(byte[] text, byte[] mem, int len, boolean checked) {
        long[] r = new long[11];
        byte[] stack = new byte[512];
        final long stackBase = 1L << 32; // r10 - k addresses stack[512 - k]
        r[1] = 0;
        r[2] = len;
        r[10] = stackBase + 512;
        int pc = 0;
        for (;;) {
            int p = pc * 8;
            int op = text[p] & 0xff;
            int dst = text[p + 1] & 0xf;
            int src = (text[p + 1] >>> 4) & 0xf;
            int off = (short) ((text[p + 2] & 0xff) | (text[p + 3] << 8));
            int imm = (text[p + 4] & 0xff) | (text[p + 5] & 0xff) << 8 | (text[p + 6] & 0xff) << 16 | text[p + 7] << 24;
            pc++;
            switch (op) {
                case 0xb7 -> r[dst] = imm;
                case 0xbf -> r[dst] = r[src];
                case 0xb4 -> r[dst] = imm & 0xffffffffL;
                case 0xbc -> r[dst] = r[src] & 0xffffffffL;
                case 0x07 -> r[dst] += imm;
                case 0x0f -> r[dst] += r[src];
                case 0x1f -> r[dst] -= r[src];
                case 0x27 -> r[dst] *= imm;
                case 0x2f -> r[dst] *= r[src];
                case 0x37 -> r[dst] = Long.divideUnsigned(r[dst], imm);
                case 0x67 -> r[dst] <<= imm;
                case 0x77 -> r[dst] >>>= imm;
                case 0x4f -> r[dst] |= r[src];
                case 0xaf -> r[dst] ^= r[src];
                case 0x0c -> r[dst] = (int) r[dst] + (int) r[src] & 0xffffffffL;
                case 0x04 -> r[dst] = (int) r[dst] + imm & 0xffffffffL;
                case 0x64 -> r[dst] = (int) r[dst] << imm & 0xffffffffL;
                case 0x71 -> r[dst] = load(mem, len, stack, stackBase, r[src] + off, 1, checked);
                case 0x61 -> r[dst] = load(mem, len, stack, stackBase, r[src] + off, 4, checked);
                case 0x79 -> r[dst] = load(mem, len, stack, stackBase, r[src] + off, 8, checked);
                case 0x63 -> store(stack, stackBase, r[dst] + off, r[src], 4, checked);
                case 0x7b -> store(stack, stackBase, r[dst] + off, r[src], 8, checked);
                case 0x05 -> pc += off;
                case 0x15 -> { if (r[dst] == imm) pc += off; }
                case 0x55 -> { if (r[dst] != imm) pc += off; }
                case 0x2d -> { if (Long.compareUnsigned(r[dst], r[src]) > 0) pc += off; }
                case 0x25 -> { if (Long.compareUnsigned(r[dst], imm) > 0) pc += off; }
                case 0xa5 -> { if (Long.compareUnsigned(r[dst], imm) < 0) pc += off; }
                case 0xad -> { if (Long.compareUnsigned(r[dst], r[src]) < 0) pc += off; }
                case 0xbd -> { if (Long.compareUnsigned(r[dst], r[src]) <= 0) pc += off; }
                case 0x3d -> { if (Long.compareUnsigned(r[dst], r[src]) >= 0) pc += off; }
                case 0x6d -> { if (r[dst] > r[src]) pc += off; }
                case 0x65 -> { if (r[dst] > imm) pc += off; }
                case 0xc5 -> { if (r[dst] < imm) pc += off; }
                case 0x1d -> { if (r[dst] == r[src]) pc += off; }
                case 0x5d -> { if (r[dst] != r[src]) pc += off; }
                case 0x95 -> {
                    return r[0];
                }
                default -> throw new IllegalStateException(String.format("study interpreter lacks opcode 0x%02x at %d", op, pc - 1));
            }
        }
    }

    private static long load(byte[] mem, int len, byte[] stack, long stackBase, long addr, int size, boolean checked) {
        byte[] a;
        int i;
        if (addr >= stackBase) {
            a = stack;
            i = (int) (addr - stackBase);
            if (checked && (i < 0 || i > 512 - size)) {
                throw new IllegalStateException("stack access out of bounds");
            }
        } else {
            a = mem;
            i = (int) addr;
            if (checked && (addr < 0 || addr > len - size)) {
                throw new IllegalStateException("input access out of bounds");
            }
        }
        long v = 0;
        for (int k = size - 1; k >= 0; k--) {
            v = v << 8 | (a[i + k] & 0xff);
        }
        return v;
    }

    private static void store(byte[] stack, long stackBase, long addr, long v, int size, boolean checked) {
        int i = (int) (addr - stackBase);
        if (checked && (i < 0 || i > 512 - size)) {
            throw new IllegalStateException("stack access out of bounds");
        }
        for (int k = 0; k < size; k++) {
            stack[i + k] = (byte) (v >>> (8 * k));
        }
    }
}

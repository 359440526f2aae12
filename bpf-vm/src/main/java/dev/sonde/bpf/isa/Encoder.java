package dev.sonde.bpf.isa;

import java.util.List;

/** Instructions to bytes: the inverse of {@link Decoder}. */
public final class Encoder {
    private Encoder() {
    }

    /** Writes one instruction (8 or 16 bytes) at {@code p}; returns the number of bytes written. */
    public static int encode(Insn insn, byte[] out, int p) {
        Op op = insn.op();
        int src = op.discr == Op.Discr.SRC ? op.discrValue : insn.src();
        int off = op.discr == Op.Discr.OFF ? op.discrValue : insn.off();
        int imm = op.discr == Op.Discr.IMM ? op.discrValue : (int) insn.imm();
        out[p] = (byte) op.opcode;
        out[p + 1] = (byte) (insn.dst() & 0xf | (src & 0xf) << 4);
        out[p + 2] = (byte) off;
        out[p + 3] = (byte) (off >> 8);
        le32(out, p + 4, imm);
        if (!op.isWide()) {
            return 8;
        }
        for (int i = 8; i < 12; i++) {
            out[p + i] = 0;
        }
        le32(out, p + 12, (int) (insn.imm() >>> 32));
        return 16;
    }

    /** Encodes a program given as its instructions in order (no null slot entries). */
    public static byte[] encode(List<Insn> program) {
        int size = 0;
        for (Insn i : program) {
            size += 8 * i.slots();
        }
        byte[] out = new byte[size];
        int p = 0;
        for (Insn i : program) {
            p += encode(i, out, p);
        }
        return out;
    }

    private static void le32(byte[] b, int p, int v) {
        b[p] = (byte) v;
        b[p + 1] = (byte) (v >> 8);
        b[p + 2] = (byte) (v >> 16);
        b[p + 3] = (byte) (v >> 24);
    }
}

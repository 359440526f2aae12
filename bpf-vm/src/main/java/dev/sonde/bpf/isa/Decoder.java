package dev.sonde.bpf.isa;

/**
 * Bytes to instructions. Checks what the encoding alone can tell: the opcode exists, the
 * discriminating field selects a row, unused fields are zero, registers exist, {@code lddw} has its
 * second slot. Control-flow checks (jump targets, lddw halves) belong to
 * {@link dev.sonde.bpf.vm.Program#load}.
 */
public final class Decoder {
    private Decoder() {
    }

    /**
     * Decodes a text section of 8-byte little-endian slots. The result is indexed by slot: a
     * {@code lddw} occupies index i and leaves index i+1 null.
     */
    public static Insn[] decode(byte[] text, int offset, int length) throws DecodeException {
        if (offset < 0 || length < 0 || offset > text.length - length) {
            throw new IllegalArgumentException("window [" + offset + ", +" + length + ") outside " + text.length + " bytes");
        }
        if (length % 8 != 0) {
            throw new DecodeException(-1, "program length " + length + " is not a multiple of 8");
        }
        int n = length / 8;
        Insn[] out = new Insn[n];
        for (int i = 0; i < n; i++) {
            int p = offset + i * 8;
            int opcode = text[p] & 0xff;
            int regs = text[p + 1] & 0xff;
            int dst = regs & 0xf;
            int src = regs >>> 4;
            int off = (short) ((text[p + 2] & 0xff) | (text[p + 3] << 8));
            int imm = le32(text, p + 4);
            Op op = Op.lookup(opcode, src, off, imm);
            if (op == null) {
                throw new DecodeException(i, describeUnknown(opcode, src, off, imm));
            }
            long value = imm;
            if (op.isWide()) {
                if (i + 1 >= n) {
                    throw new DecodeException(i, "lddw is missing its second slot");
                }
                int q = p + 8;
                if (text[q] != 0 || text[q + 1] != 0 || text[q + 2] != 0 || text[q + 3] != 0) {
                    throw new DecodeException(i + 1, "second slot of lddw must have opcode, registers and offset 0");
                }
                value = (imm & 0xffffffffL) | ((long) le32(text, q + 4) << 32);
            }
            out[i] = checkFields(i, op, dst, src, off, imm, value);
            if (op.isWide()) {
                i++;
            }
        }
        return out;
    }

    public static Insn[] decode(byte[] text) throws DecodeException {
        return decode(text, 0, text.length);
    }

    private static Insn checkFields(int slot, Op op, int dst, int src, int off, int imm, long value)
            throws DecodeException {
        Op.Shape s = op.shape;
        if (dst > 10) {
            throw new DecodeException(slot, op.mnemonic + ": invalid destination register r" + dst);
        }
        if (src > 10 && op.discr != Op.Discr.SRC) {
            throw new DecodeException(slot, op.mnemonic + ": invalid source register r" + src);
        }
        if (!s.usesDst && dst != 0) {
            throw new DecodeException(slot, op.mnemonic + ": unused destination field must be 0, is " + dst);
        }
        if (!s.usesSrc && op.discr != Op.Discr.SRC && src != 0) {
            throw new DecodeException(slot, op.mnemonic + ": unused source field must be 0, is " + src);
        }
        if (!s.usesOff && op.discr != Op.Discr.OFF && off != 0) {
            throw new DecodeException(slot, op.mnemonic + ": unused offset field must be 0, is " + off);
        }
        if (!s.usesImm && op.discr != Op.Discr.IMM && imm != 0) {
            throw new DecodeException(slot, op.mnemonic + ": unused immediate field must be 0, is " + imm);
        }
        return new Insn(op, dst, src, off, op.isWide() ? value : imm);
    }

    private static String describeUnknown(int opcode, int src, int off, int imm) {
        if (Op.withOpcode(opcode).isEmpty()) {
            return switch (opcode) {
                case 0x20, 0x28, 0x30, 0x40, 0x48, 0x50 ->
                    String.format("opcode 0x%02x is a legacy packet load (LD_ABS/LD_IND), not supported", opcode);
                case 0xe5 -> "opcode 0xe5 (may_goto) is a Linux extension, not supported";
                default -> String.format("unknown opcode 0x%02x", opcode);
            };
        }
        Op first = Op.withOpcode(opcode).get(0);
        return switch (first.discr) {
            case OFF -> first.opcode == 0xbf && off == 1
                ? "addr_space_cast (mov with off=1) is a Linux arena extension, not supported"
                : String.format("opcode 0x%02x: invalid offset %d", opcode, off);
            case IMM -> String.format("opcode 0x%02x: invalid immediate 0x%x", opcode, imm);
            case SRC -> first.shape == Op.Shape.CALL && src == 2
                ? "call to a kernel function by BTF id (kfunc) is not supported"
                : String.format("opcode 0x%02x: invalid source field %d", opcode, src);
            case NONE -> String.format("opcode 0x%02x: invalid encoding", opcode);
        };
    }

    static int le32(byte[] b, int p) {
        return (b[p] & 0xff) | (b[p + 1] & 0xff) << 8 | (b[p + 2] & 0xff) << 16 | b[p + 3] << 24;
    }
}

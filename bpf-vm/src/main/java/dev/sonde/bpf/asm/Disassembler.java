package dev.sonde.bpf.asm;

import dev.sonde.bpf.isa.DecodeException;
import dev.sonde.bpf.isa.Decoder;
import dev.sonde.bpf.isa.Insn;
import dev.sonde.bpf.isa.Op;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Instructions to assembly text that {@link Assembler} reads back to the same bytes: one
 * instruction per line, jump and call targets as signed slot offsets ({@code +3}, {@code -1})
 * rather than labels, so that every encodable offset, even one pointing outside the program, has
 * a spelling. Immediates print in decimal when small and as unsigned hex otherwise.
 */
public final class Disassembler {
    private Disassembler() {
    }

    /** Disassembles a text section of 8-byte slots. */
    public static String disassemble(byte[] text) throws DecodeException {
        return disassemble(Decoder.decode(text));
    }

    /** Disassembles instructions indexed by slot, as {@link Decoder} gives them (null after each lddw). */
    public static String disassemble(Insn[] slots) {
        return disassemble(Arrays.stream(slots).filter(Objects::nonNull).toList());
    }

    /** Disassembles instructions in order. */
    public static String disassemble(List<Insn> program) {
        StringBuilder sb = new StringBuilder();
        for (Insn insn : program) {
            sb.append(line(insn)).append('\n');
        }
        return sb.toString();
    }

    /** One instruction, without a newline: {@code ldxw %r0, [%r1+4]}. */
    public static String line(Insn insn) {
        Op op = insn.op();
        StringBuilder sb = new StringBuilder(op.mnemonic);
        String sep = " ";
        for (Syntax.Operand kind : Syntax.operands(op.shape)) {
            sb.append(sep);
            sep = ", ";
            switch (kind) {
                case DST -> sb.append("%r").append(insn.dst());
                case SRC -> sb.append("%r").append(insn.src());
                case IMM -> sb.append(imm32(insn.imm32()));
                case DST_MEM -> memory(sb, insn.dst(), insn.off());
                case SRC_MEM -> memory(sb, insn.src(), insn.off());
                case OFF_TARGET -> sb.append(offset(insn.off()));
                case IMM_TARGET -> sb.append(offset(insn.imm32()));
                case LOCAL_TARGET -> sb.append("local ").append(offset(insn.imm32()));
                case IMM64 -> imm64(sb, insn);
            }
        }
        return sb.toString();
    }

    private static void imm64(StringBuilder sb, Insn insn) {
        String pseudo = Syntax.pseudoName(insn.op());
        if (pseudo == null) {
            sb.append("0x").append(Long.toHexString(insn.imm()));
            return;
        }
        int low = insn.imm32();
        int next = (int) (insn.imm() >>> 32);
        sb.append(pseudo).append(':').append(insn.op() == Op.LDDW_FUNC ? offset(low) : imm32(low));
        if (next != 0) {
            sb.append(':').append(imm32(next));
        }
    }

    private static void memory(StringBuilder sb, int reg, int off) {
        sb.append("[%r").append(reg);
        if (off != 0) {
            sb.append(off > 0 ? "+" : "-").append(Math.abs(off));
        }
        sb.append(']');
    }

    private static String offset(int off) {
        return off >= 0 ? "+" + off : Integer.toString(off);
    }

    private static String imm32(int v) {
        return v > -0x10000 && v < 0x10000 ? Integer.toString(v) : "0x" + Integer.toHexString(v);
    }
}

package dev.sonde.bpf.verifier;

import dev.sonde.bpf.isa.Insn;
import dev.sonde.bpf.isa.Op;

/**
 * One instruction as one line of text, for verifier messages. Spelled from {@link Op#mnemonic}
 * and {@link Op.Shape}, in the assembler's syntax; the full disassembler lives in
 * {@code dev.sonde.bpf.asm}.
 */
final class Disasm {
    private Disasm() {
    }

    static String format(Insn in, int pc) {
        Op op = in.op();
        String m = op.mnemonic;
        return switch (op.shape) {
            case ALU_K -> m + " r" + in.dst() + ", " + in.imm();
            case ALU_X, MOVSX -> m + " r" + in.dst() + ", r" + in.src();
            case UNARY, END -> m + " r" + in.dst();
            case JMP_K -> m + " r" + in.dst() + ", " + in.imm() + ", " + rel(in.off()) + " <" + (pc + 1 + in.off()) + ">";
            case JMP_X -> m + " r" + in.dst() + ", r" + in.src() + ", " + rel(in.off()) + " <" + (pc + 1 + in.off()) + ">";
            case JA -> m + " " + rel(in.off()) + " <" + (pc + 1 + in.off()) + ">";
            case JA32 -> m + " " + rel((int) in.imm()) + " <" + (pc + 1 + in.imm()) + ">";
            case CALL -> m + " " + in.imm();
            case CALL_LOCAL -> m + " local " + rel((int) in.imm()) + " <" + (pc + 1 + in.imm()) + ">";
            case CALLX -> "callx r" + in.dst();
            case EXIT -> m;
            case LDX, LOAD_ACQ -> m + " r" + in.dst() + ", " + mem(in.src(), in.off());
            case ST -> m + " " + mem(in.dst(), in.off()) + ", " + in.imm();
            case STX, ATOMIC, STORE_REL -> m + " " + mem(in.dst(), in.off()) + ", r" + in.src();
            case LDDW -> switch (op) {
                case LDDW -> m + " r" + in.dst() + ", " + in.imm();
                case LDDW_MAP_FD, LDDW_MAP_IDX -> m + " r" + in.dst() + ", map[" + (int) in.imm() + "]";
                case LDDW_MAP_VALUE, LDDW_MAP_IDX_VALUE ->
                    m + " r" + in.dst() + ", map[" + (int) in.imm() + "].value+" + (int) (in.imm() >>> 32);
                case LDDW_FUNC -> m + " r" + in.dst() + ", func <" + (pc + 1 + (int) in.imm()) + ">";
                default -> m + " r" + in.dst() + ", btf_id " + (int) in.imm();
            };
        };
    }

    private static String rel(int off) {
        return off >= 0 ? "+" + off : Integer.toString(off);
    }

    private static String mem(int reg, int off) {
        return "[r" + reg + (off >= 0 ? "+" : "") + off + "]";
    }
}

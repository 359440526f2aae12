package dev.sonde.bpf.isa;

/**
 * One decoded instruction. For {@code lddw}, {@link #imm} holds the whole 64-bit immediate
 * ({@code (u32)imm | next_imm << 32}) and the instruction occupies two slots.
 *
 * @param op  the table row
 * @param dst destination register field, 0..15 as encoded
 * @param src source register field, 0..15 as encoded
 * @param off signed 16-bit offset
 * @param imm signed 32-bit immediate, sign-extended; for {@code lddw} the 64-bit value
 */
public record Insn(Op op, int dst, int src, int off, long imm) {

    /** Slots this instruction occupies: 2 for {@code lddw}, else 1. */
    public int slots() {
        return op.isWide() ? 2 : 1;
    }

    /** The 32-bit immediate field as encoded (the low half for {@code lddw}). */
    public int imm32() {
        return (int) imm;
    }

    /**
     * The slot a jump, local call or {@code lddw src=4} at slot {@code pc} refers to: pc + 1 + the
     * offset (off16 for jumps, imm for {@code ja32}, local calls and code addresses).
     */
    public int target(int pc) {
        return switch (op.shape) {
            case JMP_K, JMP_X, JA -> pc + 1 + off;
            case JA32, CALL_LOCAL -> pc + 1 + (int) imm;
            case LDDW -> pc + 1 + (int) imm;
            default -> throw new IllegalStateException(op + " has no target");
        };
    }

    public static Insn of(Op op, int dst, int src, int off, long imm) {
        return new Insn(op, dst, src, off, imm);
    }
}

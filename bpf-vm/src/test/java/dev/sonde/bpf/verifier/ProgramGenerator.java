package dev.sonde.bpf.verifier;

import dev.sonde.bpf.isa.Insn;
import dev.sonde.bpf.isa.Op;
import java.util.SplittableRandom;

/**
 * Random, mostly valid RAW programs for the differential test: straight-line ALU of every kind,
 * forward branches, bounded loops, stack spills and fills, and caller-memory and stack accesses at
 * computed offsets — usually guarded by a mask or a bound check, sometimes not (so that the
 * verifier has both kinds to judge).
 *
 * <p>Register roles: r6 = caller memory (r1 at entry), r2 = its length, r7 = loop counter, r9 =
 * address temporary, r0, r1, r3..r5, r8 scalars; r10 the stack.
 */
final class ProgramGenerator {
    private static final Op[] ALU_K = {Op.ADD64_K, Op.SUB64_K, Op.MUL64_K, Op.DIV64_K, Op.OR64_K, Op.AND64_K, Op.LSH64_K,
        Op.RSH64_K, Op.MOD64_K, Op.XOR64_K, Op.MOV64_K, Op.ARSH64_K, Op.ADD32_K, Op.SUB32_K, Op.MUL32_K, Op.DIV32_K,
        Op.OR32_K, Op.AND32_K, Op.LSH32_K, Op.RSH32_K, Op.MOD32_K, Op.XOR32_K, Op.MOV32_K, Op.ARSH32_K, Op.SDIV64_K,
        Op.SMOD64_K, Op.SDIV32_K, Op.SMOD32_K};
    private static final Op[] ALU_X = {Op.ADD64_X, Op.SUB64_X, Op.MUL64_X, Op.DIV64_X, Op.OR64_X, Op.AND64_X, Op.LSH64_X,
        Op.RSH64_X, Op.MOD64_X, Op.XOR64_X, Op.MOV64_X, Op.ARSH64_X, Op.ADD32_X, Op.SUB32_X, Op.MUL32_X, Op.DIV32_X,
        Op.OR32_X, Op.AND32_X, Op.LSH32_X, Op.RSH32_X, Op.MOD32_X, Op.XOR32_X, Op.MOV32_X, Op.ARSH32_X, Op.SDIV64_X,
        Op.SMOD64_X, Op.SDIV32_X, Op.SMOD32_X};
    private static final Op[] UNARY = {Op.NEG64, Op.NEG32, Op.LE16, Op.LE32, Op.LE64, Op.BE16, Op.BE32, Op.BE64,
        Op.BSWAP16, Op.BSWAP32, Op.BSWAP64, Op.MOVSX64_8, Op.MOVSX64_16, Op.MOVSX64_32, Op.MOVSX32_8, Op.MOVSX32_16};
    private static final Op[] JMP_K = {Op.JEQ64_K, Op.JGT64_K, Op.JGE64_K, Op.JSET64_K, Op.JNE64_K, Op.JSGT64_K, Op.JSGE64_K,
        Op.JLT64_K, Op.JLE64_K, Op.JSLT64_K, Op.JSLE64_K, Op.JEQ32_K, Op.JGT32_K, Op.JGE32_K, Op.JSET32_K, Op.JNE32_K,
        Op.JSGT32_K, Op.JSGE32_K, Op.JLT32_K, Op.JLE32_K, Op.JSLT32_K, Op.JSLE32_K};
    private static final Op[] JMP_X = {Op.JEQ64_X, Op.JGT64_X, Op.JGE64_X, Op.JSET64_X, Op.JNE64_X, Op.JSGT64_X, Op.JSGE64_X,
        Op.JLT64_X, Op.JLE64_X, Op.JSLT64_X, Op.JSLE64_X, Op.JEQ32_X, Op.JGT32_X, Op.JGE32_X, Op.JSET32_X, Op.JNE32_X,
        Op.JSGT32_X, Op.JSGE32_X, Op.JLT32_X, Op.JLE32_X, Op.JSLT32_X, Op.JSLE32_X};
    private static final int[] SCALARS = {0, 1, 3, 4, 5, 8};
    private static final Op[] LOADS = {Op.LDX_B, Op.LDX_H, Op.LDX_W, Op.LDX_DW, Op.LDXS_B, Op.LDXS_H, Op.LDXS_W};
    private static final Op[] STORES = {Op.STX_B, Op.STX_H, Op.STX_W, Op.STX_DW};

    private final SplittableRandom rnd;
    private final int memLen;
    private Prog p;
    private int labels;
    private boolean inLoop;

    ProgramGenerator(long seed, int memLen) {
        this.rnd = new SplittableRandom(seed);
        this.memLen = memLen;
    }

    Insn[] generate() {
        p = Prog.of();
        p.movr(6, 1);
        for (int r : SCALARS) {
            if (r != 1 && r != 2) {
                p.mov(r, constant());
            }
        }
        p.mov(1, constant());
        for (int slot = 1; slot <= 8; slot++) {
            if (rnd.nextInt(10) != 0) {
                p.st(Op.ST_DW, 10, -8 * slot, rnd.nextInt(100));
            }
        }
        int blocks = 3 + rnd.nextInt(10);
        for (int b = 0; b < blocks; b++) {
            block(0);
        }
        p.exit();
        return p.build();
    }

    private long constant() {
        return switch (rnd.nextInt(6)) {
            case 0 -> rnd.nextInt(8);
            case 1 -> rnd.nextInt(memLen + 4);
            case 2 -> rnd.nextInt() ;
            case 3 -> -rnd.nextInt(16);
            case 4 -> rnd.nextInt(256);
            default -> rnd.nextInt(1 << 16) - (1 << 15);
        };
    }

    private int scalar() {
        return SCALARS[rnd.nextInt(SCALARS.length)];
    }

    private String label() {
        return "L" + labels++;
    }

    private void block(int depth) {
        int kind = rnd.nextInt(depth > 1 || inLoop ? 6 : 8);
        switch (kind) {
            case 0, 1 -> alu();
            case 2 -> memAccess();
            case 3 -> stackAccess();
            case 4 -> variableStackAccess();
            case 5 -> {
                String skip = label();
                branch(skip);
                int n = 1 + rnd.nextInt(3);
                for (int i = 0; i < n; i++) {
                    block(depth + 1);
                }
                p.label(skip);
            }
            default -> loop(depth);
        }
    }

    private void alu() {
        int d = scalar();
        switch (rnd.nextInt(5)) {
            case 0, 1 -> {
                Op op = ALU_K[rnd.nextInt(ALU_K.length)];
                long imm = constant();
                if (op.shape == Op.Shape.ALU_K && (op.opcode & 0xf0) >= 0x60 && (op.opcode & 0xf0) <= 0x70
                    || (op.opcode & 0xf0) == 0xc0) {
                    imm = rnd.nextInt(64);
                }
                p.insn(op, d, 0, op.discr == Op.Discr.OFF ? op.discrValue : 0, imm);
            }
            case 2, 3 -> {
                Op op = ALU_X[rnd.nextInt(ALU_X.length)];
                p.insn(op, d, scalar(), op.discr == Op.Discr.OFF ? op.discrValue : 0, 0);
            }
            default -> {
                Op op = UNARY[rnd.nextInt(UNARY.length)];
                int src = op.shape == Op.Shape.MOVSX ? scalar() : 0;
                p.insn(op, d, src, op.shape == Op.Shape.MOVSX ? op.discrValue : 0,
                    op.discr == Op.Discr.IMM ? op.discrValue : 0);
            }
        }
    }

    /** r9 = r6 + (scalar bounded somehow); load or store through it. */
    private void memAccess() {
        int idx = scalar();
        p.movr(8, idx);
        String skip = label();
        int size = 1 << rnd.nextInt(4);
        switch (rnd.nextInt(5)) {
            case 0 -> p.alu(Op.AND64_K, 8, Integer.highestOneBit(Math.max(1, memLen)) - 1);
            case 1 -> p.jmp(Op.JGE64_K, 8, Math.max(0, memLen - size + 1), skip);
            case 2 -> p.jmp(rnd.nextBoolean() ? Op.JGT64_X : Op.JGE64_X, 8, 2, skip).add(8, 0);   // against r2 = len
            case 3 -> p.mov(8, rnd.nextInt(memLen + 2));
            default -> p.alu(Op.AND64_K, 8, rnd.nextInt(64));
        }
        if (rnd.nextInt(4) == 0) {
            p.jmp(Op.JSLT64_K, 8, 0, skip);
        }
        p.movr(9, 6).alux(Op.ADD64_X, 9, 8);
        int off = rnd.nextInt(6) == 0 ? rnd.nextInt(8) - 2 : 0;
        if (rnd.nextBoolean()) {
            Op op = LOADS[rnd.nextInt(LOADS.length)];
            if (op.accessSize() == size || rnd.nextInt(3) == 0) {
                p.ldx(op, scalar(), 9, off);
            } else {
                p.ldx(Op.LDX_B, scalar(), 9, off);
            }
        } else {
            Op op = STORES[Integer.numberOfTrailingZeros(size)];
            p.stx(op, 9, off, scalar());
        }
        p.label(skip);
    }

    private void stackAccess() {
        int slot = 1 + rnd.nextInt(8);
        if (rnd.nextInt(3) == 0) {
            p.ldx(LOADS[rnd.nextInt(LOADS.length)], scalar(), 10, -8 * slot + rnd.nextInt(4));
        } else if (rnd.nextBoolean()) {
            p.stx(STORES[rnd.nextInt(STORES.length)], 10, -8 * slot, scalar());
        } else {
            p.stx(Op.STX_DW, 10, -8 * slot, scalar());
            p.ldx(Op.LDX_DW, scalar(), 10, -8 * slot);
        }
    }

    private void variableStackAccess() {
        p.movr(8, scalar());
        p.alu(Op.AND64_K, 8, rnd.nextBoolean() ? 0x38 : 0x3f);
        p.movr(9, 10).add(9, -64).alux(Op.ADD64_X, 9, 8);
        if (rnd.nextBoolean()) {
            p.stx(Op.STX_B, 9, 0, scalar());
        } else {
            p.ldx(Op.LDX_B, scalar(), 9, rnd.nextInt(4) == 0 ? 1 : 0);
        }
    }

    private void branch(String target) {
        if (rnd.nextBoolean()) {
            Op op = JMP_K[rnd.nextInt(JMP_K.length)];
            p.jmp(op, scalar(), constant(), target);
        } else {
            Op op = JMP_X[rnd.nextInt(JMP_X.length)];
            p.jmpx(op, scalar(), scalar(), target);
        }
    }

    private void loop(int depth) {
        String head = label();
        int bound = 1 + rnd.nextInt(12);
        int step = 1 + rnd.nextInt(2);
        p.mov(7, 0);
        p.label(head);
        boolean was = inLoop;
        inLoop = true;
        int n = 1 + rnd.nextInt(3);
        for (int i = 0; i < n; i++) {
            block(depth + 1);
        }
        inLoop = was;
        p.add(7, step);
        switch (rnd.nextInt(3)) {
            case 0 -> p.jmp(Op.JLT64_K, 7, bound, head);
            case 1 -> p.jmp(Op.JNE64_K, 7, (long) bound * step, head);
            default -> p.jmp(Op.JSLE32_K, 7, bound, head);
        }
    }
}

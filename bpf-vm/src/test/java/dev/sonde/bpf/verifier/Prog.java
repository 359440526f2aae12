package dev.sonde.bpf.verifier;

import dev.sonde.bpf.isa.Insn;
import dev.sonde.bpf.isa.Op;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A tiny assembler for tests: instructions by {@link Op} row, jumps and local calls to labels.
 * {@link #build()} gives the slot-indexed array the verifier takes (null after each lddw).
 */
final class Prog {
    private final List<Insn> slots = new ArrayList<>();
    private final Map<String, Integer> labels = new HashMap<>();
    private final List<Object[]> fixups = new ArrayList<>();

    static Prog of() {
        return new Prog();
    }

    Prog label(String name) {
        labels.put(name, slots.size());
        return this;
    }

    Prog insn(Op op, int dst, int src, int off, long imm) {
        slots.add(Insn.of(op, dst, src, off, imm));
        if (op.isWide()) {
            slots.add(null);
        }
        return this;
    }

    Prog mov(int d, long imm) {
        return insn(Op.MOV64_K, d, 0, 0, imm);
    }

    Prog mov32(int d, long imm) {
        return insn(Op.MOV32_K, d, 0, 0, imm);
    }

    Prog movr(int d, int s) {
        return insn(Op.MOV64_X, d, s, 0, 0);
    }

    Prog alu(Op op, int d, long imm) {
        return insn(op, d, 0, 0, imm);
    }

    Prog alux(Op op, int d, int s) {
        return insn(op, d, s, 0, 0);
    }

    Prog add(int d, long imm) {
        return alu(Op.ADD64_K, d, imm);
    }

    Prog ldx(Op op, int d, int s, int off) {
        return insn(op, d, s, off, 0);
    }

    Prog st(Op op, int d, int off, long imm) {
        return insn(op, d, 0, off, imm);
    }

    Prog stx(Op op, int d, int off, int s) {
        return insn(op, d, s, off, 0);
    }

    Prog atomic(Op op, int d, int off, int s) {
        return insn(op, d, s, off, op.discrValue);
    }

    Prog lddw(int d, long v) {
        return insn(Op.LDDW, d, 0, 0, v);
    }

    Prog ldmap(int d, int idx) {
        return insn(Op.LDDW_MAP_IDX, d, 5, 0, idx);
    }

    Prog ldmapval(int d, int idx, int off) {
        return insn(Op.LDDW_MAP_IDX_VALUE, d, 6, 0, (idx & 0xffffffffL) | (long) off << 32);
    }

    Prog ldfunc(int d, String label) {
        fixups.add(new Object[] {slots.size(), label});
        return insn(Op.LDDW_FUNC, d, 4, 0, 0);
    }

    Prog jmp(Op op, int d, long imm, String label) {
        fixups.add(new Object[] {slots.size(), label});
        return insn(op, d, 0, 0, imm);
    }

    Prog jmpx(Op op, int d, int s, String label) {
        fixups.add(new Object[] {slots.size(), label});
        return insn(op, d, s, 0, 0);
    }

    Prog ja(String label) {
        fixups.add(new Object[] {slots.size(), label});
        return insn(Op.JA, 0, 0, 0, 0);
    }

    Prog call(int helper) {
        return insn(Op.CALL, 0, 0, 0, helper);
    }

    Prog callLocal(String label) {
        fixups.add(new Object[] {slots.size(), label});
        return insn(Op.CALL_LOCAL, 0, 1, 0, 0);
    }

    Prog exit() {
        return insn(Op.EXIT, 0, 0, 0, 0);
    }

    /** r0 = 0; exit. */
    Prog ret0() {
        return mov(0, 0).exit();
    }

    int size() {
        return slots.size();
    }

    Insn[] build() {
        Insn[] out = slots.toArray(new Insn[0]);
        for (Object[] f : fixups) {
            int at = (Integer) f[0];
            Integer target = labels.get((String) f[1]);
            if (target == null) {
                throw new IllegalArgumentException("no label " + f[1]);
            }
            Insn in = out[at];
            int rel = target - at - 1;
            out[at] = switch (in.op().shape) {
                case JA, JMP_K, JMP_X -> Insn.of(in.op(), in.dst(), in.src(), rel, in.imm());
                case LDDW -> Insn.of(in.op(), in.dst(), in.src(), 0, rel & 0xffffffffL);
                default -> Insn.of(in.op(), in.dst(), in.src(), in.off(), rel);
            };
        }
        return out;
    }
}

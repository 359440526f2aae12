package dev.sonde.bpf.verifier;

import dev.sonde.bpf.isa.Insn;
import java.util.LinkedHashSet;
import java.util.Set;

/** What the checks of one verification share: inputs, fresh ids, proof facts, notes. */
final class Env {
    final VerifierConfig cfg;
    final Structure structure;
    final Insn[] insns;
    final AccessFact[] facts;
    final boolean[] reached;
    /** Per function start slot: deepest stack byte used, counted from r10. */
    final int[] stackDepth;
    final Set<String> notes = new LinkedHashSet<>();
    private int nextId = 1;

    Env(VerifierConfig cfg, Structure structure, Insn[] insns) {
        this.cfg = cfg;
        this.structure = structure;
        this.insns = insns;
        this.facts = new AccessFact[insns.length];
        this.reached = new boolean[insns.length];
        this.stackDepth = new int[insns.length];
    }

    int newId() {
        return nextId++;
    }

    static Reject fail(int pc, String reason) {
        return new Reject(pc, reason);
    }

    /** Register {@code r} for reading: it must hold a value. */
    Reg read(VerifierState st, int r) {
        Reg g = st.reg(r);
        if (!g.isInit()) {
            if (g.releasedAt >= 0) {
                throw fail(st.pc, "R" + r + " refers to a ring-buffer record already submitted or discarded at insn "
                    + g.releasedAt + " (use after release)");
            }
            throw fail(st.pc, "R" + r + " is read before it is initialised" + (r >= 1 && r <= 5 && st.pc > 0
                ? " (r1-r5 are unreadable after a call until written)" : ""));
        }
        return g;
    }

    MapInfo map(int idx) {
        return cfg.maps().get(idx);
    }

    void note(String s) {
        if (notes.size() < 50) {
            notes.add(s);
        }
    }

    void fact(int pc, AccessFact f) {
        AccessFact old = facts[pc];
        facts[pc] = old == null ? f : old.merge(f);
    }

    void useStack(int function, int bytes) {
        if (bytes > stackDepth[function]) {
            stackDepth[function] = bytes;
        }
    }

    String where(int pc) {
        String line = pc >= 0 ? cfg.line(pc) : null;
        return pc < 0 ? "" : " at insn " + pc + (line != null ? " (" + line + ")" : "");
    }
}

package dev.sonde.bpf.verifier;

import dev.sonde.bpf.isa.Insn;
import java.util.ArrayList;
import java.util.List;

/**
 * The text of a rejection, in the manner of Linux's verifier log at log_level 1: the last
 * instructions of the failing path with their source lines, the register and stack state at the
 * failing instruction, the notes gathered on the way, the reason, and the statistics.
 */
final class VerifierLog {
    static final int PATH_LINES = 24;

    private VerifierLog() {
    }

    static String path(Insn[] insns, VerifierConfig cfg, VerifierState st, int failPc) {
        // Walk the path back: between two recorded transfers it is straight-line code.
        List<Integer> pcs = new ArrayList<>();
        VerifierState.History h = st == null ? null : st.history;
        int end = failPc;
        while (pcs.size() < PATH_LINES) {
            int start = h == null ? 0 : h.to();
            List<Integer> seg = new ArrayList<>();
            for (int i = start; i <= end && i < insns.length; i += insns[i] == null ? 1 : insns[i].slots()) {
                seg.add(i);
            }
            for (int k = seg.size() - 1; k >= 0 && pcs.size() < PATH_LINES; k--) {
                pcs.add(0, seg.get(k));
            }
            if (h == null) {
                break;
            }
            end = h.from();
            h = h.prev();
        }
        StringBuilder sb = new StringBuilder();
        for (int pc : pcs) {
            sb.append(line(insns, cfg, pc)).append('\n');
        }
        return sb.toString();
    }

    static String line(Insn[] insns, VerifierConfig cfg, int pc) {
        if (pc < 0 || pc >= insns.length || insns[pc] == null) {
            return String.format("%5d: ?", pc);
        }
        String src = cfg.line(pc);
        String text = String.format("%5d: %s", pc, Disasm.format(insns[pc], pc));
        return src == null ? text : String.format("%-48s ; %s", text, src);
    }

    static String build(Env env, Insn[] insns, VerifierConfig cfg, VerifierState st, Reject r, String message,
                        long visited, int kept) {
        StringBuilder sb = new StringBuilder();
        if (st != null && r.pc >= 0) {
            sb.append(path(insns, cfg, st, r.pc));
            sb.append("state at insn ").append(r.pc).append(": ").append(st.describe()).append('\n');
        } else if (r.pc >= 0 && r.pc < insns.length) {
            sb.append(line(insns, cfg, r.pc)).append('\n');
        }
        if (env != null) {
            for (String n : env.notes) {
                sb.append("note: ").append(n).append('\n');
            }
        }
        sb.append(message).append('\n');
        sb.append("processed ").append(visited).append(" insns (limit ").append(cfg.maxInsns()).append("), ")
            .append(kept).append(" states kept\n");
        return sb.toString();
    }
}

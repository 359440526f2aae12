package dev.sonde.bpf.verifier;

import dev.sonde.bpf.isa.Insn;
import dev.sonde.bpf.isa.Op;
import dev.sonde.bpf.vm.HelperTable;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.TreeSet;

/**
 * The checks that need no abstract values (Linux's check_subprogs and check_cfg): every slot holds
 * an instruction valid for the cpu level, registers exist and r10 is never written, jumps land on
 * instructions of their own function, no function falls off its end, every instruction is
 * reachable, calls are not recursive. Also computes what the exploration needs: the function of
 * each slot, the prune points, and the registers live at each slot.
 */
final class Structure {
    final Insn[] insns;
    final int n;
    /** Sorted first slots of the functions; [0] is the entry. */
    final int[] functions;
    /** Slot → index into {@link #functions}. */
    final int[] funcIndex;
    /** Where explored states are kept and compared (jump targets, fall-throughs, function starts). */
    final boolean[] prunePoint;
    /** Slot → bit r of the registers r0..r9 that some path from the slot reads before writing. */
    final int[] liveIn;

    private Structure(Insn[] insns, int[] functions) {
        this.insns = insns;
        this.n = insns.length;
        this.functions = functions;
        this.funcIndex = new int[n];
        this.prunePoint = new boolean[n + 1];
        this.liveIn = new int[n + 1];
    }

    int functionOf(int slot) {
        return functions[funcIndex[slot]];
    }

    int functionEnd(int fi) {
        return fi + 1 < functions.length ? functions[fi + 1] : n;
    }

    static Structure check(Insn[] insns, VerifierConfig cfg) {
        int n = insns.length;
        if (n == 0) {
            throw new Reject(-1, "the program has no instructions");
        }
        TreeSet<Integer> starts = new TreeSet<>();
        starts.add(0);
        for (int i = 0; i < n; i++) {
            Insn in = insns[i];
            if (in == null) {
                if (i == 0 || insns[i - 1] == null || !insns[i - 1].op().isWide()) {
                    throw new Reject(i, "slot " + i + " holds no instruction (it is not the second half of an lddw)");
                }
                continue;
            }
            checkInsn(i, in, insns, cfg);
            if (in.op() == Op.CALL_LOCAL || in.op() == Op.LDDW_FUNC) {
                int t = in.target(i);
                checkTarget(i, t, insns, in.op() == Op.CALL_LOCAL ? "call" : "code address");
                starts.add(t);
            }
        }
        int[] functions = starts.stream().mapToInt(Integer::intValue).toArray();
        Structure s = new Structure(insns, functions);
        for (int fi = 0, i = 0; i < n; i++) {
            while (fi + 1 < functions.length && functions[fi + 1] <= i) {
                fi++;
            }
            s.funcIndex[i] = fi;
        }
        s.checkControlFlow();
        s.checkReachable();
        s.checkRecursion();
        s.computeLiveness(cfg.helpers());
        return s;
    }

    private static void checkInsn(int i, Insn in, Insn[] insns, VerifierConfig cfg) {
        Op op = in.op();
        Op.Shape sh = op.shape;
        if (op.minCpu > cfg.cpuVersion()) {
            throw new Reject(i, op.mnemonic + " needs -mcpu=v" + op.minCpu + " but the program is verified as v" + cfg.cpuVersion());
        }
        if (op.isWide() && (i + 1 >= insns.length || insns[i + 1] != null)) {
            throw new Reject(i, "lddw is missing its second slot");
        }
        if ((sh.usesDst && (in.dst() < 0 || in.dst() > 10)) || ((sh.usesSrc) && (in.src() < 0 || in.src() > 10))) {
            throw new Reject(i, op.mnemonic + " names a register that does not exist (r" + (in.dst() > 10 ? in.dst() : in.src()) + ")");
        }
        boolean writesDst = switch (sh) {
            case ALU_K, ALU_X, UNARY, MOVSX, END, LDX, LDDW, LOAD_ACQ -> true;
            default -> false;
        };
        boolean writesSrc = sh == Op.Shape.ATOMIC && (op.discrValue & 1) != 0 && op.discrValue != 0xf1;
        if ((writesDst && in.dst() == 10) || (writesSrc && in.src() == 10)) {
            throw new Reject(i, "r10 is the read-only frame pointer, but " + op.mnemonic + " writes it");
        }
        switch (op) {
            case CALLX -> throw new Reject(i, "callx (a call through a register) cannot be verified");
            case LDDW_BTF_ID -> throw new Reject(i, "lddw of a BTF id (kernel symbol) is not supported");
            case LDDW_MAP_FD, LDDW_MAP_IDX, LDDW_MAP_VALUE, LDDW_MAP_IDX_VALUE -> {
                int idx = (int) in.imm();
                if (idx < 0 || idx >= cfg.maps().size()) {
                    throw new Reject(i, "lddw refers to map " + idx + " but the program has " + cfg.maps().size() + " maps");
                }
            }
            case CALL -> {
                int id = (int) in.imm();
                HelperTable.Entry e = cfg.helpers().get(id);
                if (e == null) {
                    throw new Reject(i, "call to unknown helper " + in.imm());
                }
                if (!cfg.helperAllowed(id)) {
                    throw new Reject(i, "helper " + e.name() + " (" + id + ") is not allowed in " + cfg.type() + " programs");
                }
            }
            default -> {
            }
        }
    }

    private static void checkTarget(int i, int t, Insn[] insns, String what) {
        if (t < 0 || t >= insns.length) {
            throw new Reject(i, what + " out of range: target " + t + " is outside 0.." + (insns.length - 1));
        }
        if (insns[t] == null) {
            throw new Reject(i, what + " into the middle of the lddw at insn " + (t - 1));
        }
    }

    private void checkControlFlow() {
        for (int i = 0; i < n; i++) {
            Insn in = insns[i];
            if (in == null) {
                continue;
            }
            if (in.op().isJump()) {
                int t = in.target(i);
                checkTarget(i, t, insns, "jump");
                if (funcIndex[t] != funcIndex[i]) {
                    throw new Reject(i, "jump out of its function (which starts at insn " + functionOf(i)
                        + ") into the function at insn " + functionOf(t));
                }
                prunePoint[t] = true;
                if (in.op().shape == Op.Shape.JMP_K || in.op().shape == Op.Shape.JMP_X) {
                    prunePoint[i + 1] = true;
                }
            }
            if (in.op() == Op.CALL_LOCAL) {
                prunePoint[i + 1] = true;
            }
        }
        for (int fi = 0; fi < functions.length; fi++) {
            prunePoint[functions[fi]] = true;
            int last = functionEnd(fi) - 1;
            if (insns[last] == null) {
                last--;
            }
            Op.Shape sh = insns[last].op().shape;
            if (sh != Op.Shape.EXIT && sh != Op.Shape.JA && sh != Op.Shape.JA32) {
                throw new Reject(last, fi + 1 < functions.length
                    ? "execution falls from the end of the function at insn " + functions[fi] + " into the next function"
                    : "execution falls off the end of the program after the last instruction");
            }
        }
    }

    /** Successors of a slot within its function (calls return to the next slot). */
    int[] successors(int i) {
        Insn in = insns[i];
        int next = i + in.slots();
        return switch (in.op().shape) {
            case EXIT -> new int[0];
            case JA, JA32 -> new int[] {in.target(i)};
            case JMP_K, JMP_X -> new int[] {next, in.target(i)};
            default -> new int[] {next};
        };
    }

    private void checkReachable() {
        boolean[] seen = new boolean[n];
        ArrayDeque<Integer> work = new ArrayDeque<>();
        for (int f : functions) {
            seen[f] = true;
            work.push(f);
        }
        while (!work.isEmpty()) {
            int i = work.pop();
            for (int t : successors(i)) {
                if (t < n && !seen[t]) {
                    seen[t] = true;
                    work.push(t);
                }
            }
        }
        for (int i = 0; i < n; i++) {
            if (insns[i] != null && !seen[i]) {
                throw new Reject(i, "unreachable instruction");
            }
        }
    }

    private void checkRecursion() {
        int f = functions.length;
        boolean[][] calls = new boolean[f][f];
        for (int i = 0; i < n; i++) {
            Insn in = insns[i];
            if (in != null && (in.op() == Op.CALL_LOCAL || in.op() == Op.LDDW_FUNC)) {
                calls[funcIndex[i]][funcIndex[in.target(i)]] = true;
            }
        }
        int[] color = new int[f];
        for (int s = 0; s < f; s++) {
            if (color[s] == 0) {
                dfs(s, calls, color);
            }
        }
    }

    private void dfs(int v, boolean[][] calls, int[] color) {
        color[v] = 1;
        for (int w = 0; w < calls.length; w++) {
            if (!calls[v][w]) {
                continue;
            }
            if (color[w] == 1) {
                int site = callSite(v, w);
                throw new Reject(site, "recursive call: the function at insn " + functions[w] + " can call itself");
            }
            if (color[w] == 0) {
                dfs(w, calls, color);
            }
        }
        color[v] = 2;
    }

    private int callSite(int from, int to) {
        for (int i = functions[from]; i < functionEnd(from); i++) {
            Insn in = insns[i];
            if (in != null && (in.op() == Op.CALL_LOCAL || in.op() == Op.LDDW_FUNC) && funcIndex[in.target(i)] == to) {
                return i;
            }
        }
        return functions[from];
    }

    /** Backward may-read analysis of r0..r9 over each function (calls: args read, r0..r5 written). */
    private void computeLiveness(HelperTable helpers) {
        int[] use = new int[n];
        int[] def = new int[n];
        for (int i = 0; i < n; i++) {
            Insn in = insns[i];
            if (in == null) {
                continue;
            }
            int d = 1 << in.dst(), s = 1 << in.src();
            Op op = in.op();
            switch (op.shape) {
                case ALU_K -> {
                    use[i] = ScalarAlu.kind(op) == ScalarAlu.Kind.MOV ? 0 : d;
                    def[i] = d;
                }
                case ALU_X, MOVSX -> {
                    use[i] = (ScalarAlu.kind(op) == ScalarAlu.Kind.MOV ? 0 : d) | s;
                    def[i] = d;
                }
                case UNARY, END -> {
                    use[i] = d;
                    def[i] = d;
                }
                case JMP_K -> use[i] = d;
                case JMP_X -> use[i] = d | s;
                case LDX, LOAD_ACQ -> {
                    use[i] = s;
                    def[i] = d;
                }
                case ST -> use[i] = d;
                case STX, STORE_REL -> use[i] = d | s;
                case ATOMIC -> {
                    boolean cmpxchg = op.discrValue == 0xf1;
                    use[i] = d | s | (cmpxchg ? 1 : 0);
                    def[i] = cmpxchg ? 1 : (op.discrValue & 1) != 0 ? s : 0;
                }
                case LDDW -> def[i] = d;
                case CALL -> {
                    HelperTable.Entry e = helpers.get((int) in.imm());
                    int args = e == null ? 5 : e.proto().args().size();
                    use[i] = ((1 << (args + 1)) - 1) & ~1;
                    def[i] = 0x3f;
                }
                case CALL_LOCAL -> {
                    use[i] = 0x3e;
                    def[i] = 0x3f;
                }
                case EXIT -> use[i] = 1;
                default -> {
                }
            }
            use[i] &= 0x3ff;
            def[i] &= 0x3ff;
        }
        boolean changed = true;
        while (changed) {
            changed = false;
            for (int i = n - 1; i >= 0; i--) {
                if (insns[i] == null) {
                    continue;
                }
                int out = 0;
                for (int t : successors(i)) {
                    out |= liveIn[t];
                }
                int in = use[i] | (out & ~def[i]);
                if (in != liveIn[i]) {
                    liveIn[i] = in;
                    changed = true;
                }
            }
        }
    }

    @Override
    public String toString() {
        return "functions " + Arrays.toString(functions);
    }
}

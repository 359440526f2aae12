package dev.sonde.bpf.verifier;

import dev.sonde.bpf.isa.Insn;
import dev.sonde.bpf.isa.Op;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The entry point: proves a program safe or says exactly why not.
 *
 * <p>Two passes, as in Linux. {@link Structure} checks what the instructions alone show. Then an
 * abstract interpretation walks every path depth-first from the entry with the abstract state of
 * {@link VerifierState}; conditional jumps fork it (pending paths wait on a stack), and at prune
 * points a state included in a completely explored one ends its path ({@link Explored}). Loops
 * are unrolled until their counters' ranges make the exit test certain; a loop that repeats an
 * ancestor state exactly is infinite, and one that never converges runs into the instruction limit.
 *
 * <pre>{@code
 * Proof p = Verifier.verify(insns, VerifierConfig.of(ProgramType.KPROBE).withHelpers(table).withMaps(maps));
 * }</pre>
 */
public final class Verifier {
    private final Insn[] insns;
    private final VerifierConfig cfg;
    private Env env;
    private Explored explored;
    private VerifierState current;
    private long visited;
    private int[] visits;

    private Verifier(Insn[] insns, VerifierConfig cfg) {
        this.insns = insns;
        this.cfg = cfg;
    }

    /**
     * Verifies {@code insns} (indexed by slot, null after each lddw, pseudo lddw forms unresolved).
     *
     * @return what was proven, for the JIT
     * @throws VerifierException the first unsafe instruction found, with the log
     */
    public static Proof verify(Insn[] insns, VerifierConfig cfg) throws VerifierException {
        return new Verifier(insns, cfg).run();
    }

    private Proof run() throws VerifierException {
        try {
            Structure s = Structure.check(insns, cfg);
            env = new Env(cfg, s, insns);
            explored = new Explored(s);
            visits = new int[insns.length];
            explore();
            checkCallChainStack(s);
        } catch (Reject r) {
            String msg = r.reason + (env != null ? env.where(r.pc) : r.pc >= 0 ? " at insn " + r.pc : "");
            if (env == null && r.pc >= 0 && cfg.line(r.pc) != null) {
                msg = r.reason + " at insn " + r.pc + " (" + cfg.line(r.pc) + ")";
            }
            String log = VerifierLog.build(env, insns, cfg, current, r, msg, visited, explored == null ? 0 : explored.kept);
            throw new VerifierException(r.pc, msg, log);
        }
        StringBuilder log = new StringBuilder();
        for (String n : env.notes) {
            log.append("note: ").append(n).append('\n');
        }
        log.append("processed ").append(visited).append(" insns (limit ").append(cfg.maxInsns()).append("), ")
            .append(explored.kept).append(" states kept\n");
        int[] depth = new int[insns.length];
        for (int f : env.structure.functions) {
            depth[f] = env.stackDepth[f];
        }
        return new Proof(env.facts, env.reached, depth, visited, explored.kept, log.toString());
    }

    private VerifierState initial() {
        Frame f = new Frame(-1, 0, 0, false);
        switch (cfg.type()) {
            case KPROBE, KRETPROBE, TIMER ->
                f.regs[1] = Reg.pointer(PointerKind.CTX, 0, cfg.type().ctxSize, false, Scalar.ZERO);
            case RAW -> {
                if (cfg.rawMemSize() < 0) {
                    f.regs[1] = Reg.constant(0);
                    f.regs[2] = Reg.constant(0);
                } else {
                    // r2 is the length exactly: the bound checks the program makes against r2 are then
                    // checks against the region's size.
                    f.regs[1] = Reg.pointer(PointerKind.CALLER_MEM, 0, cfg.rawMemSize(), cfg.rawMemWritable(), Scalar.ZERO);
                    f.regs[2] = Reg.constant(cfg.rawMemSize());
                }
            }
        }
        return new VerifierState(f);
    }

    private void explore() {
        Deque<VerifierState> pending = new ArrayDeque<>();
        pending.push(initial());
        while (!pending.isEmpty()) {
            current = pending.pop();
            walk(current, pending);
        }
        current = null;
    }

    /** Follows one path until it ends; forks go to {@code pending}. */
    private void walk(VerifierState st, Deque<VerifierState> pending) {
        Structure s = env.structure;
        for (;;) {
            current = st;
            int pc = st.pc;
            if (++visited > cfg.maxInsns()) {
                throw tooComplex(pc);
            }
            if (s.prunePoint[pc]) {
                Frame top = st.top();
                boolean cbEntry = top.callback && pc == top.function;
                Explored.Visit v = explored.visit(st, cbEntry, cfg.maxStates());
                if (v.verdict() == Explored.Verdict.PRUNED) {
                    Explored.finish(st.parent);
                    return;
                }
                if (v.verdict() == Explored.Verdict.LOOP) {
                    throw Env.fail(pc, "infinite loop: the state at insn " + pc
                        + " repeats exactly on this path, so the loop can never end");
                }
                st.parent = v.entry();
            }
            visits[pc]++;
            env.reached[pc] = true;
            Insn in = insns[pc];
            switch (in.op().shape) {
                case ALU_K, ALU_X, UNARY, END, MOVSX -> {
                    Alu.apply(env, st, in);
                    st.pc = pc + 1;
                }
                case LDDW -> {
                    Alu.lddw(env, st, in);
                    st.pc = pc + 2;
                }
                case LDX, LOAD_ACQ -> {
                    Memory.load(env, st, in);
                    st.pc = pc + 1;
                }
                case ST, STX, STORE_REL -> {
                    Memory.store(env, st, in);
                    st.pc = pc + 1;
                }
                case ATOMIC -> {
                    Memory.atomic(env, st, in);
                    st.pc = pc + 1;
                }
                case JA, JA32 -> {
                    st.history = VerifierState.History.add(st.history, pc, in.target(pc));
                    st.pc = in.target(pc);
                }
                case JMP_K, JMP_X -> {
                    VerifierState[] next = Branches.jump(env, st, in);
                    VerifierState taken = next[0], fall = next[1];
                    if (taken != null) {
                        taken.history = VerifierState.History.add(taken.history, pc, in.target(pc));
                        taken.pc = in.target(pc);
                    }
                    if (fall != null) {
                        fall.pc = pc + 1;
                    }
                    if (taken != null && fall != null) {
                        if (st.parent != null) {
                            st.parent.branches++;
                        }
                        pending.push(taken);
                        st = fall;
                    } else if (taken != null || fall != null) {
                        st = taken != null ? taken : fall;
                    } else {
                        Explored.finish(st.parent);   // the state itself is contradictory
                        return;
                    }
                }
                case CALL -> Calls.helper(env, st, in, pending);
                case CALL_LOCAL -> Calls.enter(env, st, in);
                case EXIT -> {
                    if (Calls.exit(env, st, pending)) {
                        Explored.finish(st.parent);
                        return;
                    }
                }
                case CALLX -> throw Env.fail(pc, "callx cannot be verified");
            }
        }
    }

    private Reject tooComplex(int pc) {
        int hot = 0;
        for (int i = 0; i < visits.length; i++) {
            if (visits[i] > visits[hot]) {
                hot = i;
            }
        }
        return Env.fail(pc, "program too complex: more than " + cfg.maxInsns() + " instructions visited; the loop through insn "
            + hot + " (visited " + visits[hot] + " times) does not provably end within the limit");
    }

    /** The deepest call chain's total stack: functions' depths summed along call edges. */
    private void checkCallChainStack(Structure s) {
        long worst = chain(s, 0, 0);
        int bytes = (int) (worst >>> 32);
        if (bytes > cfg.maxChainStack()) {
            int site = (int) worst;
            throw Env.fail(site, "the deepest call chain uses " + bytes + " bytes of stack, more than the "
                + cfg.maxChainStack() + " allowed; it starts with the call");
        }
    }

    /** (bytes << 32 | slot of the first call on the deepest chain from function fi). */
    private long chain(Structure s, int fi, int depth) {
        int f = s.functions[fi];
        long best = 0;
        int bestSite = -1;
        if (depth < VerifierConfig.MAX_FRAMES) {
            for (int i = f; i < s.functionEnd(fi); i++) {
                Insn in = insns[i];
                if (in != null && (in.op() == Op.CALL_LOCAL || in.op() == Op.LDDW_FUNC)) {
                    long c = chain(s, s.funcIndex[in.target(i)], depth + 1) >>> 32;
                    if (c > best || bestSite < 0) {
                        best = c;
                        bestSite = i;
                    }
                }
            }
        }
        long bytes = roundUp(env.stackDepth[f]) + best;
        return bytes << 32 | (bestSite & 0xffffffffL);
    }

    private static int roundUp(int bytes) {
        return (bytes + 7) & ~7;
    }
}

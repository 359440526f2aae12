package dev.sonde.bpf.verifier;

import dev.sonde.bpf.isa.Insn;
import dev.sonde.bpf.vm.HelperProto;
import dev.sonde.bpf.vm.HelperProto.Arg;
import dev.sonde.bpf.vm.HelperTable;
import java.util.Deque;
import java.util.List;

/**
 * Helper calls (arguments checked against the {@link HelperProto}, r0 typed by it, r1-r5 made
 * unreadable), bpf-to-bpf calls and returns, ring-buffer reference tracking, tail calls and
 * bpf_loop callbacks.
 */
final class Calls {
    static final int TAIL_CALL = 12, BPF_LOOP = 181, RINGBUF_RESERVE = 131;
    /** bpf_loop runs its callback at most this many times (larger counts fail with -E2BIG). */
    static final long LOOP_MAX = 1L << 23;

    private Calls() {
    }

    /** A helper call. May push extra states (bpf_loop); {@code st} continues after the call or into a callback. */
    static void helper(Env env, VerifierState st, Insn in, Deque<VerifierState> pending) {
        int pc = st.pc;
        int id = (int) in.imm();
        HelperTable.Entry e = env.cfg.helpers().get(id);
        HelperProto p = e.proto();
        String name = e.name();
        List<Arg> args = p.args();
        MapInfo map = null;
        int mapIdx = -1;
        Reg func = null;
        Reg record = null;
        for (int i = 0; i < args.size(); i++) {
            int r = i + 1;
            Arg arg = args.get(i);
            Reg g = env.read(st, r);
            switch (arg) {
                case ANYTHING, UNSAFE_PTR -> {
                }
                case SCALAR, SIZE, SIZE_OR_ZERO -> scalarArg(pc, name, r, g);
                case MAP -> {
                    if (!g.isPtr(PointerKind.MAP_PTR)) {
                        throw Env.fail(pc, name + " expects a map in R" + r + " (lddw of a map), not " + g);
                    }
                    mapIdx = g.region;
                    map = env.map(mapIdx);
                    checkMapType(pc, id, name, map);
                }
                case MAP_KEY, MAP_VALUE -> {
                    if (map == null) {
                        throw Env.fail(pc, name + ": no map argument precedes the key/value argument R" + r);
                    }
                    int size = arg == Arg.MAP_KEY ? map.keySize() : map.valueSize();
                    memArg(env, st, name, r, g, size, size, false, arg == Arg.MAP_KEY ? "key" : "value");
                }
                case CTX -> {
                    if (!g.isPtr(PointerKind.CTX) || !g.value.isConst(0)) {
                        throw Env.fail(pc, name + " expects the context pointer in R" + r + ", not " + g);
                    }
                }
                case MEM, UNINIT_MEM -> {
                    if (i + 1 >= args.size() || (args.get(i + 1) != Arg.SIZE && args.get(i + 1) != Arg.SIZE_OR_ZERO)) {
                        throw Env.fail(pc, name + ": prototype has a memory argument without a size");
                    }
                    Reg sz = env.read(st, r + 1);
                    scalarArg(pc, name, r + 1, sz);
                    boolean zeroOk = args.get(i + 1) == Arg.SIZE_OR_ZERO;
                    if (sz.value.umin == 0 && !zeroOk) {
                        throw Env.fail(pc, name + ": size R" + (r + 1) + " " + sz.value + " may be 0, which is invalid here");
                    }
                    if (Long.compareUnsigned(sz.value.umax, 1L << 29) > 0) {
                        throw Env.fail(pc, name + ": size R" + (r + 1) + " " + sz.value
                            + " is unbounded (bound it with 'if (size > N)' or '&= N' first)");
                    }
                    if (!(zeroOk && sz.value.isConst(0))) {
                        memArg(env, st, name, r, g, sz.value.umin, sz.value.umax, arg == Arg.UNINIT_MEM, "buffer");
                    }
                    i++;
                }
                case U64_OUT -> memArg(env, st, name, r, g, 8, 8, true, "out-parameter");
                case FUNC -> {
                    if (!g.isPtr(PointerKind.CODE)) {
                        throw Env.fail(pc, name + " expects a function (lddw of a code address) in R" + r + ", not " + g);
                    }
                    func = g;
                }
                case STACK_OR_NULL -> {
                    if (!(g.isPtr(PointerKind.STACK) || (g.isScalar() && g.value.isConst(0)))) {
                        throw Env.fail(pc, name + " expects a stack pointer or 0 in R" + r + ", not " + g);
                    }
                }
                case RINGBUF_RECORD -> {
                    if (!g.isPtr(PointerKind.RINGBUF_RECORD)) {
                        throw Env.fail(pc, name + " expects a ring-buffer record from bpf_ringbuf_reserve in R" + r + ", not " + g);
                    }
                    if (g.maybeNull) {
                        throw Env.fail(pc, "R" + r + " may be null: test the record before passing it to " + name);
                    }
                    if (!g.value.isConst(0)) {
                        throw Env.fail(pc, name + " needs the record pointer as reserved (offset 0), but R" + r + " has offset " + g.value);
                    }
                    record = g;
                }
                case CONST_STR -> constString(env, pc, name, r, g);
            }
        }
        if (id == RINGBUF_RESERVE || p.ret() == HelperProto.Ret.MEM_OR_NULL) {
            Reg sz = st.reg(p.retSizeArg() + 1);
            if (!sz.isScalar() || !sz.value.isConst()) {
                throw Env.fail(pc, name + " needs a constant size in R" + (p.retSizeArg() + 1) + ", not " + sz);
            }
        }
        if (id == TAIL_CALL && st.refs.length > 0) {
            throw Env.fail(pc, "tail call while holding the ring-buffer record reserved at insn " + st.refPcs[0]
                + " would leak it: submit or discard it first");
        }
        if (record != null) {
            release(st, record.refId, pc);
        }
        if (func != null) {
            if (id != BPF_LOOP) {
                throw Env.fail(pc, "callbacks of " + name + " are not supported (only bpf_loop's)");
            }
            enterCallback(env, st, func.region, pending, true, pc);
            return;
        }
        returnFromHelper(env, st, p, map, mapIdx);
    }

    private static void scalarArg(int pc, String name, int r, Reg g) {
        if (!g.isScalar()) {
            throw Env.fail(pc, name + " expects a scalar in R" + r + ", not the pointer " + g);
        }
    }

    private static void checkMapType(int pc, int id, String name, MapInfo m) {
        boolean ok = switch (id) {
            case 1, 2, 3, 195 -> m.hasValues();
            case 130, 131, 134 -> m.isRingBuf();
            case TAIL_CALL -> m.isProgArray();
            case 25 -> m.type() == MapInfo.PERF_EVENT_ARRAY;
            case 27 -> m.type() == MapInfo.STACK_TRACE;
            default -> true;
        };
        if (!ok) {
            throw Env.fail(pc, name + " cannot be used with map '" + m.name() + "' of type " + m.type());
        }
    }

    /** A memory argument of [umin, umax] bytes at R{r}: in bounds for umax; written or initialised. */
    private static void memArg(Env env, VerifierState st, String name, int r, Reg g, long umin, long umax,
                               boolean write, String what) {
        int pc = st.pc;
        if (!g.isPtr()) {
            throw Env.fail(pc, name + " expects a pointer to " + umax + " bytes of memory (" + what + ") in R" + r + ", not " + g);
        }
        if (g.maybeNull) {
            throw Env.fail(pc, "R" + r + " may be null: test it before passing it to " + name);
        }
        if (!g.kind.isMemory() || g.kind == PointerKind.CTX) {
            throw Env.fail(pc, name + " expects memory in R" + r + ", not the " + g.kind.logName);
        }
        if (write && g.kind != PointerKind.STACK) {
            Memory.checkWritable(env, pc, g, r);
        }
        Scalar eff = g.value;
        if (g.kind != PointerKind.STACK) {
            Memory.checkBounds(env, pc, g, r, eff, umax, name + " " + what);
            return;
        }
        if (eff.smin < 0 || eff.smax > StackState.SIZE - umax) {
            throw Env.fail(pc, name + " " + what + " R" + r + " " + g + " of " + umax
                + " bytes is outside the 512-byte stack frame");
        }
        Frame f = st.frames[g.region];
        int lo = (int) eff.smin, hi = (int) (eff.smax + umax);
        env.useStack(f.function, StackState.SIZE - lo);
        if (write) {
            if (eff.isConst()) {
                f.stack.fill(lo, lo + (int) umin);
                f.stack.writeSomewhere(lo + (int) umin, hi, false);
            } else {
                f.stack.writeSomewhere(lo, hi, false);
            }
            return;
        }
        int bad = f.stack.firstUninit(lo, hi);
        if (bad >= 0) {
            throw Env.fail(pc, name + " reads " + umax + " bytes of " + what + " at R" + r + ", but fp" + (bad - 512)
                + " is not initialised");
        }
        int ptr = f.stack.firstPointer(lo, hi);
        if (ptr >= 0 && !env.cfg.allowPointerLeaks()) {
            throw Env.fail(pc, name + " would read the pointer spilled at fp" + ((ptr & ~7) - 512) + " as data (address leak)");
        }
    }

    private static void constString(Env env, int pc, String name, int r, Reg g) {
        if (!g.isPtr(PointerKind.GLOBAL_DATA) || g.writable) {
            throw Env.fail(pc, name + " expects a constant string in read-only data (.rodata) in R" + r + ", not " + g);
        }
        if (!g.value.isConst() || g.value.constValue() < 0 || g.value.constValue() >= g.size) {
            throw Env.fail(pc, name + ": string pointer R" + r + " " + g + " is not a constant offset inside its map");
        }
        byte[] data = env.map(g.region).frozen();
        if (data != null) {
            for (int i = (int) g.value.constValue(); i < data.length; i++) {
                if (data[i] == 0) {
                    return;
                }
            }
            throw Env.fail(pc, name + ": the string at R" + r + " is not NUL-terminated inside '" + env.map(g.region).name() + "'");
        }
    }

    /** Ends a reference: every copy of the record (and of pointers derived from it) becomes unreadable. */
    private static void release(VerifierState st, int ref, int pc) {
        st.release(ref);
        Reg gone = Reg.released(pc);
        st.mapAll(g -> g.isPtr() && g.refId == ref ? gone : g);
    }

    private static void clobberArgs(VerifierState st) {
        for (int r = 1; r <= 5; r++) {
            st.set(r, Reg.NOT_INIT);
        }
    }

    private static void returnFromHelper(Env env, VerifierState st, HelperProto p, MapInfo map, int mapIdx) {
        int pc = st.pc;
        Reg r0 = switch (p.ret()) {
            case INTEGER -> Reg.UNKNOWN;
            case VOID -> Reg.NOT_INIT;
            case MAP_VALUE_OR_NULL -> {
                if (map == null) {
                    throw Env.fail(pc, "helper returns a map value but takes no map");
                }
                yield Reg.pointer(PointerKind.MAP_VALUE, mapIdx, map.valueSize(), !map.readOnly(), Scalar.ZERO)
                    .withNull(true, env.newId());
            }
            case MEM_OR_NULL -> {
                long size = st.reg(p.retSizeArg() + 1).value.constValue();
                int ref = env.newId();
                st.acquire(ref, pc);
                // The record lies in the ring buffer passed as the map argument: its region is that
                // map's (the JIT drops the checks of accesses proven inside it).
                yield Reg.pointer(PointerKind.RINGBUF_RECORD, mapIdx, size, true, Scalar.ZERO).withNull(true, ref).withRef(ref);
            }
        };
        clobberArgs(st);
        st.set(0, r0);
        st.pc = pc + 1;
    }

    // ---- bpf_loop ----------------------------------------------------------------------------

    /**
     * Runs the callback as a function of (u32 index, ctx). At the call, the zero-iteration outcome
     * is pushed; each callback exit forks into "run it again" and "return to the caller".
     */
    private static void enterCallback(Env env, VerifierState st, int target, Deque<VerifierState> pending, boolean first,
                                      int pc) {
        if (!first) {
            st.callbackRuns++;
        }
        if (first) {
            VerifierState none = st.copy();
            none.regs0Unknown();
            clobberArgs(none);
            none.pc = pc + 1;
            if (st.parent != null) {
                st.parent.branches++;
            }
            pending.push(none);
        }
        if (st.depth + 1 >= VerifierConfig.MAX_FRAMES) {
            throw Env.fail(pc, "bpf_loop callback would exceed the 8-frame call limit");
        }
        Reg n = st.reg(1);
        long hi = Math.min(LOOP_MAX - 1, Long.compareUnsigned(n.value.umax, LOOP_MAX) < 0 ? n.value.umax - 1 : LOOP_MAX - 1);
        Frame cb = new Frame(pc, target, st.depth + 1, true);
        cb.regs[1] = Reg.scalar(Scalar.urange(0, Math.max(hi, 0)));
        cb.regs[2] = st.reg(3);
        cb.refsAtEntry = st.refs.length;
        StackState[] snap = new StackState[st.depth + 1];
        for (int d = 0; d <= st.depth; d++) {
            snap[d] = st.frames[d].stack.copy();
        }
        cb.firstEntry = snap;
        st.history = VerifierState.History.add(st.history, pc, target);
        st.depth++;
        st.frames[st.depth] = cb;
        st.pc = target;
    }

    // ---- bpf-to-bpf calls --------------------------------------------------------------------

    static void enter(Env env, VerifierState st, Insn in) {
        int pc = st.pc;
        int target = in.target(pc);
        if (st.depth + 1 >= VerifierConfig.MAX_FRAMES) {
            throw Env.fail(pc, "call depth over 8 frames: the call chain is too deep");
        }
        Frame callee = new Frame(pc, target, st.depth + 1, false);
        for (int r = 1; r <= 5; r++) {
            callee.regs[r] = st.reg(r);
        }
        st.history = VerifierState.History.add(st.history, pc, target);
        st.depth++;
        st.frames[st.depth] = callee;
        st.pc = target;
    }

    /** {@code exit}: true when the path ends (the program returns). */
    static boolean exit(Env env, VerifierState st, Deque<VerifierState> pending) {
        int pc = st.pc;
        Reg r0 = st.reg(0);
        if (!r0.isInit()) {
            throw Env.fail(pc, "R0 is not initialised at exit (the return value must be set on every path)");
        }
        Frame f = st.top();
        if (st.depth == 0) {
            if (st.refs.length > 0) {
                throw Env.fail(pc, "the ring-buffer record reserved at insn " + st.refPcs[0]
                    + " is never submitted or discarded on this path (reference leak at exit)");
            }
            if (r0.isPtr() && !env.cfg.allowPointerLeaks()) {
                throw Env.fail(pc, "R0 is a pointer (" + r0 + "): returning it would leak an address");
            }
            return true;
        }
        if (f.callback) {
            if (!r0.isScalar() || r0.value.smin < 0 || r0.value.smax > 1) {
                throw Env.fail(pc, "a bpf_loop callback must return 0 or 1, but R0 is " + r0);
            }
            if (st.refs.length > f.refsAtEntry) {
                throw Env.fail(pc, "the ring-buffer record reserved at insn " + st.refPcs[st.refs.length - 1]
                    + " leaks: a callback must submit or discard what it reserves");
            }
            int site = f.callsite;
            int target = f.function;
            StackState[] first = f.firstEntry;
            st.history = VerifierState.History.add(st.history, pc, site + 1);
            st.frames[st.depth] = null;
            st.depth--;
            // "Run again": with what the callback changed in its callers' stacks widened, so
            // repeated runs reach a state included in an earlier one.
            VerifierState again = st.copy();
            for (int d = 0; d <= again.depth; d++) {
                widen(again.frames[d].stack, first[d]);
            }
            again.pc = site;
            enterCallback(env, again, target, pending, false, site);
            if (st.parent != null) {
                st.parent.branches++;
            }
            pending.push(again);
            st.regs0Unknown();
            clobberArgs(st);
            st.pc = site + 1;
            return false;
        }
        if (r0.isPtr(PointerKind.STACK) && r0.region == st.depth) {
            throw Env.fail(pc, "R0 points into the returning function's own stack, which dies with it");
        }
        st.history = VerifierState.History.add(st.history, pc, f.callsite + 1);
        st.frames[st.depth] = null;
        st.depth--;
        clobberArgs(st);
        st.set(0, r0);
        st.pc = f.callsite + 1;
        return false;
    }

    /** Makes every slot of {@code s} that differs from {@code first} as unknown as its type allows. */
    private static void widen(StackState s, StackState first) {
        for (int slot = 0; slot < StackState.SIZE / 8; slot++) {
            Reg a = s.spill[slot], b = first.spill[slot];
            if (a != null && a.isScalar() && !a.equals(b)) {
                s.spill[slot] = Reg.UNKNOWN;
            }
            for (int i = slot * 8; i < slot * 8 + 8; i++) {
                if (s.kind[i] == StackState.ZERO && first.kind[i] != StackState.ZERO) {
                    s.kind[i] = StackState.MISC;
                }
            }
        }
    }
}

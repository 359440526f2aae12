package dev.sonde.bpf.verifier;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The explored states kept at prune points, and the test that lets a path stop early: a state that
 * is included in one already explored to completion behaves as a subset of it, so its paths are
 * already proven (Linux's is_state_visited / states_equal with range inclusion).
 *
 * <p>Only <em>completed</em> states (every path below them has ended) may prune: pruning against a
 * state still being explored — an ancestor on the current path, since the search is depth-first —
 * would accept a loop that never ends. An exact repeat of such an ancestor is an infinite loop.
 * The one exception is a bpf_loop callback's entry: the helper bounds how often it runs, so a
 * callback state included in an ancestor's may be pruned (the callback's fixpoint).
 */
final class Explored {
    /** One kept state; {@code branches} counts the paths below it that have not ended. */
    static final class Entry {
        final VerifierState state;
        final Entry parent;
        final int pc;
        final int hash;
        int branches = 1;
        int hits;
        int misses;

        Entry(VerifierState state, Entry parent, int pc, int hash) {
            this.state = state;
            this.parent = parent;
            this.pc = pc;
            this.hash = hash;
        }
    }

    private final Structure structure;
    private final Map<Integer, List<Entry>> byPc = new HashMap<>();
    int kept;

    Explored(Structure structure) {
        this.structure = structure;
    }

    enum Verdict { PRUNED, LOOP, NEW }

    /** Result of {@link #visit}: the verdict, and for NEW the entry the path now descends from. */
    record Visit(Verdict verdict, Entry entry) {
    }

    Visit visit(VerifierState cur, boolean callbackEntry, int maxStates) {
        List<Entry> list = byPc.computeIfAbsent(cur.pc, k -> new ArrayList<>(2));
        int hash = exactHash(cur);
        for (Iterator<Entry> it = list.iterator(); it.hasNext(); ) {
            Entry e = it.next();
            if (e.branches == 0 || callbackEntry) {
                if (includes(e.state, cur)) {
                    e.hits++;
                    return new Visit(Verdict.PRUNED, e);
                }
            } else if (e.hash == hash && exactlyEqual(e.state, cur)) {
                // Inside a bpf_loop callback an exact repeat is the next iteration reaching the
                // state of an earlier one: the helper bounds the iterations, and every other
                // successor (the return to the caller) was forked off at the callback's exit, so
                // this is the callback's fixpoint, not a loop that never ends.
                if (cur.inCallback() && e.state.callbackRuns != cur.callbackRuns) {
                    e.hits++;
                    return new Visit(Verdict.PRUNED, e);
                }
                return new Visit(Verdict.LOOP, e);
            }
            e.misses++;
            // Linux's heuristic: a completed state that keeps missing is unlikely ever to prune.
            if (e.branches == 0 && e.misses > e.hits * 3 + 3 && list.size() > 8) {
                it.remove();
                kept--;
            }
        }
        if (kept >= maxStates) {
            return new Visit(Verdict.NEW, cur.parent);
        }
        VerifierState snap = cur.copy();
        snap.history = null;
        Entry e = new Entry(snap, cur.parent, cur.pc, hash);
        list.add(e);
        kept++;
        return new Visit(Verdict.NEW, e);
    }

    /** A path through {@code e} ended: completions propagate to the ancestors. */
    static void finish(Entry e) {
        while (e != null) {
            if (--e.branches > 0) {
                return;
            }
            e = e.parent;
        }
    }

    // ---- inclusion --------------------------------------------------------------------------

    /**
     * Registers of frame {@code d} that matter: for the top frame those live at the next
     * instruction; for a caller, r6-r9 live where the callee returns (r0-r5 are overwritten) — and
     * r1-r5 too when the callee is a bpf_loop callback, whose next run reads them again.
     */
    private int live(VerifierState st, int d) {
        if (d == st.depth) {
            return structure.liveIn[st.pc];
        }
        Frame callee = st.frames[d + 1];
        int mask = structure.liveIn[callee.callsite + 1] & 0x3c0;
        return callee.callback ? mask | 0x3e : mask;
    }

    private boolean includes(VerifierState old, VerifierState cur) {
        if (old.depth != cur.depth || old.refs.length != cur.refs.length) {
            return false;
        }
        IdMap ids = new IdMap();
        for (int d = cur.depth; d >= 0; d--) {
            Frame of = old.frames[d], cf = cur.frames[d];
            if (of.callsite != cf.callsite || of.callback != cf.callback) {
                return false;
            }
            int live = live(cur, d);
            for (int r = 0; r < 10; r++) {
                if ((live & (1 << r)) != 0 && !includes(of.regs[r], cf.regs[r], ids)) {
                    return false;
                }
            }
            if (!includes(of.stack, cf.stack, ids)) {
                return false;
            }
        }
        for (int i = 0; i < old.refs.length; i++) {
            if (!ids.map(old.refs[i], cur.refs[i])) {
                return false;
            }
        }
        return true;
    }

    private static boolean includes(StackState o, StackState c, IdMap ids) {
        for (int slot = 0; slot < StackState.SIZE / 8; slot++) {
            int base = slot * 8;
            Reg os = o.spill[slot];
            if (os != null) {
                if (!os.isInit()) {
                    continue;
                }
                Reg cs = c.spill[slot];
                if (cs != null) {
                    if (!includes(os, cs, ids)) {
                        return false;
                    }
                } else if (!(os.isScalar() && os.value.equals(Scalar.UNKNOWN) && initialisedScalar(c, base, base + 8))) {
                    // Only a fully unknown spilled scalar is matched by plain initialised bytes.
                    return false;
                }
                continue;
            }
            for (int i = base; i < base + 8; i++) {
                byte ok = o.kind[i];
                if (ok == StackState.UNINIT) {
                    continue;   // the old paths never read it
                }
                if (ok == StackState.MISC) {
                    if (!initialisedScalar(c, i, i + 1)) {
                        return false;
                    }
                } else if (!c.allZero(i, i + 1)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Bytes [lo, hi) of {@code c} are written and hold no pointer. */
    private static boolean initialisedScalar(StackState c, int lo, int hi) {
        return c.firstUninit(lo, hi) < 0 && c.firstPointer(lo, hi) < 0;
    }

    private static boolean includes(Reg o, Reg c, IdMap ids) {
        if (!o.isInit()) {
            return true;    // never read on the old paths
        }
        if (o.type != c.type) {
            return false;
        }
        if (o.isScalar()) {
            return o.value.contains(c.value) && (o.id == 0 || ids.map(o.id, c.id));
        }
        return o.kind == c.kind && o.region == c.region && o.size == c.size && o.writable == c.writable
            && o.maybeNull == c.maybeNull && o.value.contains(c.value)
            && (o.id == 0 || ids.map(o.id, c.id)) && (o.refId == 0 ? c.refId == 0 : ids.map(o.refId, c.refId));
    }

    /** A consistent map from the old state's ids to the new one's (allocated on first use). */
    private static final class IdMap {
        private HashMap<Integer, Integer> m;

        boolean map(int o, int c) {
            if (c == 0) {
                return false;
            }
            if (m == null) {
                m = new HashMap<>();
            }
            Integer prev = m.putIfAbsent(o, c);
            return prev == null || prev == c;
        }
    }

    /** A hash of what {@link #exactlyEqual} compares, so that most in-progress entries are skipped at once. */
    private int exactHash(VerifierState st) {
        int h = st.depth * 31 + st.refs.length;
        for (int d = st.depth; d >= 0; d--) {
            Frame f = st.frames[d];
            int live = live(st, d);
            for (int r = 0; r < 10; r++) {
                if ((live & (1 << r)) != 0) {
                    Reg g = f.regs[r];
                    h = h * 31 + g.type.ordinal();
                    if (g.value != null) {
                        Scalar v = g.value;
                        h = h * 31 + Long.hashCode(v.t.value() ^ v.t.mask() * 7 ^ v.umin * 13 ^ v.umax * 17 ^ v.smin * 19
                            ^ v.smax * 23 ^ v.u32min * 29 ^ v.u32max * 37);
                    }
                }
            }
            h = h * 31 + java.util.Arrays.hashCode(f.stack.kind);
        }
        return h;
    }

    // ---- exact repetition -------------------------------------------------------------------

    private boolean exactlyEqual(VerifierState old, VerifierState cur) {
        if (old.depth != cur.depth || old.refs.length != cur.refs.length) {
            return false;
        }
        for (int d = cur.depth; d >= 0; d--) {
            Frame of = old.frames[d], cf = cur.frames[d];
            if (of.callsite != cf.callsite) {
                return false;
            }
            int live = live(cur, d);
            for (int r = 0; r < 10; r++) {
                if ((live & (1 << r)) != 0 && !sameValue(of.regs[r], cf.regs[r])) {
                    return false;
                }
            }
            if (!java.util.Arrays.equals(of.stack.kind, cf.stack.kind)) {
                return false;
            }
            for (int s = 0; s < of.stack.spill.length; s++) {
                Reg a = of.stack.spill[s], b = cf.stack.spill[s];
                if (a != b && (a == null || b == null || !sameValue(a, b))) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Equal up to the renaming of ids (ids are fresh on every path). */
    private static boolean sameValue(Reg a, Reg b) {
        return a.type == b.type && java.util.Objects.equals(a.value, b.value) && a.kind == b.kind
            && a.region == b.region && a.maybeNull == b.maybeNull && a.size == b.size;
    }
}

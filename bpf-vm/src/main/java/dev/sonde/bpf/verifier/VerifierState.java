package dev.sonde.bpf.verifier;

import java.util.Arrays;
import java.util.function.UnaryOperator;

/**
 * The abstract machine state on one path: the call chain of frames, the acquired references
 * (ring-buffer records not yet submitted or discarded), the next instruction, and the bookkeeping
 * the exploration needs (nearest explored ancestor, path history for the log).
 */
final class VerifierState {
    Frame[] frames;
    int depth;
    int pc;
    /** Acquired reference ids and the slot that acquired each. */
    int[] refs = new int[0];
    int[] refPcs = new int[0];
    /** Nearest ancestor kept in the explored-state lists; its branch count includes this path. */
    Explored.Entry parent;
    /** Last control transfer on this path (for the log). */
    History history;
    /**
     * How many times a bpf_loop callback was re-entered on this path: two exactly equal states with
     * different counts are successive iterations (the callback's fixpoint), equal counts a loop
     * inside one iteration. Not part of state equality.
     */
    int callbackRuns;

    VerifierState(Frame entry) {
        frames = new Frame[VerifierConfig.MAX_FRAMES];
        frames[0] = entry;
    }

    private VerifierState(VerifierState o) {
        frames = new Frame[o.frames.length];
        for (int i = 0; i <= o.depth; i++) {
            frames[i] = o.frames[i].copy();
        }
        depth = o.depth;
        pc = o.pc;
        refs = o.refs;
        refPcs = o.refPcs;
        parent = o.parent;
        history = o.history;
        callbackRuns = o.callbackRuns;
    }

    VerifierState copy() {
        return new VerifierState(this);
    }

    /** True when some frame of the chain was entered by bpf_loop as a callback. */
    boolean inCallback() {
        for (int d = 0; d <= depth; d++) {
            if (frames[d].callback) {
                return true;
            }
        }
        return false;
    }

    Frame top() {
        return frames[depth];
    }

    Reg reg(int r) {
        return frames[depth].regs[r];
    }

    void set(int r, Reg v) {
        frames[depth].regs[r] = v;
    }

    /** After a helper returns: r0 is some number. */
    void regs0Unknown() {
        set(0, Reg.UNKNOWN);
    }

    void acquire(int ref, int atPc) {
        refs = Arrays.copyOf(refs, refs.length + 1);
        refPcs = Arrays.copyOf(refPcs, refPcs.length + 1);
        refs[refs.length - 1] = ref;
        refPcs[refPcs.length - 1] = atPc;
    }

    boolean holds(int ref) {
        for (int r : refs) {
            if (r == ref) {
                return true;
            }
        }
        return false;
    }

    void release(int ref) {
        for (int i = 0; i < refs.length; i++) {
            if (refs[i] == ref) {
                int[] nr = new int[refs.length - 1];
                int[] np = new int[refs.length - 1];
                System.arraycopy(refs, 0, nr, 0, i);
                System.arraycopy(refs, i + 1, nr, i, refs.length - i - 1);
                System.arraycopy(refPcs, 0, np, 0, i);
                System.arraycopy(refPcs, i + 1, np, i, refs.length - i - 1);
                refs = nr;
                refPcs = np;
                return;
            }
        }
    }

    /** Applies {@code f} to every register and spilled register of every frame (for id propagation). */
    void mapAll(UnaryOperator<Reg> f) {
        for (int d = 0; d <= depth; d++) {
            Frame fr = frames[d];
            for (int r = 0; r < 11; r++) {
                fr.regs[r] = f.apply(fr.regs[r]);
            }
            Reg[] sp = fr.stack.spill;
            for (int s = 0; s < sp.length; s++) {
                if (sp[s] != null) {
                    sp[s] = f.apply(sp[s]);
                }
            }
        }
    }

    /** A persistent list of the control transfers of a path: a jump from {@code from} to {@code to}. */
    record History(int from, int to, History prev, int length) {
        static History add(History h, int from, int to) {
            return new History(from, to, h, h == null ? 1 : h.length + 1);
        }
    }

    String describe() {
        StringBuilder sb = new StringBuilder();
        for (int d = 0; d <= depth; d++) {
            Frame f = frames[d];
            if (depth > 0) {
                sb.append(d == 0 ? "" : "\n").append("frame ").append(d).append(f.callback ? " (callback)" : "")
                    .append(f.callsite >= 0 ? " from insn " + f.callsite : "").append(":");
            }
            for (int r = 0; r <= 10; r++) {
                Reg g = f.regs[r];
                if (g.isInit() || g.releasedAt >= 0) {
                    sb.append(" R").append(r).append('=').append(r == 10 ? "fp" + d : g.toString());
                }
            }
            sb.append(f.stack.describe());
        }
        if (refs.length > 0) {
            sb.append(" refs=");
            for (int i = 0; i < refs.length; i++) {
                sb.append(i == 0 ? "" : ",").append(refs[i]).append("@insn").append(refPcs[i]);
            }
        }
        return sb.toString().trim();
    }
}

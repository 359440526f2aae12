package dev.sonde.bpf.jit;

import dev.sonde.bpf.isa.Op;
import dev.sonde.bpf.vm.Program;
import java.util.Arrays;
import java.util.TreeSet;

/**
 * The shape of a program as the JIT needs it: its functions (the entry and every bpf-to-bpf call
 * or code-address target, each running to the next one) and the basic blocks inside them, with
 * the number of instructions each block costs the budget.
 *
 * <p>A block ends before every jump target and after every jump, exit and call, so that a block
 * runs either completely or up to a fault, and its cost can be charged once at its entry (see
 * {@link FunctionGen}). The slot after the last one (the interpreter's sentinel, which faults
 * with "fell off the end") is a block of cost 1 when the last function can run into it.
 *
 * <p>The JIT declines what a JVM method cannot express: a jump from one function into another,
 * and a function whose last instruction runs on into the next function's code.
 */
final class ControlFlow {
    final int slots;
    final Op[] ops;
    final int[] dst;
    final int[] src;
    final int[] aux;
    final long[] imm;
    /** Function entry slots, ascending; functions[0] == 0. */
    final int[] functions;
    /** leader[i]: a block starts at slot i (i in 0..slots). */
    final boolean[] leader;
    /** cost[i] at a leader: instructions in the block (an lddw counts once, as the interpreter counts). */
    final int[] cost;

    private ControlFlow(int slots, Op[] ops, int[] dst, int[] src, int[] aux, long[] imm, int[] functions,
                        boolean[] leader, int[] cost) {
        this.slots = slots;
        this.ops = ops;
        this.dst = dst;
        this.src = src;
        this.aux = aux;
        this.imm = imm;
        this.functions = functions;
        this.leader = leader;
        this.cost = cost;
    }

    static ControlFlow of(Program p) throws JitException {
        int[] code = p.code();
        int n = p.slots();
        Op[] ops = new Op[n];
        int[] dst = new int[n];
        int[] src = new int[n];
        TreeSet<Integer> entries = new TreeSet<>();
        entries.add(0);
        int[] aux = p.aux();
        long[] imm = p.imm();
        for (int i = 0; i < n; i++) {
            if (code[i] == 0) {
                continue;                                   // second slot of an lddw
            }
            ops[i] = Op.ofCode(code[i] & 0xfff);
            dst[i] = (code[i] >>> 12) & 15;
            src[i] = (code[i] >>> 16) & 15;
            if (ops[i] == Op.CALL_LOCAL) {
                entries.add(aux[i]);
            } else if (ops[i] == Op.LDDW_FUNC) {
                entries.add((int) imm[i] & 0xffffffff);     // low half is the target slot
            }
        }
        int[] functions = entries.stream().mapToInt(Integer::intValue).toArray();
        boolean[] leader = new boolean[n + 1];
        for (int f : functions) {
            leader[f] = true;
        }
        for (int k = 0; k < functions.length; k++) {
            int start = functions[k];
            int end = k + 1 < functions.length ? functions[k + 1] : n;
            int last = -1;
            for (int i = start; i < end; i++) {
                Op op = ops[i];
                if (op == null) {
                    continue;
                }
                last = i;
                if (op.isJump()) {
                    int t = aux[i];
                    if (t < start || t >= end) {
                        throw new JitException(i, "jump to insn " + t + " leaves the function at insn " + start);
                    }
                    leader[t] = true;
                }
                if (endsBlock(op) && i + 1 < n) {       // the sentinel is a block only if reachable
                    leader[i + 1] = true;
                }
            }
            if (last >= 0 && fallsThrough(ops[last]) && end < n) {
                throw new JitException(last, "the function at insn " + start
                    + " runs on into the function at insn " + end);
            }
            if (last >= 0 && fallsThrough(ops[last])) {
                leader[n] = true;                           // the sentinel: "fell off the end"
            }
        }
        int[] cost = new int[n + 1];
        for (int i = 0; i <= n; i++) {
            if (!leader[i]) {
                continue;
            }
            if (i == n) {
                cost[i] = 1;
                continue;
            }
            int c = 0;
            int j = i;
            do {
                c++;
                j += ops[j].isWide() ? 2 : 1;
            } while (j < n && !leader[j] && !isFunctionStart(functions, j));
            cost[i] = c;
        }
        return new ControlFlow(n, ops, dst, src, aux, imm, functions, leader, cost);
    }

    private static boolean isFunctionStart(int[] functions, int i) {
        return Arrays.binarySearch(functions, i) >= 0;
    }

    /** The first slot after function {@code k}. */
    int functionEnd(int k) {
        return k + 1 < functions.length ? functions[k + 1] : slots;
    }

    static boolean endsBlock(Op op) {
        return op.isJump() || switch (op.shape) {
            case EXIT, CALL, CALL_LOCAL, CALLX -> true;
            default -> false;
        };
    }

    static boolean fallsThrough(Op op) {
        return op.shape != Op.Shape.EXIT && op.shape != Op.Shape.JA && op.shape != Op.Shape.JA32;
    }
}

package dev.sonde.bpf.jit;

import dev.sonde.bpf.isa.Encoder;
import dev.sonde.bpf.isa.Insn;
import dev.sonde.bpf.isa.Op;
import dev.sonde.bpf.vm.Cpu;
import dev.sonde.bpf.vm.HelperTable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Random, mostly valid programs for differential testing: straight-line and branching code
 * (forward and backward jumps of both widths, so loops that only the budget ends), every ALU
 * row, divisions by zero, shifts by anything, byte swaps, MOVSX, loads and stores of every size
 * to the stack and to caller memory (in and out of bounds), atomics (aligned or not), helper
 * calls (pure, throwing, budget-spending, memory-reading), callx with good and bad ids, and
 * bpf-to-bpf calls, recursion included.
 *
 * <p>The programs keep the eBPF calling convention that a verifier enforces (see
 * {@link CallGen}): every function first writes r0 and r6..r9; r9 holds the caller-memory
 * pointer and is never written again; after a bpf-to-bpf call r1..r5 are written before use.
 */
final class RandomProgram {
    static final int MEM_MAX = 64;

    /** Helpers 1..4 as described in the class comment. */
    static final HelperTable HELPERS = HelperTable.empty()
        .with(1, "mix", (cpu, a, b, c, d, e) -> a * 31 + (b ^ e) - c * d)
        .with(2, "sometimes_throws", (cpu, a, b, c, d, e) -> {
            if ((a & 15) == 0) {
                throw new IllegalStateException("helper 2 refuses " + a);
            }
            return a >>> 3;
        })
        .with(3, "spend_budget", (cpu, a, b, c, d, e) -> {
            cpu.setBudget(cpu.budget() - (a & 63));
            return cpu.budget();
        })
        .with(4, "peek", (cpu, a, b, c, d, e) -> cpu.load8(a));

    private static final Op[] ALU = Arrays.stream(Op.values()).filter(o -> switch (o.shape) {
        case ALU_K, ALU_X, UNARY, MOVSX, END -> true;
        default -> false;
    }).toArray(Op[]::new);
    private static final Op[] JUMPS = Arrays.stream(Op.values())
        .filter(o -> o.shape == Op.Shape.JMP_K || o.shape == Op.Shape.JMP_X).toArray(Op[]::new);
    private static final Op[] MEMORY = Arrays.stream(Op.values()).filter(o -> switch (o.shape) {
        case LDX, ST, STX, ATOMIC, LOAD_ACQ, STORE_REL -> true;
        default -> false;
    }).toArray(Op[]::new);

    /** One instruction with a symbolic target: a unit of the same function, or a function. */
    private record Unit(Insn insn, int jumpTo, int callTo) {
    }

    private final SplittableRandom rnd;
    private final int memLen;
    private final List<List<Unit>> functions = new ArrayList<>();

    RandomProgram(SplittableRandom rnd, int memLen) {
        this.rnd = rnd;
        this.memLen = memLen;
    }

    /** The program's text section. */
    byte[] generate() {
        int nf = 1 + (rnd.nextInt(4) == 0 ? 1 + rnd.nextInt(2) : 0);
        for (int f = 0; f < nf; f++) {
            functions.add(function(f, nf));
        }
        return layout();
    }

    private List<Unit> function(int f, int nf) {
        List<Unit> u = new ArrayList<>();
        for (int r : new int[] {0, 6, 7, 8}) {
            u.add(plain(Insn.of(Op.MOV64_K, r, 0, 0, imm())));
        }
        u.add(plain(Insn.of(Op.MOV64_X, 9, 1, 0, 0)));
        int body = 3 + rnd.nextInt(f == 0 ? 40 : 15);
        int firstBody = u.size();
        for (int k = 0; k < body; k++) {
            int what = rnd.nextInt(100);
            if (what < 40) {
                u.add(alu());
            } else if (what < 62) {
                memory(u);
            } else if (what < 77) {
                int to = firstBody + rnd.nextInt(body + 1);
                if (rnd.nextInt(8) == 0) {
                    u.add(new Unit(Insn.of(rnd.nextBoolean() ? Op.JA : Op.JA32, 0, 0, 0, 0), to, -1));
                } else {
                    u.add(new Unit(jump(), to, -1));
                }
            } else if (what < 85) {
                helper(u);
            } else if (what < 92 && nf > 1) {
                int to = f == 0 ? 1 + rnd.nextInt(nf - 1) : rnd.nextInt(nf - 1) + 1;
                u.add(plain(Insn.of(Op.MOV64_X, 1, 9, 0, 0)));
                u.add(new Unit(Insn.of(Op.CALL_LOCAL, 0, 0, 0, 0), -1, to));
                u.add(plain(Insn.of(Op.MOV64_X, 1, 9, 0, 0)));
                for (int r = 2; r <= 5; r++) {
                    u.add(plain(Insn.of(Op.MOV64_K, r, 0, 0, imm())));
                }
            } else if (what < 95) {
                u.add(plain(Insn.of(Op.LDDW, reg(), 0, 0, rnd.nextLong())));
            } else {
                u.add(plain(Insn.of(Op.MOV64_K, reg(), 0, 0, 0)));        // divisors of zero
            }
        }
        // Units may jump to index firstBody + body, the exit.
        while (u.size() < firstBody + body) {
            u.add(alu());
        }
        if (u.size() > firstBody + body) {
            // Calls and memory ops add units; keep jump targets inside by clamping at layout.
        }
        if (f < nf - 1 || rnd.nextInt(50) != 0) {
            // Fold every register into r0 so that a wrong value anywhere shows in the result.
            for (int r = 1; r <= 8; r++) {
                u.add(plain(Insn.of(Op.MUL64_K, 0, 0, 0, 0x9e3779b1)));
                u.add(plain(Insn.of(Op.XOR64_X, 0, r, 0, 0)));
            }
            u.add(plain(Insn.of(Op.EXIT, 0, 0, 0, 0)));
        } else {
            u.add(alu());                                            // the last function may fall off the end
        }
        return u;
    }

    private static Unit plain(Insn i) {
        return new Unit(i, -1, -1);
    }

    private int reg() {
        return rnd.nextInt(9);                                        // r0..r8: r9 and r10 stay put
    }

    private long imm() {
        return switch (rnd.nextInt(8)) {
            case 0 -> 0;
            case 1 -> 1;
            case 2 -> -1;
            case 3 -> rnd.nextInt(64);
            case 4 -> Integer.MIN_VALUE;
            case 5 -> 255;
            default -> rnd.nextInt();
        };
    }

    private Unit alu() {
        Op op = ALU[rnd.nextInt(ALU.length)];
        int d = reg();
        return plain(switch (op.shape) {
            case ALU_K -> Insn.of(op, d, 0, 0, imm());
            case ALU_X, MOVSX -> Insn.of(op, d, rnd.nextInt(10), 0, 0);
            default -> Insn.of(op, d, 0, 0, 0);
        });
    }

    private Insn jump() {
        Op op = JUMPS[rnd.nextInt(JUMPS.length)];
        return op.shape == Op.Shape.JMP_K ? Insn.of(op, rnd.nextInt(11), 0, 0, imm())
            : Insn.of(op, rnd.nextInt(11), rnd.nextInt(11), 0, 0);
    }

    private void memory(List<Unit> u) {
        Op op = MEMORY[rnd.nextInt(MEMORY.length)];
        int size = op.accessSize();
        int base;
        int off;
        int scheme = rnd.nextInt(10);
        boolean aligned = rnd.nextInt(8) != 0;                     // mostly: misaligned atomics fault
        boolean inside = rnd.nextInt(10) != 0;                     // mostly: out of bounds faults
        if (scheme < 4) {
            base = 10;
            off = inside ? -(size + rnd.nextInt(513 - size)) : -520 + rnd.nextInt(530);
        } else if (scheme < 8) {
            base = 9;
            off = inside ? rnd.nextInt(memLen - size + 1) : rnd.nextInt(memLen + 6) - 3;
        } else {
            base = 8;
            boolean stack = rnd.nextBoolean();
            u.add(plain(Insn.of(Op.MOV64_X, 8, stack ? 10 : 9, 0, 0)));
            int k = inside ? (stack ? -256 - rnd.nextInt(200) : rnd.nextInt(memLen / 2)) : rnd.nextInt(1100) - 540;
            u.add(plain(Insn.of(Op.ADD64_K, 8, 0, 0, aligned ? k & ~7 : k)));
            off = rnd.nextInt(8);
        }
        if (aligned) {
            off &= ~(size - 1);
        }
        int v = rnd.nextInt(9);
        boolean writesSrc = op.shape == Op.Shape.ATOMIC && op.variant >= 5 && op.variant <= 9;
        u.add(plain(switch (op.shape) {
            case LDX, LOAD_ACQ -> Insn.of(op, reg(), base, off, 0);
            case ST -> Insn.of(op, base, 0, off, imm());
            case ATOMIC -> Insn.of(op, base, writesSrc ? v : rnd.nextInt(11), off, 0);
            default -> Insn.of(op, base, rnd.nextInt(11), off, 0);
        }));
    }

    private void helper(List<Unit> u) {
        if (rnd.nextInt(6) == 0) {
            int r = reg();
            u.add(plain(Insn.of(Op.MOV64_K, r, 0, 0, rnd.nextInt(7) - 1)));
            u.add(plain(Insn.of(Op.CALLX, r, 0, 0, 0)));
            return;
        }
        int id = 1 + rnd.nextInt(4);
        if (id == 4 && rnd.nextBoolean()) {
            u.add(plain(Insn.of(Op.MOV64_X, 1, 9, 0, 0)));
            u.add(plain(Insn.of(Op.ADD64_K, 1, 0, 0, rnd.nextInt(memLen + 4) - 2)));
        }
        u.add(plain(Insn.of(Op.CALL, 0, 0, 0, id)));
    }

    private byte[] layout() {
        int[][] slotOf = new int[functions.size()][];
        int slot = 0;
        for (int f = 0; f < functions.size(); f++) {
            List<Unit> us = functions.get(f);
            slotOf[f] = new int[us.size()];
            for (int k = 0; k < us.size(); k++) {
                slotOf[f][k] = slot;
                slot += us.get(k).insn().slots();
            }
        }
        List<Insn> out = new ArrayList<>();
        for (int f = 0; f < functions.size(); f++) {
            List<Unit> us = functions.get(f);
            for (int k = 0; k < us.size(); k++) {
                Unit un = us.get(k);
                Insn in = un.insn();
                int here = slotOf[f][k];
                if (un.jumpTo() >= 0) {
                    int to = Math.min(un.jumpTo(), us.size() - 1);
                    int rel = slotOf[f][to] - here - 1;
                    in = in.op() == Op.JA32 ? Insn.of(Op.JA32, 0, 0, 0, rel) : Insn.of(in.op(), in.dst(), in.src(), rel, in.imm());
                } else if (un.callTo() >= 0) {
                    in = Insn.of(Op.CALL_LOCAL, 0, 0, 0, slotOf[un.callTo()][0] - here - 1);
                }
                out.add(in);
            }
        }
        return Encoder.encode(out);
    }

    /** Random caller memory contents. */
    static byte[] memory(SplittableRandom rnd, int len) {
        byte[] m = new byte[len];
        for (int i = 0; i < len; i++) {
            m[i] = (byte) rnd.nextInt();
        }
        return m;
    }

    static Cpu freshCpu() {
        return new Cpu(0);
    }
}

package dev.sonde.bpf.vm;

import dev.sonde.bpf.isa.DecodeException;
import dev.sonde.bpf.isa.Decoder;
import dev.sonde.bpf.isa.Insn;
import dev.sonde.bpf.isa.Op;
import dev.sonde.bpf.mem.Addr;
import java.util.Arrays;

/**
 * A program prepared for running: decoded, structurally checked and pre-decoded into flat arrays
 * the interpreter reads without decoding anything per step.
 *
 * <p>Pre-decoded form, one entry per 8-byte slot plus one sentinel:
 * <pre>
 *  code[i]:  bits 0-11 the row's internal code (opcode | variant << 8), 12-15 dst, 16-19 src
 *  aux[i]:   memory offset for loads/stores; absolute target slot for jumps and local calls;
 *            helper id for helper calls
 *  imm[i]:   immediate, sign-extended to 64 bits; for lddw the resolved 64-bit constant
 *  magic[i]: for an unsigned DIV/MOD by an immediate d >= 2, the {@link Reciprocal} multiplier;
 *            aux[i] is then its shift + 1 (aux is 0 for every other ALU instruction)
 * </pre>
 * The sentinel after the last slot has code 0 (no instruction has it) and traps as "fell off the
 * end". The second slot of an lddw also has code 0; no jump may land there.
 */
public final class Program {
    final String name;
    final Insn[] insns;
    final int[] code;
    final int[] aux;
    final long[] imm;
    final long[] magic;
    final Helper[] helpers;
    final long budget;
    final Options options;
    /** Whether the program takes the address of a function ({@code lddw src=4}): only then can a helper call back into it. */
    final boolean loadsCodeAddress;

    private Program(String name, Insn[] insns, int[] code, int[] aux, long[] imm, long[] magic, Helper[] helpers,
                    Options options) {
        this.name = name;
        this.insns = insns;
        this.code = code;
        this.aux = aux;
        this.imm = imm;
        this.magic = magic;
        this.helpers = helpers;
        this.budget = options.budget();
        this.options = options;
        boolean funcAddr = false;
        for (Insn in : insns) {
            funcAddr |= in != null && in.op() == Op.LDDW_FUNC;
        }
        this.loadsCodeAddress = funcAddr;
    }

    /** Prepares raw instructions (a bare text section). */
    public static Program load(String name, byte[] text, Options options) throws LoadException {
        Insn[] insns;
        try {
            insns = Decoder.decode(text);
        } catch (DecodeException e) {
            throw new LoadException(e.slot(), e.getMessage().replaceFirst("^insn \\d+: ", ""), e);
        }
        return load(name, insns, options);
    }

    /** Prepares decoded instructions, indexed by slot (null after each lddw). */
    public static Program load(String name, Insn[] insns, Options options) throws LoadException {
        int n = insns.length;
        if (n == 0) {
            throw new LoadException(-1, "program has no instructions");
        }
        int[] code = new int[n + 1];
        int[] aux = new int[n + 1];
        long[] imm = new long[n + 1];
        long[] magic = new long[n + 1];
        for (int i = 0; i < n; i++) {
            Insn in = insns[i];
            if (in == null) {
                continue;
            }
            Op op = in.op();
            check(i, in, insns, options);
            code[i] = op.code | in.dst() << 12 | in.src() << 16;
            imm[i] = in.imm();
            switch (op.shape) {
                case JMP_K, JMP_X, JA, JA32, CALL_LOCAL -> aux[i] = in.target(i);
                case CALL -> aux[i] = (int) in.imm();
                case LDX, ST, STX, ATOMIC, LOAD_ACQ, STORE_REL -> aux[i] = in.off();
                case LDDW -> imm[i] = resolveLddw(i, in, options);
                case ALU_K -> prepareDivision(i, op, in.imm(), aux, magic);
                default -> aux[i] = in.off();
            }
        }
        return new Program(name, insns, code, aux, imm, magic, options.helpers().dense(), options);
    }

    private static void check(int i, Insn in, Insn[] insns, Options o) throws LoadException {
        Op op = in.op();
        if (op.minCpu > o.cpuVersion()) {
            throw new LoadException(i, op.mnemonic + " needs -mcpu=v" + op.minCpu + ", program is loaded as v" + o.cpuVersion());
        }
        if (!o.groups().contains(op.group)) {
            throw new LoadException(i, op.mnemonic + " belongs to conformance group " + op.group.name().toLowerCase()
                + ", which is not enabled");
        }
        if (writesDst(op) && in.dst() == 10) {
            throw new LoadException(i, op.mnemonic + " writes r10, the read-only frame pointer");
        }
        if (writesSrc(op) && in.src() == 10) {
            throw new LoadException(i, op.mnemonic + " writes r10, the read-only frame pointer");
        }
        switch (op.shape) {
            case JMP_K, JMP_X, JA, JA32, CALL_LOCAL -> checkTarget(i, in.target(i), insns, op.shape == Op.Shape.CALL_LOCAL ? "call" : "jump");
            case LDDW -> {
                if (op == Op.LDDW_FUNC) {
                    checkTarget(i, in.target(i), insns, "code address");
                }
            }
            case CALL -> {
                if (o.helpers().get((int) in.imm()) == null) {
                    throw new LoadException(i, "call to unknown helper " + in.imm());
                }
            }
            default -> {
            }
        }
    }

    private static void checkTarget(int i, int target, Insn[] insns, String what) throws LoadException {
        if (target < 0 || target >= insns.length) {
            throw new LoadException(i, what + " out of range: target " + target + " outside 0.." + (insns.length - 1));
        }
        if (insns[target] == null) {
            throw new LoadException(i, what + " into the middle of lddw at insn " + (target - 1));
        }
    }

    /** Unsigned division by an immediate of at least 2 gets a reciprocal (see {@link Reciprocal}). */
    private static void prepareDivision(int i, Op op, long imm, int[] aux, long[] magic) {
        long d = switch (op) {
            case DIV64_K, MOD64_K -> imm;
            case DIV32_K, MOD32_K -> imm & 0xffffffffL;
            default -> 0;
        };
        if (d >= 2) {
            long[] ms = Reciprocal.magic(d);
            magic[i] = ms[0];
            aux[i] = (int) ms[1] + 1;
        }
    }

    private static boolean writesDst(Op op) {
        return switch (op.shape) {
            case ALU_K, ALU_X, UNARY, MOVSX, END, LDX, LDDW, LOAD_ACQ -> true;
            default -> false;
        };
    }

    private static boolean writesSrc(Op op) {
        return op.shape == Op.Shape.ATOMIC && (op.discrValue & 1) != 0 && op.discrValue != 0xf1;
    }

    private static long resolveLddw(int i, Insn in, Options o) throws LoadException {
        Op op = in.op();
        if (op == Op.LDDW) {
            return in.imm();
        }
        if (op == Op.LDDW_FUNC) {
            return Addr.of(Addr.CODE, in.target(i));
        }
        return o.resolver().resolve(i, op, (int) in.imm(), (int) (in.imm() >>> 32));
    }

    public String name() {
        return name;
    }

    /** The decoded instructions, indexed by slot (null after each lddw). */
    public Insn[] insns() {
        return insns.clone();
    }

    public int slots() {
        return insns.length;
    }

    public Options options() {
        return options;
    }

    /** The pre-decoded words (layout in the class comment), one per slot plus the sentinel; a copy, for the JIT. */
    public int[] code() {
        return code.clone();
    }

    /** Offsets, absolute targets and helper ids per slot (see the class comment); a copy, for the JIT. */
    public int[] aux() {
        return aux.clone();
    }

    /** Immediates per slot, with each lddw's constant as resolved at load; a copy, for the JIT. */
    public long[] imm() {
        return imm.clone();
    }

    /** Helper bodies by id, null where none; a copy, for the JIT. */
    public Helper[] helpers() {
        return helpers.clone();
    }

    /** Instructions one run may execute. */
    public long budget() {
        return budget;
    }

    @Override
    public String toString() {
        return "Program[" + name + ", " + insns.length + " slots, helpers " + Arrays.toString(
            java.util.stream.IntStream.range(0, helpers.length).filter(k -> helpers[k] != null).toArray()) + "]";
    }
}

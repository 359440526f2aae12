package dev.sonde.bpf.jit;

import static net.bytebuddy.jar.asm.Opcodes.*;

import dev.sonde.bpf.isa.Op;
import dev.sonde.bpf.mem.RegionTable;
import dev.sonde.bpf.vm.Cpu;
import dev.sonde.bpf.vm.Program;
import java.util.ArrayList;
import java.util.List;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Type;

/**
 * Emits one eBPF function as one static JVM method:
 * {@code long f<slot>(Cpu cpu, byte[] stack, int depth, long r1, …, long r5)} returning r0.
 *
 * <p><b>Registers</b> are long locals; r10 is computed once from {@code depth} (it is read-only),
 * and so is {@code top}, the index in {@code stack} one past this frame. r0 and r6..r9 start at 0:
 * a verified program never reads them before writing them.
 *
 * <p><b>Budget.</b> A local copy of the remaining budget is charged at each block's entry with
 * the block's full cost, one subtraction and a sign test per block. When the budget cannot pay
 * for the block, the registers are spilled and the interpreter continues from the block's first
 * instruction with what is left ({@link JitRuntime#outOfBudget}): it faults exactly where a run
 * in the interpreter faults, at the same instruction and with the same kind, and with the same
 * stores done before. The budget goes to {@code cpu} around every call (helpers may spend
 * budget, callees continue charging it) and at exit.
 *
 * <p><b>Faults</b> are thrown as the Cpu's preallocated signal from {@link JitRuntime} with the
 * slot already recorded, and unwind every generated frame to {@link CompiledProgram#run}.
 */
final class FunctionGen {
    static final String CPU = Type.getInternalName(Cpu.class);
    static final String RT = Type.getInternalName(JitRuntime.class);
    static final String PROGRAM = Type.getInternalName(Program.class);

    // Local variable slots. r1..r5 are the parameters; long locals take two slots.
    static final int L_CPU = 0;
    static final int L_STACK = 1;
    static final int L_DEPTH = 2;
    private static final int[] REG = {13, 3, 5, 7, 9, 11, 15, 17, 19, 21, 23};
    static final int L_BUDGET = 25;
    static final int L_TOP = 27;
    static final int L_PC = 28;
    /** Caller region 0's array and base, in functions with {@link AccessProofs.Kind#CALLER} slots. */
    static final int L_CALLER_DATA = 29;
    static final int L_CALLER_BASE = 30;

    final MethodVisitor mv;
    final ControlFlow cf;
    final ClassConstants consts;
    final Program program;
    final AccessProofs proofs;
    final RegionTable regions;
    final String owner;
    /** The program's helper array, one object for the whole class (callx indexes it). */
    final dev.sonde.bpf.vm.Helper[] helperArray;
    final int start;
    final int end;
    private final Label[] labels;
    private final List<int[]> budgetSlowPaths = new ArrayList<>();
    private final List<Integer> tailSlowPaths = new ArrayList<>();
    private final Label outOfBudget = new Label();
    private final Label tail = new Label();
    /** End of the method's code: its offset is the method's bytecode size once the class is written. */
    final Label endOfCode = new Label();
    /** Bit r set: register r is known to hold a non-negative value (reset at every block entry). */
    private int nonNeg;

    FunctionGen(ClassVisitor cv, ControlFlow cf, ClassConstants consts, Program program, AccessProofs proofs,
                RegionTable regions, String owner, int function, dev.sonde.bpf.vm.Helper[] helperArray) {
        this.helperArray = helperArray;
        this.cf = cf;
        this.consts = consts;
        this.program = program;
        this.proofs = proofs;
        this.regions = regions;
        this.owner = owner;
        this.start = cf.functions[function];
        this.end = cf.functionEnd(function);
        this.labels = new Label[cf.slots + 1];
        this.mv = cv.visitMethod(ACC_PRIVATE | ACC_STATIC, methodName(start), DESC, null, null);
    }

    static final String DESC = "(L" + CPU + ";[BIJJJJJ)J";

    static String methodName(int slot) {
        return "f" + slot;
    }

    static int reg(int r) {
        return REG[r];
    }

    void emit() {
        mv.visitCode();
        for (int r : new int[] {0, 6, 7, 8, 9}) {
            mv.visitInsn(LCONST_0);
            mv.visitVarInsn(LSTORE, reg(r));
        }
        // r10 = frame pointer of frame `depth`: region STACK_FRAME_0 + depth, offset 512.
        mv.visitVarInsn(ILOAD, L_DEPTH);
        mv.visitInsn(ICONST_1);
        mv.visitInsn(IADD);
        mv.visitInsn(I2L);
        mv.visitIntInsn(BIPUSH, 32);
        mv.visitInsn(LSHL);
        mv.visitLdcInsn(512L);
        mv.visitInsn(LOR);
        mv.visitVarInsn(LSTORE, reg(10));
        mv.visitVarInsn(ILOAD, L_DEPTH);
        mv.visitInsn(ICONST_1);
        mv.visitInsn(IADD);
        mv.visitIntInsn(SIPUSH, 512);
        mv.visitInsn(IMUL);
        mv.visitVarInsn(ISTORE, L_TOP);
        if (usesCaller()) {
            mv.visitVarInsn(ALOAD, L_CPU);
            mv.visitMethodInsn(INVOKESTATIC, RT, "callerData", "(L" + CPU + ";)[B", false);
            mv.visitVarInsn(ASTORE, L_CALLER_DATA);
            mv.visitVarInsn(ALOAD, L_CPU);
            mv.visitMethodInsn(INVOKESTATIC, RT, "callerBase", "(L" + CPU + ";)I", false);
            mv.visitVarInsn(ISTORE, L_CALLER_BASE);
        }
        loadBudget();
        for (int i = start; i < end; i++) {
            if (cf.leader[i]) {
                mv.visitLabel(label(i));
                charge(i);
                nonNeg = 1 << 10;
            }
            Op op = cf.ops[i];
            if (op == null) {
                continue;
            }
            instruction(i, op);
        }
        if (end == cf.slots && cf.leader[end]) {
            mv.visitLabel(label(end));
            charge(end);
            mv.visitVarInsn(ALOAD, L_CPU);
            pushInt(end);
            mv.visitMethodInsn(INVOKESTATIC, RT, "fellOffEnd", "(L" + CPU + ";I)Ljava/lang/RuntimeException;", false);
            mv.visitInsn(ATHROW);
        }
        emitSlowPaths();
        mv.visitLabel(endOfCode);
        mv.visitMaxs(0, 0);
        mv.visitEnd();
    }

    private boolean usesCaller() {
        for (int i = start; i < end; i++) {
            if (cf.ops[i] != null && proofs.kind(i) == AccessProofs.Kind.CALLER) {
                return true;
            }
        }
        return false;
    }

    private void instruction(int i, Op op) {
        int d = cf.dst[i];
        int s = cf.src[i];
        switch (op.shape) {
            case ALU_K, ALU_X, UNARY, MOVSX, END, LDDW -> CodeGen.alu(this, i, op, d, s, cf.imm[i]);
            case JMP_K, JMP_X, JA, JA32 -> CodeGen.jump(this, op, d, s, cf.imm[i], cf.aux[i]);
            case LDX, ST, STX, ATOMIC, LOAD_ACQ, STORE_REL -> MemoryGen.access(this, i, op, d, s, cf.aux[i], cf.imm[i]);
            case CALL, CALLX, CALL_LOCAL, EXIT -> CallGen.call(this, i, op, d, cf.aux[i]);
        }
    }

    /** Charges the block at {@code i}; when the budget cannot pay for all of it, goes to the interpreter. */
    private void charge(int i) {
        long k = cf.cost[i];
        Label slowPath = new Label();
        budgetSlowPaths.add(new int[] {i});
        slowPathLabels.add(slowPath);
        // budget -= k; if (budget < 0) { budget += k; to the interpreter }: one subtraction and
        // a test of its sign on the hot path.
        mv.visitVarInsn(LLOAD, L_BUDGET);
        pushLong(k);
        mv.visitInsn(LSUB);
        mv.visitInsn(DUP2);
        mv.visitVarInsn(LSTORE, L_BUDGET);
        mv.visitInsn(LCONST_0);
        mv.visitInsn(LCMP);
        mv.visitJumpInsn(IFLT, slowPath);
    }

    private final List<Label> slowPathLabels = new ArrayList<>();

    /** After a helper call: if it asked for a tail call, leave for the interpreter. */
    void tailCheck(int pc) {
        Label slowPath = new Label();
        tailSlowPaths.add(pc);
        tailLabels.add(slowPath);
        mv.visitVarInsn(ALOAD, L_CPU);
        mv.visitMethodInsn(INVOKEVIRTUAL, CPU, "tailCallPending", "()Z", false);
        mv.visitJumpInsn(IFNE, slowPath);
    }

    private final List<Label> tailLabels = new ArrayList<>();

    /** The cold paths, out of line at the end of the method so that the hot code stays dense. */
    private void emitSlowPaths() {
        for (int k = 0; k < budgetSlowPaths.size(); k++) {
            mv.visitLabel(slowPathLabels.get(k));
            int slot = budgetSlowPaths.get(k)[0];
            mv.visitVarInsn(LLOAD, L_BUDGET);                  // give the block's cost back
            pushLong(cf.cost[slot]);
            mv.visitInsn(LADD);
            mv.visitVarInsn(LSTORE, L_BUDGET);
            pushInt(slot);
            mv.visitJumpInsn(GOTO, outOfBudget);
        }
        if (!budgetSlowPaths.isEmpty()) {
            mv.visitLabel(outOfBudget);
            mv.visitVarInsn(ISTORE, L_PC);
            spill();
            mv.visitLdcInsn(consts.of(program, Program.class, "program"));
            mv.visitVarInsn(ALOAD, L_CPU);
            mv.visitVarInsn(ILOAD, L_PC);
            mv.visitMethodInsn(INVOKESTATIC, RT, "outOfBudget",
                "(L" + PROGRAM + ";L" + CPU + ";I)Ljava/lang/RuntimeException;", false);
            mv.visitInsn(ATHROW);
        }
        for (int k = 0; k < tailSlowPaths.size(); k++) {
            mv.visitLabel(tailLabels.get(k));
            pushInt(tailSlowPaths.get(k));
            mv.visitJumpInsn(GOTO, tail);
        }
        if (!tailSlowPaths.isEmpty()) {
            mv.visitLabel(tail);
            mv.visitVarInsn(ISTORE, L_PC);
            spill();
            mv.visitVarInsn(ALOAD, L_CPU);
            mv.visitVarInsn(ILOAD, L_DEPTH);
            mv.visitVarInsn(ILOAD, L_PC);
            mv.visitMethodInsn(INVOKESTATIC, RT, "tailCall", "(L" + CPU + ";II)J", false);
            mv.visitInsn(LRETURN);
        }
    }

    /** Registers and budget to the Cpu, for the interpreter to continue. */
    private void spill() {
        for (int r = 0; r <= 10; r++) {
            mv.visitVarInsn(ALOAD, L_CPU);
            pushInt(r);
            mv.visitVarInsn(LLOAD, reg(r));
            mv.visitMethodInsn(INVOKEVIRTUAL, CPU, "setReg", "(IJ)V", false);
        }
        storeBudget();
    }

    void storeBudget() {
        mv.visitVarInsn(ALOAD, L_CPU);
        mv.visitVarInsn(LLOAD, L_BUDGET);
        mv.visitMethodInsn(INVOKEVIRTUAL, CPU, "setBudget", "(J)V", false);
    }

    void loadBudget() {
        mv.visitVarInsn(ALOAD, L_CPU);
        mv.visitMethodInsn(INVOKEVIRTUAL, CPU, "budget", "()J", false);
        mv.visitVarInsn(LSTORE, L_BUDGET);
    }

    Label label(int slot) {
        Label l = labels[slot];
        if (l == null) {
            l = labels[slot] = new Label();
        }
        return l;
    }

    void pushInt(int v) {
        if (v >= -1 && v <= 5) {
            mv.visitInsn(ICONST_0 + v);
        } else if (v >= Byte.MIN_VALUE && v <= Byte.MAX_VALUE) {
            mv.visitIntInsn(BIPUSH, v);
        } else if (v >= Short.MIN_VALUE && v <= Short.MAX_VALUE) {
            mv.visitIntInsn(SIPUSH, v);
        } else {
            mv.visitLdcInsn(v);
        }
    }

    void pushLong(long v) {
        if (v == 0 || v == 1) {
            mv.visitInsn(LCONST_0 + (int) v);
        } else {
            mv.visitLdcInsn(v);
        }
    }

    void loadReg(int r) {
        mv.visitVarInsn(LLOAD, reg(r));
    }

    void storeReg(int r, boolean knownNonNegative) {
        mv.visitVarInsn(LSTORE, reg(r));
        nonNeg = knownNonNegative ? nonNeg | 1 << r : nonNeg & ~(1 << r);
    }

    boolean nonNegative(int r) {
        return (nonNeg & 1 << r) != 0;
    }
}

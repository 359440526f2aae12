package dev.sonde.bpf.jit;

import static net.bytebuddy.jar.asm.Opcodes.*;

import dev.sonde.bpf.isa.Op;
import dev.sonde.bpf.mem.Addr;
import dev.sonde.bpf.vm.Helper;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;

/**
 * Helper calls, bpf-to-bpf calls and exit.
 *
 * <p><b>bpf-to-bpf calls are JVM calls</b> of the callee's static method, with
 * {@code depth + 1}: the callee's r10 and frame follow from it, r6..r9 survive because they are
 * the caller's locals, and the callee's r0 is the return value. One method per function (rather
 * than inlining every call site) keeps code size linear in the program, lets C2 decide what to
 * inline, and gives recursion the interpreter's limit (8 frames, then CALL_DEPTH) for free.
 * What differs from the interpreter only for programs a verifier rejects: a callee starts with
 * r0, r6..r9 = 0 (the interpreter shows it the caller's values), and after the call r1..r5 hold
 * the caller's values (the interpreter leaves the callee's); both are "uninitialised" registers
 * in the eBPF calling convention.
 *
 * <p><b>Helpers</b> are called on their {@link Helper} object as a class constant, so C2 can
 * inline the helper's body; {@code callx} indexes the program's helper array (also a constant).
 */
final class CallGen {
    private CallGen() {
    }

    static void call(FunctionGen g, int i, Op op, int d, int aux) {
        MethodVisitor mv = g.mv;
        switch (op) {
            case EXIT -> {
                g.storeBudget();
                g.loadReg(0);
                mv.visitInsn(LRETURN);
            }
            case CALL -> {
                Helper h = g.helperArray[aux];
                g.storeBudget();
                mv.visitLdcInsn(g.consts.of(h, Helper.class, "helper" + aux));
                mv.visitVarInsn(ALOAD, FunctionGen.L_CPU);
                args(g);
                g.pushInt(i);
                mv.visitMethodInsn(INVOKESTATIC, FunctionGen.RT, "call",
                    "(L" + HELPER + ";L" + FunctionGen.CPU + ";JJJJJI)J", false);
                afterHelper(g, i);
            }
            case CALLX -> {
                g.storeBudget();
                mv.visitLdcInsn(g.consts.of(helpers(g), Helper[].class, "helpers"));
                mv.visitVarInsn(ALOAD, FunctionGen.L_CPU);
                g.loadReg(d);
                args(g);
                g.pushInt(i);
                mv.visitMethodInsn(INVOKESTATIC, FunctionGen.RT, "callx",
                    "([L" + HELPER + ";L" + FunctionGen.CPU + ";JJJJJJI)J", false);
                afterHelper(g, i);
            }
            case CALL_LOCAL -> local(g, i, aux);
            default -> throw new AssertionError(op + " is no call");
        }
    }

    private static final String HELPER = "dev/sonde/bpf/vm/Helper";

    private static Helper[] helpers(FunctionGen g) {
        return g.helperArray;
    }

    private static void args(FunctionGen g) {
        for (int r = 1; r <= 5; r++) {
            g.loadReg(r);
        }
    }

    private static void afterHelper(FunctionGen g, int i) {
        g.storeReg(0, false);
        g.loadBudget();
        g.tailCheck(i);
    }

    private static void local(FunctionGen g, int i, int target) {
        MethodVisitor mv = g.mv;
        Label ok = new Label();
        mv.visitVarInsn(ILOAD, FunctionGen.L_DEPTH);
        g.pushInt(Addr.MAX_FRAMES - 1);
        mv.visitJumpInsn(IF_ICMPLT, ok);
        mv.visitVarInsn(ALOAD, FunctionGen.L_CPU);
        g.pushInt(i);
        mv.visitMethodInsn(INVOKESTATIC, FunctionGen.RT, "callDepth",
            "(L" + FunctionGen.CPU + ";I)Ljava/lang/RuntimeException;", false);
        mv.visitInsn(ATHROW);
        mv.visitLabel(ok);
        g.storeBudget();
        mv.visitVarInsn(ALOAD, FunctionGen.L_CPU);
        mv.visitVarInsn(ALOAD, FunctionGen.L_STACK);
        mv.visitVarInsn(ILOAD, FunctionGen.L_DEPTH);
        mv.visitInsn(ICONST_1);
        mv.visitInsn(IADD);
        args(g);
        mv.visitMethodInsn(INVOKESTATIC, g.owner, FunctionGen.methodName(target), FunctionGen.DESC, false);
        g.storeReg(0, false);
        g.loadBudget();
    }
}

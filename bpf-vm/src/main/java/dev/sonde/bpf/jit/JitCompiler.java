package dev.sonde.bpf.jit;

import static net.bytebuddy.jar.asm.Opcodes.*;

import dev.sonde.bpf.mem.RegionTable;
import dev.sonde.bpf.vm.Helper;
import dev.sonde.bpf.vm.Program;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayList;
import java.util.List;
import net.bytebuddy.jar.asm.ClassTooLargeException;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.MethodTooLargeException;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Type;

/**
 * Compiles a prepared {@link Program} into JVM bytecode: one hidden class per program, one static
 * method per eBPF function (see {@link FunctionGen}, {@link CallGen}), constants passed as class
 * data ({@link ClassConstants}). The class is defined without {@code ClassOption.STRONG}, so it
 * is unloaded once its {@link CompiledProgram} is unreachable.
 *
 * <p>The JIT declines, with a {@link JitException} naming the reason, a program whose control
 * flow a JVM method cannot hold ({@link ControlFlow}) or whose function needs more than
 * {@link #HUGE_METHOD} bytes of bytecode: HotSpot does not JIT-compile larger methods at all
 * ({@code -XX:+DontCompileHugeMethods}), so such a program would run slower than in the
 * interpreter. The caller then keeps using the interpreter.
 */
public final class JitCompiler {
    private JitCompiler() {
    }

    /** HotSpot's HugeMethodLimit: methods with more bytecode than this are never compiled. */
    public static final int HUGE_METHOD = 8000;

    private static final MethodHandles.Lookup LOOKUP = MethodHandles.lookup();

    public static CompiledProgram compile(Program p) throws JitException {
        return compile(p, AccessProofs.none(), RegionTable.global());
    }

    /**
     * Compiles with the verifier's facts about memory accesses; {@code regions} is the table the
     * {@link AccessProofs.Kind#REGION} facts refer to.
     */
    public static CompiledProgram compile(Program p, AccessProofs proofs, RegionTable regions) throws JitException {
        Generated g = generate(p, proofs, regions);
        try {
            MethodHandles.Lookup hidden = LOOKUP.defineHiddenClassWithClassData(g.bytes, g.classData, true);
            JitCode code = (JitCode) hidden.findConstructor(hidden.lookupClass(), MethodType.methodType(void.class)).invoke();
            return new CompiledProgram(p, code);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new JitException(-1, "generated class could not be defined: " + e, e);
        }
    }

    /** The class file and its class data. */
    record Generated(byte[] bytes, List<Object> classData) {
    }

    static Generated generate(Program p, AccessProofs proofs, RegionTable regions) throws JitException {
        ControlFlow cf = ControlFlow.of(p);
        String owner = Type.getInternalName(JitCompiler.class).replace("JitCompiler", "Jit$" + sanitize(p.name()));
        ClassWriter cw = new ClassWriter(ClassWriter.COMPUTE_FRAMES) {
            @Override
            protected String getCommonSuperClass(String a, String b) {
                // Only Cpu and byte[] live in locals, the same at every merge point.
                return "java/lang/Object";
            }
        };
        cw.visit(V17, ACC_FINAL | ACC_SUPER, owner, null, "java/lang/Object",
            new String[] {Type.getInternalName(JitCode.class)});
        constructor(cw);
        ClassConstants consts = new ClassConstants();
        run(cw, owner, proofs, consts, p);
        Helper[] helpers = p.helpers();
        List<FunctionGen> functions = new ArrayList<>();
        for (int k = 0; k < cf.functions.length; k++) {
            FunctionGen f = new FunctionGen(cw, cf, consts, p, proofs, regions, owner, k, helpers);
            f.emit();
            functions.add(f);
        }
        consts.resolveAtInit(cw);
        cw.visitEnd();
        byte[] bytes;
        try {
            bytes = cw.toByteArray();
        } catch (MethodTooLargeException e) {
            throw new JitException(-1, "function " + e.getMethodName() + " needs " + e.getCodeSize()
                + " bytes of bytecode, over the JVM's limit of 65535");
        } catch (ClassTooLargeException e) {
            throw new JitException(-1, "the generated class is over the JVM's limits: " + e.getMessage());
        }
        for (FunctionGen f : functions) {
            int size = f.endOfCode.getOffset();
            if (size > HUGE_METHOD) {
                throw new JitException(f.start, "the function at insn " + f.start + " needs " + size
                    + " bytes of bytecode; HotSpot does not compile methods over " + HUGE_METHOD);
            }
        }
        return new Generated(bytes, consts.classData());
    }

    private static void constructor(ClassWriter cw) {
        MethodVisitor mv = cw.visitMethod(ACC_PUBLIC, "<init>", "()V", null, null);
        mv.visitCode();
        mv.visitVarInsn(ALOAD, 0);
        mv.visitMethodInsn(INVOKESPECIAL, "java/lang/Object", "<init>", "()V", false);
        mv.visitInsn(RETURN);
        mv.visitMaxs(0, 0);
        mv.visitEnd();
    }

    /**
     * {@code run(cpu, r1..r5)}: the entry function at depth 0. With proofs that hold only under an
     * entry assumption ({@link AccessProofs#rawEntryLength}), first the test of it, once per run;
     * a run that fails it goes to the interpreter.
     */
    private static void run(ClassWriter cw, String owner, AccessProofs proofs, ClassConstants consts, Program p) {
        MethodVisitor mv = cw.visitMethod(ACC_PUBLIC | ACC_FINAL, "run", "(L" + FunctionGen.CPU + ";JJJJJ)J", null, null);
        mv.visitCode();
        if (proofs.rawEntryLength() >= 0) {
            net.bytebuddy.jar.asm.Label ok = new net.bytebuddy.jar.asm.Label();
            mv.visitVarInsn(ALOAD, 1);
            mv.visitVarInsn(LLOAD, 2);
            mv.visitVarInsn(LLOAD, 4);
            mv.visitLdcInsn(proofs.rawEntryLength());
            mv.visitLdcInsn(proofs.callerPerms());
            mv.visitMethodInsn(INVOKESTATIC, FunctionGen.RT, "rawEntry", "(L" + FunctionGen.CPU + ";JJII)Z", false);
            mv.visitJumpInsn(IFNE, ok);
            mv.visitLdcInsn(consts.of(p, Program.class, "program"));
            mv.visitVarInsn(ALOAD, 1);
            for (int k = 0; k < 5; k++) {
                mv.visitVarInsn(LLOAD, 2 + 2 * k);
            }
            mv.visitMethodInsn(INVOKESTATIC, FunctionGen.RT, "interpret",
                "(L" + FunctionGen.PROGRAM + ";L" + FunctionGen.CPU + ";JJJJJ)J", false);
            mv.visitInsn(LRETURN);
            mv.visitLabel(ok);
        }
        mv.visitVarInsn(ALOAD, 1);
        mv.visitVarInsn(ALOAD, 1);
        mv.visitMethodInsn(INVOKEVIRTUAL, FunctionGen.CPU, "stack", "()[B", false);
        mv.visitInsn(ICONST_0);
        for (int k = 0; k < 5; k++) {
            mv.visitVarInsn(LLOAD, 2 + 2 * k);
        }
        mv.visitMethodInsn(INVOKESTATIC, owner, FunctionGen.methodName(0), FunctionGen.DESC, false);
        mv.visitInsn(LRETURN);
        mv.visitMaxs(0, 0);
        mv.visitEnd();
    }

    private static String sanitize(String name) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < name.length() && sb.length() < 40; i++) {
            char c = name.charAt(i);
            sb.append(Character.isLetterOrDigit(c) || c == '_' ? c : '_');
        }
        return sb.length() == 0 ? "program" : sb.toString();
    }
}

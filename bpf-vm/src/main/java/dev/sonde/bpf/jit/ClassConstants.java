package dev.sonde.bpf.jit;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import net.bytebuddy.jar.asm.ConstantDynamic;
import net.bytebuddy.jar.asm.Handle;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;

/**
 * The objects a generated class uses as constants: the program, its helpers, the byte arrays of
 * proven regions. They travel as the hidden class's class data (a list) and each is loaded with an
 * {@code ldc} of a dynamic constant bootstrapped by {@code MethodHandles.classDataAt}. An
 * {@code ldc} result is a true constant to C2: a helper call through it is devirtualised and
 * inlined, as if the helper were written into the program.
 */
final class ClassConstants {
    private static final Handle CLASS_DATA_AT = new Handle(Opcodes.H_INVOKESTATIC,
        "java/lang/invoke/MethodHandles", "classDataAt",
        "(Ljava/lang/invoke/MethodHandles$Lookup;Ljava/lang/String;Ljava/lang/Class;I)Ljava/lang/Object;", false);

    private final List<Object> values = new ArrayList<>();
    private final Map<Object, ConstantDynamic> seen = new IdentityHashMap<>();
    /** The constants in index order, so that the generated class does not depend on identity hashes. */
    private final List<ConstantDynamic> ordered = new ArrayList<>();

    /**
     * The constant for {@code value} seen as {@code type}; one entry per distinct object.
     * {@code what} only documents the call site: classDataAt insists on the name "_".
     */
    ConstantDynamic of(Object value, Class<?> type, String what) {
        return seen.computeIfAbsent(value, v -> {
            values.add(v);
            ConstantDynamic c = new ConstantDynamic("_", Type.getDescriptor(type), CLASS_DATA_AT, values.size() - 1);
            ordered.add(c);
            return c;
        });
    }

    /**
     * Writes {@code <clinit>} to load every constant once. C2 (JDK 17) gives up on a method with
     * an unresolved dynamic constant ("cannot parse method"), and a constant used only on a cold
     * path (the program, for the budget slow path) would otherwise stay unresolved for ever.
     */
    void resolveAtInit(net.bytebuddy.jar.asm.ClassVisitor cv) {
        net.bytebuddy.jar.asm.MethodVisitor mv = cv.visitMethod(Opcodes.ACC_STATIC, "<clinit>", "()V", null, null);
        mv.visitCode();
        for (ConstantDynamic c : ordered) {
            mv.visitLdcInsn(c);
            mv.visitInsn(Opcodes.POP);
        }
        mv.visitInsn(Opcodes.RETURN);
        mv.visitMaxs(0, 0);
        mv.visitEnd();
    }

    /** The class data to define the class with. */
    List<Object> classData() {
        return List.copyOf(values);
    }
}

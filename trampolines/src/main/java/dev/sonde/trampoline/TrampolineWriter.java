package dev.sonde.trampoline;

import java.util.HashMap;
import java.util.Map;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.Handle;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;
import net.bytebuddy.pool.TypePool;
import net.bytebuddy.utility.AsmClassWriter;

/**
 * Rewrites a class file so that the given methods get entry and return trampolines; every other
 * method, field, attribute and the class's schema are copied unchanged (ASM copies untouched
 * methods byte for byte when the writer shares the reader's constant pool).
 *
 * <p>An instrumented method becomes (Java-like):
 * <pre>
 *   save each parameter (and this) into fresh locals above the method's own max_locals
 *   ts = Hooks.state()                                  // the call's one thread-local lookup
 *   [entry trampoline with ts, see Hooks]                       // constructors: before super(...)
 *   try {                                               // constructors: from after super(...)
 *       original body, each xRETURN replaced by "store result; goto exit"
 *   } catch (Throwable t) {                             // last entry of the exception table
 *       [exit trampoline with t]; throw t;              // the same object, stack trace untouched
 *   }
 *   exit: [exit trampoline with result]; return result;
 * </pre>
 * Frames are recomputed for instrumented methods with Byte Buddy's TypePool-based class writer,
 * which resolves common supertypes from class files instead of loading classes.
 */
final class TrampolineWriter {
    static final String HOOKS = "dev/sonde/trampoline/boot/Hooks";
    static final String STATE = "dev/sonde/trampoline/boot/ThreadState";
    static final String STATE_DESC = "L" + STATE + ";";
    static final String ENTRY_DESC = "(" + STATE_DESC + "Ljava/lang/Object;)V";
    static final String EXIT_DESC = "(" + STATE_DESC + "Ljava/lang/Object;JLjava/lang/Object;Ljava/lang/Throwable;)V";
    static final Handle BOOTSTRAP = new Handle(Opcodes.H_INVOKESTATIC, HOOKS, "link",
            "(Ljava/lang/invoke/MethodHandles$Lookup;Ljava/lang/String;Ljava/lang/invoke/MethodType;I)Ljava/lang/invoke/CallSite;",
            false);

    private TrampolineWriter() {}

    /** {@code methods}: method id by name + descriptor. */
    static byte[] rewrite(byte[] bytes, ClassLoader loader, String internalName, Map<String, Integer> methods) {
        ClassReader reader = new ClassReader(bytes);
        int version = reader.readUnsignedShort(6);
        if (version < Opcodes.V1_7) {
            throw new IllegalArgumentException("class " + internalName.replace('/', '.') + " has class file version " + version
                    + ", older than Java 7 (51): trampolines need invokedynamic");
        }
        Map<String, Integer> maxLocals = maxLocals(reader, methods);
        TypePool pool = TypePool.Default.of(new ClassFileLocator.Compound(
                ClassFileLocator.Simple.of(internalName.replace('/', '.'), bytes), ClassFileLocator.ForClassLoader.of(loader)));
        ClassWriter writer = new AsmClassWriter.FrameComputingClassWriter(reader, ClassWriter.COMPUTE_FRAMES, pool);
        reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String desc, String signature, String[] exceptions) {
                MethodVisitor mv = super.visitMethod(access, name, desc, signature, exceptions);
                Integer id = methods.get(name + desc);
                if (id == null || (access & (Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE)) != 0) {
                    return mv;
                }
                return new MethodTrampoline(mv, id, access, name, desc, maxLocals.get(name + desc));
            }
        }, 0);
        return writer.toByteArray();
    }

    private static Map<String, Integer> maxLocals(ClassReader reader, Map<String, Integer> methods) {
        Map<String, Integer> max = new HashMap<>();
        reader.accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String desc, String signature, String[] exceptions) {
                String key = name + desc;
                if (!methods.containsKey(key)) {
                    return null;
                }
                return new MethodVisitor(Opcodes.ASM9) {
                    @Override
                    public void visitMaxs(int maxStack, int maxLocal) {
                        max.put(key, maxLocal);
                    }
                };
            }
        }, ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
        return max;
    }

    /** The per-method rewriting; see the class comment for the shape. */
    static final class MethodTrampoline extends MethodVisitor {
        private final int id;
        private final boolean isStatic;
        private final boolean isCtor;
        private final Type[] args;
        private final Type result;
        /** Where parameter i lives in the original frame, and where its entry copy lives. */
        private final int[] argLocal;
        private final int[] savedLocal;
        private final int thisLocal;
        private final int stateLocal;
        private final int resultLocal;
        private final int thrownLocal;
        private final Label bodyStart = new Label();
        private final Label bodyEnd = new Label();
        private final Label exit = new Label();
        private final Label handler = new Label();
        private boolean bodyStarted;
        /** Constructors: NEWs whose {@code <init>} has not been seen yet (to find the super call). */
        private int pendingNews;

        MethodTrampoline(MethodVisitor mv, int id, int access, String name, String desc, int maxLocals) {
            super(Opcodes.ASM9, mv);
            this.id = id;
            this.isStatic = (access & Opcodes.ACC_STATIC) != 0;
            this.isCtor = "<init>".equals(name);
            this.args = Type.getArgumentTypes(desc);
            this.result = Type.getReturnType(desc);
            this.argLocal = new int[args.length];
            this.savedLocal = new int[args.length];
            int orig = isStatic ? 0 : 1;
            int next = maxLocals;
            for (int i = 0; i < args.length; i++) {
                argLocal[i] = orig;
                savedLocal[i] = next;
                orig += args[i].getSize();
                next += args[i].getSize();
            }
            thisLocal = next++;
            stateLocal = next++;
            resultLocal = next;
            next += Math.max(1, result.getSize());
            thrownLocal = next;
        }

        @Override
        public void visitCode() {
            super.visitCode();
            for (int i = 0; i < args.length; i++) {
                super.visitVarInsn(args[i].getOpcode(Opcodes.ILOAD), argLocal[i]);
                super.visitVarInsn(args[i].getOpcode(Opcodes.ISTORE), savedLocal[i]);
            }
            // The call's one thread-local lookup; both trampolines use it (a call stays on its thread).
            super.visitMethodInsn(Opcodes.INVOKESTATIC, HOOKS, "state", "()" + STATE_DESC, false);
            super.visitVarInsn(Opcodes.ASTORE, stateLocal);
            trampoline(false, false);
            if (!isCtor) {
                startBody();
            }
        }

        private void startBody() {
            if (!isStatic) {
                super.visitVarInsn(Opcodes.ALOAD, 0);
                super.visitVarInsn(Opcodes.ASTORE, thisLocal);
            }
            super.visitLabel(bodyStart);
            bodyStarted = true;
        }

        @Override
        public void visitTypeInsn(int opcode, String type) {
            super.visitTypeInsn(opcode, type);
            if (opcode == Opcodes.NEW && isCtor && !bodyStarted) {
                pendingNews++;
            }
        }

        @Override
        public void visitMethodInsn(int opcode, String owner, String name, String desc, boolean itf) {
            super.visitMethodInsn(opcode, owner, name, desc, itf);
            if (isCtor && !bodyStarted && opcode == Opcodes.INVOKESPECIAL && "<init>".equals(name)) {
                // javac nests each NEW with its <init>; the first <init> with no NEW pending is
                // the call of super(...) or this(...), after which `this` is initialised.
                if (pendingNews > 0) {
                    pendingNews--;
                } else {
                    startBody();
                }
            }
        }

        @Override
        public void visitInsn(int opcode) {
            if (opcode >= Opcodes.IRETURN && opcode <= Opcodes.RETURN && bodyStarted) {
                if (result.getSort() != Type.VOID) {
                    super.visitVarInsn(result.getOpcode(Opcodes.ISTORE), resultLocal);
                }
                super.visitJumpInsn(Opcodes.GOTO, exit);
                return;
            }
            super.visitInsn(opcode);
        }

        @Override
        public void visitMaxs(int maxStack, int maxLocals) {
            if (bodyStarted) {
                super.visitLabel(bodyEnd);
                super.visitLabel(exit);
                trampoline(true, false);
                if (result.getSort() != Type.VOID) {
                    super.visitVarInsn(result.getOpcode(Opcodes.ILOAD), resultLocal);
                }
                super.visitInsn(result.getOpcode(Opcodes.IRETURN));
                super.visitLabel(handler);
                super.visitVarInsn(Opcodes.ASTORE, thrownLocal);
                trampoline(true, true);
                super.visitVarInsn(Opcodes.ALOAD, thrownLocal);
                super.visitInsn(Opcodes.ATHROW);
                // Visited last so that it is the last entry of the exception table: the method's
                // own handlers, which come first, keep catching what they caught.
                super.visitTryCatchBlock(bodyStart, bodyEnd, handler, "java/lang/Throwable");
            }
            super.visitMaxs(maxStack, maxLocals);
        }

        /** One trampoline: re-entrancy guard on the call's state, fill its arrays, invokedynamic, leave. */
        private void trampoline(boolean atExit, boolean exceptional) {
            Label skip = new Label();
            Label tryStart = new Label();
            Label tryEnd = new Label();
            Label caught = new Label();
            Label done = new Label();
            super.visitVarInsn(Opcodes.ALOAD, stateLocal);
            push(id);
            super.visitMethodInsn(Opcodes.INVOKESTATIC, HOOKS, "enter", "(" + STATE_DESC + "I)Z", false);
            super.visitJumpInsn(Opcodes.IFEQ, skip);
            super.visitTryCatchBlock(tryStart, tryEnd, caught, "java/lang/Throwable");
            super.visitLabel(tryStart);
            for (int i = 0; i < args.length; i++) {
                boolean ref = isReference(args[i]);
                super.visitVarInsn(Opcodes.ALOAD, stateLocal);
                super.visitFieldInsn(Opcodes.GETFIELD, STATE, ref ? "refs" : "prims", ref ? "[Ljava/lang/Object;" : "[J");
                push(i);
                super.visitVarInsn(args[i].getOpcode(Opcodes.ILOAD), savedLocal[i]);
                if (ref) {
                    super.visitInsn(Opcodes.AASTORE);
                } else {
                    encode(args[i]);
                    super.visitInsn(Opcodes.LASTORE);
                }
            }
            super.visitVarInsn(Opcodes.ALOAD, stateLocal);
            if (isStatic || (isCtor && !atExit)) {
                super.visitInsn(Opcodes.ACONST_NULL);
            } else {
                super.visitVarInsn(Opcodes.ALOAD, atExit ? thisLocal : 0);
            }
            if (!atExit) {
                super.visitInvokeDynamicInsn("entry", ENTRY_DESC, BOOTSTRAP, id);
            } else {
                boolean value = !exceptional && result.getSort() != Type.VOID;
                if (value && !isReference(result)) {
                    super.visitVarInsn(result.getOpcode(Opcodes.ILOAD), resultLocal);
                    encode(result);
                } else {
                    super.visitInsn(Opcodes.LCONST_0);
                }
                if (value && isReference(result)) {
                    super.visitVarInsn(Opcodes.ALOAD, resultLocal);
                } else {
                    super.visitInsn(Opcodes.ACONST_NULL);
                }
                if (exceptional) {
                    super.visitVarInsn(Opcodes.ALOAD, thrownLocal);
                } else {
                    super.visitInsn(Opcodes.ACONST_NULL);
                }
                super.visitInvokeDynamicInsn("exit", EXIT_DESC, BOOTSTRAP, id);
            }
            super.visitLabel(tryEnd);
            super.visitJumpInsn(Opcodes.GOTO, done);
            super.visitLabel(caught);
            super.visitInsn(Opcodes.POP);
            super.visitLabel(done);
            super.visitVarInsn(Opcodes.ALOAD, stateLocal);
            super.visitMethodInsn(Opcodes.INVOKESTATIC, HOOKS, "leave", "(" + STATE_DESC + ")V", false);
            super.visitLabel(skip);
        }

        private static boolean isReference(Type t) {
            return t.getSort() == Type.OBJECT || t.getSort() == Type.ARRAY;
        }

        /** The value of type {@code t} on the stack becomes its long encoding (Frame's table). */
        private void encode(Type t) {
            switch (t.getSort()) {
                case Type.BOOLEAN:
                case Type.BYTE:
                case Type.SHORT:
                case Type.INT:
                case Type.CHAR:   // a char is 0..65535 as an int: I2L zero-extends it
                    super.visitInsn(Opcodes.I2L);
                    break;
                case Type.LONG:
                    break;
                case Type.FLOAT:
                    super.visitMethodInsn(Opcodes.INVOKESTATIC, "java/lang/Float", "floatToRawIntBits", "(F)I", false);
                    super.visitInsn(Opcodes.I2L);
                    super.visitLdcInsn(0xFFFF_FFFFL);
                    super.visitInsn(Opcodes.LAND);
                    break;
                case Type.DOUBLE:
                    super.visitMethodInsn(Opcodes.INVOKESTATIC, "java/lang/Double", "doubleToRawLongBits", "(D)J", false);
                    break;
                default:
                    throw new IllegalStateException("not a primitive: " + t);
            }
        }

        private void push(int v) {
            if (v >= -1 && v <= 5) {
                super.visitInsn(Opcodes.ICONST_0 + v);
            } else if (v >= Byte.MIN_VALUE && v <= Byte.MAX_VALUE) {
                super.visitIntInsn(Opcodes.BIPUSH, v);
            } else if (v >= Short.MIN_VALUE && v <= Short.MAX_VALUE) {
                super.visitIntInsn(Opcodes.SIPUSH, v);
            } else {
                super.visitLdcInsn(v);
            }
        }
    }
}

package dev.sonde.bpf.jit;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.HashMap;
import java.util.Map;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ConstantDynamic;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;

/**
 * A class file as text, one instruction a line, for the golden files. Byte Buddy's ASM has no
 * {@code Textifier}, so this is a small one: labels are numbered in order of appearance, stack
 * map frames are left out (ASM computes them), dynamic constants print their class-data index.
 */
final class BytecodeText {
    private BytecodeText() {
    }

    private static final String[] NAMES = new String[256];

    static {
        for (Field f : Opcodes.class.getFields()) {
            String n = f.getName();
            if (!Modifier.isStatic(f.getModifiers()) || f.getType() != int.class || n.startsWith("ACC_")
                || n.startsWith("T_") || n.startsWith("H_") || n.startsWith("F_") || n.startsWith("V")
                || n.startsWith("ASM") || n.startsWith("SOURCE") || n.equals("F_NEW")) {
                continue;
            }
            try {
                int v = f.getInt(null);
                if (v >= 0 && v < 256 && NAMES[v] == null) {
                    NAMES[v] = n;
                }
            } catch (IllegalAccessException e) {
                throw new AssertionError(e);
            }
        }
    }

    static String of(byte[] classFile) {
        StringBuilder sb = new StringBuilder();
        new ClassReader(classFile).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public void visit(int version, int access, String name, String signature, String superName, String[] interfaces) {
                sb.append("class ").append(name).append(" extends ").append(superName);
                for (String i : interfaces) {
                    sb.append(" implements ").append(i);
                }
                sb.append('\n');
            }

            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
                sb.append('\n').append(name).append(descriptor).append('\n');
                return new Printer(sb);
            }
        }, ClassReader.SKIP_FRAMES | ClassReader.SKIP_DEBUG);
        return sb.toString();
    }

    private static final class Printer extends MethodVisitor {
        private final StringBuilder sb;
        private final Map<Label, Integer> labels = new HashMap<>();

        Printer(StringBuilder sb) {
            super(Opcodes.ASM9);
            this.sb = sb;
        }

        private String label(Label l) {
            return "L" + labels.computeIfAbsent(l, k -> labels.size());
        }

        private void line(int opcode, String operand) {
            sb.append("    ").append(NAMES[opcode]);
            if (operand != null) {
                sb.append(' ').append(operand);
            }
            sb.append('\n');
        }

        @Override
        public void visitInsn(int opcode) {
            line(opcode, null);
        }

        @Override
        public void visitIntInsn(int opcode, int operand) {
            line(opcode, Integer.toString(operand));
        }

        @Override
        public void visitVarInsn(int opcode, int var) {
            line(opcode, Integer.toString(var));
        }

        @Override
        public void visitTypeInsn(int opcode, String type) {
            line(opcode, type);
        }

        @Override
        public void visitFieldInsn(int opcode, String owner, String name, String descriptor) {
            line(opcode, owner + "." + name + " " + descriptor);
        }

        @Override
        public void visitMethodInsn(int opcode, String owner, String name, String descriptor, boolean itf) {
            line(opcode, owner.substring(owner.lastIndexOf('/') + 1) + "." + name + descriptor);
        }

        @Override
        public void visitJumpInsn(int opcode, Label label) {
            line(opcode, label(label));
        }

        @Override
        public void visitLabel(Label label) {
            sb.append("  ").append(label(label)).append(":\n");
        }

        @Override
        public void visitLdcInsn(Object value) {
            String text;
            if (value instanceof ConstantDynamic c) {
                text = "classData[" + c.getBootstrapMethodArgument(0) + "] " + c.getDescriptor();
            } else if (value instanceof Long l) {
                text = l + "L";
            } else {
                text = String.valueOf(value);
            }
            sb.append("    LDC ").append(text).append('\n');
        }

        @Override
        public void visitIincInsn(int var, int increment) {
            sb.append("    IINC ").append(var).append(' ').append(increment).append('\n');
        }
    }
}

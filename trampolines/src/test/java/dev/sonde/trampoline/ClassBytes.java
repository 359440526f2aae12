package dev.sonde.trampoline;

import java.lang.instrument.ClassFileTransformer;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.Handle;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;

/**
 * The class file the JVM holds for a loaded class, as the last retransform-capable transformer
 * sees it (the JVM reconstitutes it), and a disassembly of its methods for comparisons that do not
 * depend on constant-pool order.
 */
final class ClassBytes {
    private ClassBytes() {}

    /** Retransforms {@code c} with a capturing transformer added last; Sonde's transformer runs as usual. */
    static byte[] current(Class<?> c) throws Exception {
        byte[][] out = new byte[1][];
        ClassFileTransformer capture = new ClassFileTransformer() {
            @Override
            public byte[] transform(Module m, ClassLoader l, String name, Class<?> redefined, ProtectionDomain pd, byte[] b) {
                if (redefined == c) {
                    out[0] = b.clone();
                }
                return null;
            }
        };
        Fixture.INST.addTransformer(capture, true);
        try {
            Fixture.INST.retransformClasses(c);
        } finally {
            Fixture.INST.removeTransformer(capture);
        }
        return out[0];
    }

    /**
     * Every method's instructions, by name + descriptor: opcodes with resolved operands (names,
     * descriptors, constants), labels numbered in order of appearance, exception table entries.
     * Line numbers and frames are left out (frames are recomputed by any instrumenting agent).
     */
    static Map<String, List<String>> instructions(byte[] bytes) {
        Map<String, List<String>> out = new TreeMap<>();
        new ClassReader(bytes).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String desc, String sig, String[] ex) {
                List<String> ins = new ArrayList<>();
                out.put(name + desc + " access=" + access, ins);
                Map<Label, Integer> labels = new java.util.HashMap<>();
                return new MethodVisitor(Opcodes.ASM9) {
                    private String l(Label x) {
                        return "L" + labels.computeIfAbsent(x, k -> labels.size());
                    }

                    @Override
                    public void visitInsn(int op) { ins.add("insn " + op); }
                    @Override
                    public void visitIntInsn(int op, int v) { ins.add("int " + op + " " + v); }
                    @Override
                    public void visitVarInsn(int op, int v) { ins.add("var " + op + " " + v); }
                    @Override
                    public void visitTypeInsn(int op, String t) { ins.add("type " + op + " " + t); }
                    @Override
                    public void visitFieldInsn(int op, String o, String n, String d) { ins.add("field " + op + " " + o + "." + n + d); }
                    @Override
                    public void visitMethodInsn(int op, String o, String n, String d, boolean itf) { ins.add("method " + op + " " + o + "." + n + d); }
                    @Override
                    public void visitInvokeDynamicInsn(String n, String d, Handle h, Object... a) { ins.add("indy " + n + d + " " + h); }
                    @Override
                    public void visitJumpInsn(int op, Label x) { ins.add("jump " + op + " " + l(x)); }
                    @Override
                    public void visitLabel(Label x) { ins.add("label " + l(x)); }
                    @Override
                    public void visitLdcInsn(Object v) { ins.add("ldc " + v); }
                    @Override
                    public void visitIincInsn(int v, int inc) { ins.add("iinc " + v + " " + inc); }
                    @Override
                    public void visitTableSwitchInsn(int lo, int hi, Label d, Label... ls) { ins.add("tswitch " + lo + " " + hi); }
                    @Override
                    public void visitLookupSwitchInsn(Label d, int[] k, Label[] ls) { ins.add("lswitch " + java.util.Arrays.toString(k)); }
                    @Override
                    public void visitMultiANewArrayInsn(String d, int n) { ins.add("multi " + d + " " + n); }
                    @Override
                    public void visitTryCatchBlock(Label s, Label e, Label h, String t) { ins.add("try " + l(s) + " " + l(e) + " " + l(h) + " " + t); }
                };
            }
        }, ClassReader.SKIP_FRAMES | ClassReader.SKIP_DEBUG);
        return out;
    }

    /** Superclass, interfaces, fields and methods with their access flags: what retransformation may not change. */
    static List<String> schema(byte[] bytes) {
        List<String> out = new ArrayList<>();
        new ClassReader(bytes).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public void visit(int v, int access, String name, String sig, String sup, String[] itfs) {
                out.add("class " + access + " " + name + " extends " + sup + " implements " + java.util.Arrays.toString(itfs));
            }

            @Override
            public net.bytebuddy.jar.asm.FieldVisitor visitField(int access, String name, String desc, String sig, Object v) {
                out.add("field " + access + " " + name + desc);
                return null;
            }

            @Override
            public MethodVisitor visitMethod(int access, String name, String desc, String sig, String[] ex) {
                out.add("method " + access + " " + name + desc + " throws " + java.util.Arrays.toString(ex));
                return null;
            }
        }, ClassReader.SKIP_CODE);
        java.util.Collections.sort(out);
        return out;
    }

    static boolean mentionsSonde(byte[] bytes) {
        return instructions(bytes).values().stream().flatMap(List::stream).anyMatch(s -> s.contains("dev/sonde/trampoline/boot"));
    }
}

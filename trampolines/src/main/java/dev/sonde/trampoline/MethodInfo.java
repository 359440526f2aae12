package dev.sonde.trampoline;

import java.util.Objects;

/**
 * An immutable description of one probed method: its id (unique in the JVM for as long as the
 * method has trampolines), its class's binary name, name, descriptor and the shape of its
 * parameters. It holds no reference to the class or its loader.
 */
public final class MethodInfo {
    private final int id;
    private final String className;
    private final String name;
    private final String descriptor;
    private final char[] argKinds;
    private final char returnKind;
    private final boolean isStatic;

    MethodInfo(int id, String className, String name, String descriptor, boolean isStatic) {
        this.id = id;
        this.className = className;
        this.name = name;
        this.descriptor = descriptor;
        this.isStatic = isStatic;
        net.bytebuddy.jar.asm.Type[] args = net.bytebuddy.jar.asm.Type.getArgumentTypes(descriptor);
        this.argKinds = new char[args.length];
        for (int i = 0; i < args.length; i++) {
            argKinds[i] = kind(args[i]);
        }
        this.returnKind = kind(net.bytebuddy.jar.asm.Type.getReturnType(descriptor));
    }

    private static char kind(net.bytebuddy.jar.asm.Type t) {
        char c = t.getDescriptor().charAt(0);
        return c == '[' ? 'L' : c;
    }

    public int id() {
        return id;
    }

    /** Binary name, e.g. {@code java.util.ArrayList} or {@code com.shop.Cart$Line}. */
    public String className() {
        return className;
    }

    public String name() {
        return name;
    }

    /** JVM descriptor, e.g. {@code (JI)Z}. */
    public String descriptor() {
        return descriptor;
    }

    public boolean isStatic() {
        return isStatic;
    }

    public boolean isConstructor() {
        return "<init>".equals(name);
    }

    public int argCount() {
        return argKinds.length;
    }

    /**
     * The kind of declared parameter {@code i}: its descriptor's first character, one of
     * {@code Z B S C I J F D}, or {@code L} for any reference (arrays included).
     */
    public char argKind(int i) {
        return argKinds[i];
    }

    /** As {@link #argKind} for the return type; {@code V} for void. */
    public char returnKind() {
        return returnKind;
    }

    @Override
    public String toString() {
        return className + "::" + name + descriptor;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MethodInfo && ((MethodInfo) o).id == id && Objects.equals(((MethodInfo) o).toString(), toString());
    }

    @Override
    public int hashCode() {
        return id;
    }
}

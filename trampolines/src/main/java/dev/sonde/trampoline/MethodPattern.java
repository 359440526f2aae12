package dev.sonde.trampoline;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Which methods a link targets: a class-name glob, a method-name glob and an optional exact JVM
 * descriptor. Globs use {@code *} (any run of characters, dots included) and {@code ?} (one
 * character). Class names are binary names ({@code com.shop.Cart$Line}); constructors are
 * {@code <init>}. Immutable.
 *
 * <p>Text form (SEC names, DESIGN.md §3): {@code Class::method} or {@code Class::method(desc)ret},
 * e.g. {@code com.shop.Shop::pay(JI)Z}, {@code java.util.*List::add}.
 */
public final class MethodPattern {
    private final String classGlob;
    private final String methodGlob;
    private final String descriptor;
    private final Pattern classRegex;
    private final Pattern methodRegex;

    private MethodPattern(String classGlob, String methodGlob, String descriptor) {
        this.classGlob = Objects.requireNonNull(classGlob, "classGlob");
        this.methodGlob = Objects.requireNonNull(methodGlob, "methodGlob");
        if (classGlob.isEmpty() || methodGlob.isEmpty()) {
            throw new IllegalArgumentException("empty class or method name in pattern " + classGlob + "::" + methodGlob);
        }
        if (descriptor != null && !descriptor.matches("\\([^()]*\\)[^()]+")) {
            throw new IllegalArgumentException("malformed descriptor " + descriptor + " in pattern " + classGlob + "::" + methodGlob);
        }
        this.descriptor = descriptor;
        this.classRegex = globToRegex(classGlob);
        this.methodRegex = globToRegex(methodGlob);
    }

    public static MethodPattern of(String classGlob, String methodGlob) {
        return new MethodPattern(classGlob, methodGlob, null);
    }

    /** Parses {@code Class::method} or {@code Class::method(desc)ret}. */
    public static MethodPattern parse(String text) {
        int sep = text.indexOf("::");
        if (sep <= 0 || sep + 2 >= text.length()) {
            throw new IllegalArgumentException("expected Class::method[(descriptor)], got " + text);
        }
        String cls = text.substring(0, sep);
        String rest = text.substring(sep + 2);
        int paren = rest.indexOf('(');
        return paren < 0 ? new MethodPattern(cls, rest, null)
                : new MethodPattern(cls, rest.substring(0, paren), rest.substring(paren));
    }

    public MethodPattern withDescriptor(String desc) {
        return new MethodPattern(classGlob, methodGlob, desc);
    }

    public String classGlob() {
        return classGlob;
    }

    public String methodGlob() {
        return methodGlob;
    }

    /** The exact descriptor, or null for every descriptor. */
    public String descriptor() {
        return descriptor;
    }

    /** True when the class part has no glob character: the pattern names one class. */
    public boolean isExactClass() {
        return classGlob.indexOf('*') < 0 && classGlob.indexOf('?') < 0;
    }

    public boolean isExactMethod() {
        return methodGlob.indexOf('*') < 0 && methodGlob.indexOf('?') < 0;
    }

    /** {@code binaryName} as {@code java.util.ArrayList}. */
    public boolean matchesClass(String binaryName) {
        return isExactClass() ? classGlob.equals(binaryName) : classRegex.matcher(binaryName).matches();
    }

    public boolean matchesMethod(String name, String desc) {
        return (isExactMethod() ? methodGlob.equals(name) : methodRegex.matcher(name).matches())
                && (descriptor == null || descriptor.equals(desc));
    }

    private static Pattern globToRegex(String glob) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (c == '*') {
                b.append(".*");
            } else if (c == '?') {
                b.append('.');
            } else {
                b.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(b.toString());
    }

    @Override
    public String toString() {
        return classGlob + "::" + methodGlob + (descriptor == null ? "" : descriptor);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MethodPattern && o.toString().equals(toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }
}

package dev.sonde.probe.symbol;

import java.lang.invoke.MethodType;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Method;

/** JVM method descriptors ({@code (JI)Z}) and the names the JVM gives methods ({@code <init>}). */
public final class Descriptors {
    private Descriptors() {
    }

    public static final String CONSTRUCTOR = "<init>";
    public static final String CLASS_INITIALIZER = "<clinit>";

    /** The descriptor of a method or constructor, e.g. {@code (Ljava/lang/String;I)V}. */
    public static String of(Executable e) {
        Class<?> ret = e instanceof Method m ? m.getReturnType() : void.class;
        return MethodType.methodType(ret, e.getParameterTypes()).toMethodDescriptorString();
    }

    /** The JVM name: the method's name, {@code <init>} for a constructor. */
    public static String nameOf(Executable e) {
        return e instanceof Constructor ? CONSTRUCTOR : e.getName();
    }

    /**
     * Why {@code d} is not a method descriptor ({@code (} field types {@code )} return type, JVMS
     * §4.3.3), or null when it is one.
     */
    public static String problem(String d) {
        if (d.isEmpty() || d.charAt(0) != '(') {
            return "it does not start with '('";
        }
        int close = d.indexOf(')');
        if (close < 0) {
            return "it has no ')'";
        }
        int i = 1;
        while (i < close) {
            int next = fieldType(d, i, close);
            if (next < 0) {
                return "bad parameter type at index " + i + " ('" + d.charAt(i) + "')";
            }
            i = next;
        }
        if (close + 1 == d.length()) {
            return "it has no return type after ')'";
        }
        if (d.charAt(close + 1) == 'V' && close + 2 == d.length()) {
            return null;
        }
        int end = fieldType(d, close + 1, d.length());
        if (end != d.length()) {
            return "bad return type at index " + (close + 1);
        }
        return null;
    }

    /** The index after the field type starting at {@code i} (before {@code end}), or -1. */
    private static int fieldType(String d, int i, int end) {
        while (i < end && d.charAt(i) == '[') {
            i++;
        }
        if (i >= end) {
            return -1;
        }
        char c = d.charAt(i);
        if ("BCDFIJSZ".indexOf(c) >= 0) {
            return i + 1;
        }
        if (c == 'L') {
            int semi = d.indexOf(';', i);
            if (semi < 0 || semi >= end || semi == i + 1) {
                return -1;
            }
            for (int k = i + 1; k < semi; k++) {
                char n = d.charAt(k);
                if (n == '.' || n == '[' || n == '(' || n == ')') {
                    return -1;
                }
            }
            return semi + 1;
        }
        return -1;
    }

    /** Number of declared parameters a descriptor lists. */
    public static int parameterCount(String d) {
        int close = d.indexOf(')');
        int n = 0;
        for (int i = 1; i < close; n++) {
            i = fieldType(d, i, close);
        }
        return n;
    }
}

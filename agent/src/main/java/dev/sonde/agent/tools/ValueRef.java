package dev.sonde.agent.tools;

import dev.sonde.agent.control.ControlClient;
import dev.sonde.agent.control.ControlException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A value argdist and trace read: parameter {@code n} (1-based, by position or by name) or the
 * return value, with an interpretation: {@code int long short byte char bool float double} for the
 * DESIGN.md §3 register encoding, {@code str} for a reference read as a String, {@code ref} for a
 * reference shown as its handle. Written {@code <position>|<name>|ret}[{@code :<type>}]; without a
 * type the method's descriptor gives it (a {@code java.lang.String} is {@code str}, another
 * reference {@code ref}).
 */
record ValueRef(String text, int param, Type type) {
    /** {@code param} of the return value. */
    static final int RET = -1;

    enum Type {
        INT, LONG, SHORT, BYTE, CHAR, BOOL, FLOAT, DOUBLE, STR, REF;

        boolean isNumber() {
            return this != STR && this != REF;
        }

        static Type parse(String s) throws ToolArgs.UsageError {
            return switch (s) {
                case "int", "i", "d" -> INT;
                case "long", "l" -> LONG;
                case "short" -> SHORT;
                case "byte" -> BYTE;
                case "char", "c" -> CHAR;
                case "bool", "boolean" -> BOOL;
                case "float", "f" -> FLOAT;
                case "double" -> DOUBLE;
                case "str", "string", "s" -> STR;
                case "ref", "x" -> REF;
                default -> throw new ToolArgs.UsageError("unknown type ':" + s + "': expected int, long, short, byte, char, bool, "
                    + "float, double, str or ref");
            };
        }

        static Type ofDescriptor(String d) {
            return switch (d.charAt(0)) {
                case 'I' -> INT;
                case 'J' -> LONG;
                case 'S' -> SHORT;
                case 'B' -> BYTE;
                case 'C' -> CHAR;
                case 'Z' -> BOOL;
                case 'F' -> FLOAT;
                case 'D' -> DOUBLE;
                default -> d.equals("Ljava/lang/String;") ? STR : REF;
            };
        }
    }

    boolean isReturn() {
        return param == RET;
    }

    /** The method a tool names, as the JVM has it loaded: its parameter types and names. */
    record Method(String symbol, List<String> paramTypes, String returnType, List<String> paramNames) {
        /** Parses {@code class.method(descriptor)} as SYM and METHODS give it. */
        static Method of(String symbol, List<String> names) {
            int p = symbol.indexOf('(');
            int q = symbol.indexOf(')', p);
            List<String> types = new ArrayList<>();
            String d = symbol.substring(p + 1, q);
            for (int i = 0; i < d.length(); ) {
                int j = i;
                while (d.charAt(j) == '[') {
                    j++;
                }
                if (d.charAt(j) == 'L') {
                    j = d.indexOf(';', j);
                }
                types.add(d.substring(i, j + 1));
                i = j + 1;
            }
            return new Method(symbol, types, symbol.substring(q + 1), names);
        }
    }

    /**
     * The methods {@code target} names in the JVM (at least one, else an error naming it; at
     * start-up, {@code startup}, none may be loaded yet and the list may be empty).
     */
    static List<Method> methods(ControlClient c, String target, boolean startup) throws IOException, ToolArgs.UsageError {
        List<Method> out = new ArrayList<>();
        List<ControlClient.MethodInfo> found;
        try {
            found = c.methods(target);
        } catch (ControlException e) {
            if (!startup) {
                throw e;
            }
            found = List.of();   // "class … is not loaded": at start-up, as expected
        }
        for (ControlClient.MethodInfo m : found) {
            out.add(Method.of(m.symbol(), m.params()));
        }
        if (out.isEmpty() && !startup) {
            throw new ToolArgs.UsageError("no loaded method matches '" + target + "'");
        }
        return out;
    }

    /**
     * Parses {@code text} against the methods the target names; every method must agree on what it
     * means (a parameter position, its type), else the error says to give a descriptor.
     */
    static ValueRef parse(String text, List<Method> methods) throws ToolArgs.UsageError {
        String name = text;
        Type given = null;
        int colon = text.lastIndexOf(':');
        if (colon >= 0) {
            name = text.substring(0, colon);
            given = Type.parse(text.substring(colon + 1));
        }
        if (name.startsWith("$")) {
            name = name.substring(1);
        }
        if (name.isEmpty()) {
            throw new ToolArgs.UsageError("'" + text + "' names no value: expected a parameter's position (1, 2, ...), its name, or ret");
        }
        if (methods.isEmpty()) {
            return unchecked(text, name, given);
        }
        Integer param = null;
        Type type = null;
        for (Method m : methods) {
            int p;
            String desc;
            if (name.equals("ret") || name.equals("retval")) {
                p = RET;
                desc = m.returnType();
                if (desc.equals("V")) {
                    throw new ToolArgs.UsageError(m.symbol() + " returns void: there is no return value to read");
                }
            } else if (name.chars().allMatch(Character::isDigit)) {
                p = Integer.parseInt(name) - 1;
                if (p < 0 || p >= m.paramTypes().size()) {
                    throw new ToolArgs.UsageError(m.symbol() + " has " + m.paramTypes().size() + " parameters, not a parameter " + name);
                }
                desc = m.paramTypes().get(p);
            } else {
                p = m.paramNames().indexOf(name);
                if (p < 0) {
                    throw new ToolArgs.UsageError(m.symbol() + " has no parameter named '" + name + "'"
                        + (m.paramNames().isEmpty() ? " (its class file records no parameter names: javac -parameters; use the position)"
                            : " (parameters: " + String.join(", ", m.paramNames()) + ")"));
                }
                desc = m.paramTypes().get(p);
            }
            Type t = given != null ? given : Type.ofDescriptor(desc);
            if (param != null && (param != p || type != t)) {
                throw new ToolArgs.UsageError("'" + text + "' means different values in the " + methods.size()
                    + " methods the target names: give a descriptor, e.g. " + methods.get(0).symbol().replaceFirst("\\.([^.(]*)\\(", "::$1("));
            }
            param = p;
            type = t;
        }
        return new ValueRef(text, param, type);
    }

    /**
     * A value of a method whose class is not loaded yet (at start-up): its position or ret, and
     * the type the user gives, as nothing can be checked against the class.
     */
    private static ValueRef unchecked(String text, String name, Type given) throws ToolArgs.UsageError {
        boolean ret = name.equals("ret") || name.equals("retval");
        if (!ret && !name.chars().allMatch(Character::isDigit)) {
            throw new ToolArgs.UsageError("'" + text + "': the class is not loaded yet (--exec), so parameter names are unknown;"
                + " give the position and type, e.g. 1:int");
        }
        if (given == null) {
            throw new ToolArgs.UsageError("'" + text + "': the class is not loaded yet (--exec), so the type is unknown;"
                + " give it, e.g. " + name + ":long");
        }
        int p = ret ? RET : Integer.parseInt(name) - 1;
        if (!ret && p < 0) {
            throw new ToolArgs.UsageError("'" + text + "': parameters count from 1");
        }
        return new ValueRef(text, p, given);
    }

    /** A raw 64-bit value as this interpretation shows it: a Long, Double, Boolean, or a String. */
    Object decode(long raw) {
        return switch (type) {
            case INT, SHORT, BYTE, LONG -> raw;
            case CHAR -> String.valueOf((char) raw);
            case BOOL -> raw != 0;
            case FLOAT -> (double) Float.intBitsToFloat((int) raw);
            case DOUBLE -> Double.longBitsToDouble(raw);
            case REF -> raw == 0 ? "null" : String.format("0x%x", raw);
            case STR -> String.format("0x%x", raw);
        };
    }

    /** A String read by the program: NUL-terminated UTF-8, {@code 0xff} for null. */
    static String decodeString(byte[] b, int off, int len) {
        if (len > 0 && b[off] == (byte) 0xff) {
            return null;
        }
        int n = 0;
        while (n < len && b[off + n] != 0) {
            n++;
        }
        return new String(b, off, n, StandardCharsets.UTF_8);
    }
}

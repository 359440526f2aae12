package dev.sonde.probe.attach;

import dev.sonde.bpf.elf.SecName;
import dev.sonde.probe.symbol.Descriptors;
import java.time.Duration;
import java.util.Optional;

/** The SEC-name grammar of {@link Target}: parsing, and the checks the record's constructor shares. */
final class TargetSyntax {
    private TargetSyntax() {
    }

    private static final String METHOD_FORM = "<class>::<method>[<descriptor>]";
    private static final String KINDS = "kprobe/, kretprobe/, kprobe.multi/, kretprobe.multi/ or timer/";

    static Target parse(String sec) throws TargetException {
        if (sec == null || sec.isEmpty()) {
            throw new TargetException("\"\"", "empty SEC name: expected " + KINDS);
        }
        return parse(SecName.parse(sec));
    }

    static Target parse(SecName s) throws TargetException {
        String sec = s.raw();
        return switch (s.type()) {
            case KPROBE -> method(sec, s.target(), s.isReturn(), false);
            case KPROBE_MULTI -> method(sec, s.target(), s.isReturn(), true);
            case TIMER -> timer(sec, s.target());
            case UPROBE -> throw new TargetException(sec, "uprobes attach to native code; Java methods are probed "
                + "with kprobe/" + METHOD_FORM);
            case TRACEPOINT -> throw new TargetException(sec, "tracepoints are not supported: Sonde attaches " + KINDS);
            case UNKNOWN -> {
                int slash = sec.indexOf('/');
                String type = slash < 0 ? sec : sec.substring(0, slash);
                throw new TargetException(sec, "unknown program type \"" + type + "\": expected " + KINDS);
            }
        };
    }

    private static Target method(String sec, String text, boolean isReturn, boolean multi) throws TargetException {
        String prefix = sec.substring(0, sec.length() - text.length());
        if (text.isEmpty()) {
            throw new TargetException(sec, "no target: expected " + prefix + (prefix.endsWith("/") ? "" : "/")
                + (multi ? "<class-glob>::<method-glob>" : METHOD_FORM));
        }
        int sep = text.indexOf("::");
        if (sep < 0) {
            throw new TargetException(sec, "no \"::\" between class and method: expected " + prefix
                + (multi ? "<class-glob>::<method-glob>" : METHOD_FORM));
        }
        String cls = text.substring(0, sep);
        String rest = text.substring(sep + 2);
        if (rest.contains("::")) {
            throw new TargetException(sec, "more than one \"::\": expected " + prefix + METHOD_FORM);
        }
        int paren = rest.indexOf('(');
        String method = paren < 0 ? rest : rest.substring(0, paren);
        String descriptor = paren < 0 ? null : rest.substring(paren);
        String problem = methodTargetProblem(cls, method, descriptor, multi);
        if (problem != null) {
            throw new TargetException(sec, problem);
        }
        return new Target(Target.Kind.METHOD, cls, method, Optional.ofNullable(descriptor), isReturn, multi,
            Duration.ZERO, false);
    }

    /** Why these parts make no method target, or null. */
    static String methodTargetProblem(String cls, String method, String descriptor, boolean multi) {
        String p = classProblem(cls, multi);
        if (p == null) {
            p = methodProblem(method, multi);
        }
        if (p == null && descriptor != null) {
            String d = Descriptors.problem(descriptor);
            if (d != null) {
                p = "descriptor \"" + descriptor + "\" is not a JVM method descriptor: " + d;
            } else if (Descriptors.CONSTRUCTOR.equals(method) && !descriptor.endsWith(")V")) {
                p = "descriptor \"" + descriptor + "\" of a constructor must return V";
            }
        }
        return p;
    }

    private static String classProblem(String cls, boolean multi) {
        if (cls.isEmpty()) {
            return "empty class name";
        }
        if (cls.indexOf('/') >= 0) {
            return "class \"" + cls + "\" is written with '/': write its binary name, " + cls.replace('/', '.');
        }
        if (!multi && Glob.isGlob(cls)) {
            return "class \"" + cls + "\" is a glob: globs need kprobe.multi/ or kretprobe.multi/";
        }
        for (int i = 0; i < cls.length(); i++) {
            char c = cls.charAt(i);
            if (Character.isWhitespace(c) || ";[]()<>:".indexOf(c) >= 0) {
                return "class \"" + cls + "\" is not a binary class name: '" + c + "' at index " + i;
            }
        }
        if (cls.startsWith(".") || cls.endsWith(".") || cls.contains("..")) {
            return "class \"" + cls + "\" is not a binary class name: empty package or class segment";
        }
        return null;
    }

    private static String methodProblem(String method, boolean multi) {
        if (method.isEmpty()) {
            return "empty method name";
        }
        if (Descriptors.CLASS_INITIALIZER.equals(method)) {
            return "class initializers (<clinit>) cannot be probed: they run once, before any probe can attach";
        }
        if (!multi && Glob.isGlob(method)) {
            return "method \"" + method + "\" is a glob: globs need kprobe.multi/ or kretprobe.multi/";
        }
        if (Descriptors.CONSTRUCTOR.equals(method)) {
            return null;
        }
        for (int i = 0; i < method.length(); i++) {
            char c = method.charAt(i);
            // JVMS 4.2.2: no . ; [ / < > in a method name (multi globs may spell <init>).
            boolean angle = c == '<' || c == '>';
            if (Character.isWhitespace(c) || ".;[]/():".indexOf(c) >= 0 || angle && !multi) {
                return "method \"" + method + "\" is not a method name: '" + c + "' at index " + i
                    + (angle ? " (constructors are <init>)" : "");
            }
        }
        return null;
    }

    private static Target timer(String sec, String text) throws TargetException {
        boolean perThread = false;
        int slash = text.indexOf('/');
        if (slash >= 0) {
            String mode = text.substring(slash + 1);
            if (!mode.equals("threads")) {
                throw new TargetException(sec, "unknown timer mode \"" + mode + "\": expected timer/<period> or timer/<period>/threads");
            }
            perThread = true;
            text = text.substring(0, slash);
        }
        if (text.isEmpty()) {
            throw new TargetException(sec, "no period: expected timer/<period>, e.g. timer/10ms");
        }
        int digits = 0;
        while (digits < text.length() && Character.isDigit(text.charAt(digits))) {
            digits++;
        }
        if (digits == 0) {
            throw new TargetException(sec, "period \"" + text + "\" does not start with a number: e.g. timer/10ms");
        }
        String unit = text.substring(digits);
        long scale = switch (unit) {
            case "ns" -> 1L;
            case "us" -> 1_000L;
            case "ms" -> 1_000_000L;
            case "s" -> 1_000_000_000L;
            default -> -1;
        };
        if (unit.isEmpty()) {
            throw new TargetException(sec, "period \"" + text + "\" has no unit: expected ns, us, ms or s, e.g. timer/"
                + text + "ms");
        }
        if (scale < 0) {
            throw new TargetException(sec, "period \"" + text + "\" has unknown unit \"" + unit
                + "\": expected ns, us, ms or s");
        }
        long n;
        try {
            n = Long.parseLong(text.substring(0, digits));
        } catch (NumberFormatException e) {
            throw new TargetException(sec, "period \"" + text + "\" is too long");
        }
        if (n > Long.MAX_VALUE / scale) {
            throw new TargetException(sec, "period \"" + text + "\" is too long");
        }
        Duration d = Duration.ofNanos(n * scale);
        String problem = periodProblem(d);
        if (problem != null) {
            throw new TargetException(sec, problem);
        }
        return perThread ? Target.threadTimer(d) : Target.timer(d);
    }

    static String periodProblem(Duration d) {
        if (d == null || d.isZero() || d.isNegative()) {
            return "a timer's period must be positive, is " + (d == null ? "null" : formatPeriod(d));
        }
        return null;
    }

    /** The largest unit that divides the period exactly: 10ms, 1s, 1500us. */
    static String formatPeriod(Duration d) {
        long ns = d.toNanos();
        if (ns != 0 && ns % 1_000_000_000L == 0) {
            return ns / 1_000_000_000L + "s";
        }
        if (ns != 0 && ns % 1_000_000L == 0) {
            return ns / 1_000_000L + "ms";
        }
        if (ns != 0 && ns % 1_000L == 0) {
            return ns / 1_000L + "us";
        }
        return ns + "ns";
    }
}

package dev.sonde.probe.attach;

import dev.sonde.bpf.elf.SecName;
import dev.sonde.probe.symbol.Descriptors;
import java.lang.reflect.Executable;
import java.time.Duration;
import java.util.Optional;

/**
 * What a program's SEC name attaches to (DESIGN.md §3 "Attach targets", §4 "Names"): Java methods,
 * by class and method (globs in the {@code .multi} forms) and an optional JVM descriptor, on entry
 * or on return; or a timer.
 *
 * <pre>
 * kprobe/&lt;class&gt;::&lt;method&gt;[&lt;descriptor&gt;]      kprobe/com.shop.Cart$Line::add(JI)Z
 * kretprobe/&lt;class&gt;::&lt;method&gt;[&lt;descriptor&gt;]   kretprobe/Target::&lt;init&gt;
 * kprobe.multi/&lt;class-glob&gt;::&lt;method-glob&gt;      kprobe.multi/com.shop.*::pay*
 * kretprobe.multi/&lt;class-glob&gt;::&lt;method-glob&gt;
 * timer/&lt;period&gt;                              timer/10ms, timer/1s, timer/500us, timer/250ns
 * timer/&lt;period&gt;/threads                      timer/10ms/threads
 * </pre>
 *
 * A plain timer runs its program once per tick on Sonde's timer thread; a {@code /threads} timer
 * runs it once per tick for each running application thread, answering for that thread (its stack,
 * id and name), as a perf-event program runs on the CPU it interrupted ({@code TimerRun}).
 *
 * A class is written by its binary name ({@code com.shop.Cart$Line}, {@code Target} in the default
 * package); a method without a descriptor means every method of that name the class declares, of
 * any visibility; {@code <init>} means constructors. Immutable; {@code with…} returns a changed copy
 * and refuses what {@link #parse} would refuse.
 *
 * @param classPattern  binary class name, or a glob when {@code isMulti}; "" for a timer
 * @param methodPattern method name ({@code <init>} for constructors), or a glob; "" for a timer
 * @param descriptor    the JVM method descriptor, when one was given
 * @param period        the timer's period; {@link Duration#ZERO} for a method target
 * @param perThread     a {@code /threads} timer: one run per running application thread per tick
 */
public record Target(Kind kind, String classPattern, String methodPattern, Optional<String> descriptor,
                     boolean isReturn, boolean isMulti, Duration period, boolean perThread) {

    public enum Kind { METHOD, TIMER }

    public Target {
        String problem = kind == Kind.TIMER ? TargetSyntax.periodProblem(period)
            : TargetSyntax.methodTargetProblem(classPattern, methodPattern, descriptor.orElse(null), isMulti);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        if (kind == Kind.METHOD && perThread) {
            throw new IllegalArgumentException("only a timer target runs per thread");
        }
        if (kind == Kind.TIMER && (isReturn || isMulti || !classPattern.isEmpty() || !methodPattern.isEmpty()
                || descriptor.isPresent())) {
            throw new IllegalArgumentException("a timer target names no class, method or descriptor");
        }
    }

    /** {@code kprobe/<cls>::<method>}: entry, exact names, every overload. */
    public static Target method(String cls, String method) {
        return new Target(Kind.METHOD, cls, method, Optional.empty(), false, false, Duration.ZERO, false);
    }

    public static Target timer(Duration period) {
        return new Target(Kind.TIMER, "", "", Optional.empty(), false, false, period, false);
    }

    /** {@code timer/<period>/threads}. */
    public static Target threadTimer(Duration period) {
        return new Target(Kind.TIMER, "", "", Optional.empty(), false, false, period, true);
    }

    /**
     * Parses a SEC name.
     *
     * @throws TargetException naming the SEC name and what is wrong with it
     */
    public static Target parse(String secName) throws TargetException {
        return TargetSyntax.parse(secName);
    }

    /** Parses the SEC name bpf-vm's loader split off ({@code LoadedProgram.secName()}). */
    public static Target parse(SecName secName) throws TargetException {
        return TargetSyntax.parse(secName);
    }

    public Target withDescriptor(String d) {
        return new Target(kind, classPattern, methodPattern, Optional.ofNullable(d), isReturn, isMulti, period, perThread);
    }

    public Target withReturn(boolean r) {
        return new Target(kind, classPattern, methodPattern, descriptor, r, isMulti, period, perThread);
    }

    public Target withMulti(boolean m) {
        return new Target(kind, classPattern, methodPattern, descriptor, isReturn, m, period, perThread);
    }

    public Target withClass(String cls) {
        return new Target(kind, cls, methodPattern, descriptor, isReturn, isMulti, period, perThread);
    }

    public Target withMethod(String m) {
        return new Target(kind, classPattern, m, descriptor, isReturn, isMulti, period, perThread);
    }

    public Target withPeriod(Duration p) {
        return new Target(kind, classPattern, methodPattern, descriptor, isReturn, isMulti, p, perThread);
    }

    /** Whether {@code cls}'s binary name is the class (or matches the glob). */
    public boolean matchesClass(Class<?> cls) {
        String name = cls.getName();
        return kind == Kind.METHOD && (isMulti ? Glob.matches(classPattern, name) : classPattern.equals(name));
    }

    /** Whether {@code e}'s JVM name (and descriptor, if one was given) match; the class is not checked. */
    public boolean matchesMethod(Executable e) {
        if (kind != Kind.METHOD) {
            return false;
        }
        String name = Descriptors.nameOf(e);
        boolean nameOk = isMulti ? Glob.matches(methodPattern, name) : methodPattern.equals(name);
        return nameOk && descriptor.map(d -> d.equals(Descriptors.of(e))).orElse(true);
    }

    /** The SEC name this target parses from, in its canonical spelling. */
    public String secName() {
        if (kind == Kind.TIMER) {
            return "timer/" + TargetSyntax.formatPeriod(period) + (perThread ? "/threads" : "");
        }
        String prefix = (isReturn ? "kretprobe" : "kprobe") + (isMulti ? ".multi" : "");
        return prefix + "/" + classPattern + "::" + methodPattern + descriptor.orElse("");
    }

    @Override
    public String toString() {
        return secName();
    }
}

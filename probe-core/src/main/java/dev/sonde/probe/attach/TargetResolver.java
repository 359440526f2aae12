package dev.sonde.probe.attach;

import dev.sonde.probe.symbol.Descriptors;
import java.lang.reflect.Executable;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Finds the methods a {@link Target} names among loaded classes (what
 * {@code Instrumentation.getAllLoadedClasses()} returns; tests pass any array).
 *
 * <p>Rules: classes match by binary name ({@link Class#getName}); arrays, primitives and hidden
 * classes (which cannot be retransformed) never match. Methods are the class's declared methods
 * and, for {@code <init>}, its constructors, of any visibility. Left out: compiler-made bridge
 * methods unless the descriptor names one (a probe on the real method already sees the call), and
 * methods without bytecode (abstract, native). The same class loaded by two loaders is two
 * classes, and both are resolved.
 *
 * <p>An exact target that finds nothing is an error naming the class or method that is missing
 * (and, for a descriptor that matches no overload, the overloads there are); a {@code .multi} target
 * is an error only when it finds no method at all.
 */
public final class TargetResolver {
    private TargetResolver() {
    }

    /** The methods {@code target} names, sorted by class, name and descriptor. */
    public static List<Executable> resolve(Target target, Class<?>[] loaded) throws TargetException {
        String sec = target.secName();
        if (target.kind() != Target.Kind.METHOD) {
            throw new TargetException(sec, "a timer target names no method");
        }
        List<Class<?>> classes = matchingClasses(target, loaded);
        if (classes.isEmpty()) {
            throw new TargetException(sec, target.isMulti()
                ? "no loaded class matches " + target.classPattern()
                : "class " + target.classPattern() + " is not loaded" + suggestion(target.classPattern(), loaded));
        }
        List<Executable> found = new ArrayList<>();
        for (Class<?> c : classes) {
            List<Executable> declared;
            try {
                declared = declared(c, target);
            } catch (LinkageError e) {
                if (target.isMulti()) {
                    continue;
                }
                throw new TargetException(sec, "cannot list the methods of " + c.getName() + ": " + e);
            }
            int before = found.size();
            for (Executable e : declared) {
                if (target.matchesMethod(e) && probeable(e, target)) {
                    found.add(e);
                }
            }
            if (!target.isMulti() && found.size() == before) {
                throw new TargetException(sec, missingMethod(c, target, declared));
            }
        }
        if (found.isEmpty()) {
            throw new TargetException(sec, "no method matches " + target.methodPattern()
                + target.descriptor().orElse("") + " in the " + classes.size() + " loaded classes matching "
                + target.classPattern());
        }
        found.sort(Comparator.<Executable, String>comparing(e -> e.getDeclaringClass().getName())
            .thenComparing(Descriptors::nameOf).thenComparing(Descriptors::of));
        return Collections.unmodifiableList(found);
    }

    private static List<Class<?>> matchingClasses(Target target, Class<?>[] loaded) {
        Set<Class<?>> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        List<Class<?>> out = new ArrayList<>();
        // The name test first: for an exact target it rejects all but one or two of the JVM's
        // thousands of classes with a cached-name comparison, before the native type queries.
        for (Class<?> c : loaded) {
            if (c == null || !target.matchesClass(c) || c.isArray() || c.isPrimitive() || c.isHidden() || !seen.add(c)) {
                continue;
            }
            out.add(c);
        }
        return out;
    }

    private static List<Executable> declared(Class<?> c, Target target) {
        List<Executable> out = new ArrayList<>(List.of(c.getDeclaredMethods()));
        if (target.isMulti() ? Glob.matches(target.methodPattern(), Descriptors.CONSTRUCTOR)
                : Descriptors.CONSTRUCTOR.equals(target.methodPattern())) {
            out.addAll(List.of(c.getDeclaredConstructors()));
        }
        return out;
    }

    private static boolean probeable(Executable e, Target target) {
        int mods = e.getModifiers();
        if (Modifier.isAbstract(mods) || Modifier.isNative(mods)) {
            return false;
        }
        return !(e instanceof Method m && m.isBridge()) || target.descriptor().isPresent();
    }

    private static String missingMethod(Class<?> c, Target target, List<Executable> declared) {
        String name = target.methodPattern();
        Set<String> overloads = new TreeSet<>();
        boolean withoutCode = false;
        for (Executable e : declared) {
            if (Descriptors.nameOf(e).equals(name)) {
                overloads.add(name + Descriptors.of(e));
                int mods = e.getModifiers();
                withoutCode |= Modifier.isAbstract(mods) || Modifier.isNative(mods);
            }
        }
        String what = Descriptors.CONSTRUCTOR.equals(name) ? "constructor" : "method " + name;
        if (overloads.isEmpty()) {
            return "class " + c.getName() + " declares no " + what;
        }
        if (target.descriptor().isPresent() && !overloads.contains(name + target.descriptor().get())) {
            return "class " + c.getName() + " has no " + what + target.descriptor().get() + "; it declares "
                + String.join(", ", overloads);
        }
        return withoutCode
            ? what + " of " + c.getName() + " has no bytecode (abstract or native): probe an implementation"
            : "class " + c.getName() + " declares " + what + " only as a bridge method";
    }

    /** " (did you mean a.b.C$D?)" for loaded classes whose simple or binary tail matches. */
    private static String suggestion(String cls, Class<?>[] loaded) {
        Set<String> near = new TreeSet<>();
        String tail = cls.substring(cls.lastIndexOf('.') + 1);
        for (Class<?> c : loaded) {
            if (c == null || c.isArray() || c.isPrimitive()) {
                continue;
            }
            String n = c.getName();
            if (n.endsWith("." + tail) || n.endsWith("$" + tail) || n.equals(cls.replace('$', '.'))
                    || n.replace('$', '.').equals(cls)) {
                near.add(n);
            }
            if (near.size() == 3) {
                break;
            }
        }
        return near.isEmpty() ? "" : " (loaded classes with that name: " + String.join(", ", near) + ")";
    }
}

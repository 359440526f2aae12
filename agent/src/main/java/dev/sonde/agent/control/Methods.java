package dev.sonde.agent.control;

import dev.sonde.agent.control.ControlConnection.Failed;
import dev.sonde.probe.attach.Target;
import dev.sonde.probe.attach.TargetException;
import dev.sonde.probe.attach.TargetResolver;
import dev.sonde.probe.symbol.MethodSymbol;
import dev.sonde.probe.symbol.Symbols;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.Executable;
import java.lang.reflect.Parameter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * METHODS: the loaded methods a target matches, as an attach would resolve them, with their
 * symbol addresses (registered in the JVM's symbol table, as an attach would) and their
 * parameter names when the class file records them: reflection's (a MethodParameters attribute,
 * javac {@code -parameters}), else the LocalVariableTable's ({@link ParameterNames}).
 */
final class Methods {
    private Methods() {
    }

    static void list(String pattern, Instrumentation inst, Symbols symbols, ControlProtocol.Payload out, int budget) throws Failed {
        String sec = pattern.contains("/") ? pattern : "kprobe/" + pattern;
        Target target;
        try {
            target = Target.parse(sec);
        } catch (TargetException e) {
            throw new Failed(ControlProtocol.EINVAL, e.getMessage());
        }
        if (target.kind() != Target.Kind.METHOD) {
            throw new Failed(ControlProtocol.EINVAL, sec + " names no method (a timer)");
        }
        List<Executable> found;
        try {
            found = TargetResolver.resolve(target, inst.getAllLoadedClasses());
        } catch (TargetException e) {
            throw new Failed(ControlProtocol.ENOENT, e.getMessage());
        }
        ControlProtocol.Payload entries = new ControlProtocol.Payload();
        int n = 0;
        Map<Class<?>, Map<String, List<String>>> files = new HashMap<>();
        for (Executable e : found) {
            MethodSymbol m = symbols.register(e);
            String ps = params(e);
            if (ps.isEmpty() && e.getParameterCount() > 0) {
                List<String> fromFile = files.computeIfAbsent(e.getDeclaringClass(), ParameterNames::of)
                    .get(m.methodName() + m.descriptor());
                ps = fromFile == null ? "" : String.join(",", fromFile);
            }
            entries.str(m.text()).u64(m.address()).str(ps);
            n++;
            if (entries.size() > budget) {
                throw new Failed(ControlProtocol.EMSGSIZE, sec + " matches " + found.size() + " methods, more than fit in a frame");
            }
        }
        out.u32(n).bytes(entries.toArray());
    }

    /** The parameter names, comma-separated, or "" when the class file has none. */
    static String params(Executable e) {
        Parameter[] ps;
        try {
            ps = e.getParameters();
        } catch (RuntimeException | LinkageError err) {
            return "";   // a malformed MethodParameters attribute
        }
        List<String> names = new ArrayList<>();
        for (Parameter p : ps) {
            if (!p.isNamePresent()) {
                return "";
            }
            names.add(p.getName());
        }
        return String.join(",", names);
    }
}

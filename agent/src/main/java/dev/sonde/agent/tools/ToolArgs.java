package dev.sonde.agent.tools;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A tool's command line: positional arguments and options ({@code --name value}, {@code --flag},
 * short aliases), each option declared by the tool. A wrong command line is a {@link UsageError}
 * naming the problem.
 */
final class ToolArgs {
    /** A wrong command line; the tool prints it with its usage and exits 2. */
    static final class UsageError extends Exception {
        private static final long serialVersionUID = 1L;

        UsageError(String message) {
            super(message);
        }
    }

    final List<String> positional = new ArrayList<>();
    /** The JVM's command line after {@code --exec} (without {@code java}), or null: attach by pid. */
    List<String> exec;
    private final Map<String, String> values = new HashMap<>();

    /**
     * @param valued  options that take a value (long names, with "--")
     * @param flags   options that take none
     * @param aliases short name to long name ("-i" to "--interval")
     */
    static ToolArgs parse(List<String> args, Set<String> valued, Set<String> flags, Map<String, String> aliases)
            throws UsageError {
        ToolArgs a = new ToolArgs();
        for (int i = 0; i < args.size(); i++) {
            String s = args.get(i);
            if (s.equals("--exec")) {
                a.exec = List.copyOf(args.subList(i + 1, args.size()));
                if (a.exec.isEmpty()) {
                    throw new UsageError("--exec needs the JVM's command line after it (e.g. --exec -cp app.jar com.shop.Main)");
                }
                break;
            }
            String name = aliases.getOrDefault(s, s);
            String inline = null;
            int eq = name.indexOf('=');
            if (name.startsWith("--") && eq > 0) {
                inline = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (valued.contains(name)) {
                String v = inline;
                if (v == null) {
                    if (i + 1 >= args.size()) {
                        throw new UsageError(name + " needs a value");
                    }
                    v = args.get(++i);
                }
                if (a.values.put(name, v) != null) {
                    throw new UsageError(name + " is given twice");
                }
            } else if (flags.contains(name) && inline == null) {
                a.values.put(name, "");
            } else if (s.startsWith("-") && s.length() > 1 && !isNumber(s)) {
                throw new UsageError("unknown option " + s);
            } else {
                a.positional.add(s);
            }
        }
        return a;
    }

    private static boolean isNumber(String s) {
        try {
            Double.parseDouble(s);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    boolean has(String name) {
        return values.containsKey(name);
    }

    String get(String name, String dflt) {
        return values.getOrDefault(name, dflt);
    }

    /** A positive number of seconds, or {@code dflt} when absent. */
    double seconds(String name, double dflt) throws UsageError {
        String v = values.get(name);
        if (v == null) {
            return dflt;
        }
        try {
            double s = Double.parseDouble(v);
            if (s > 0 && s < 1e6) {
                return s;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new UsageError(name + " takes a positive number of seconds, not '" + v + "'");
    }

    /** A positive integer no larger than {@code max}, or {@code dflt} when absent. */
    long positive(String name, long dflt, long max) throws UsageError {
        String v = values.get(name);
        if (v == null) {
            return dflt;
        }
        try {
            long n = Long.parseLong(v);
            if (n > 0 && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new UsageError(name + " takes a whole number from 1 to " + max + ", not '" + v + "'");
    }

    /** The JVM's pid: the first positional argument, taken off {@link #positional}. */
    long pid(String tool) throws UsageError {
        if (positional.isEmpty()) {
            throw new UsageError("no pid: which JVM? (sonde jvms lists them; or start one: --exec <java args...>)");
        }
        try {
            long pid = Long.parseLong(positional.get(0));
            if (pid > 0) {
                positional.remove(0);
                return pid;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new UsageError("'" + positional.get(0) + "' is not a pid");
    }
}

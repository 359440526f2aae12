package dev.sonde.agent.tools;

import java.io.PrintStream;
import java.util.List;
import java.util.function.Supplier;

/**
 * The bundled tools, as {@code sonde <tool> <pid> …} (or {@code sonde <tool> … --exec <java args…>}) runs them (SondeCli dispatches here):
 * funccount, funclatency, stackcount, argdist, trace, profile. Each is a probe program in C
 * ({@code agent/src/main/bpf/tools/}, compiled into the agent jar) and the command that attaches it
 * to a running JVM over the control socket and presents the result. See notes/tools.md.
 */
public final class Tools {
    private Tools() {
    }

    public static final List<String> NAMES = List.of("funccount", "funclatency", "stackcount", "argdist", "trace", "profile");

    public static boolean isTool(String command) {
        return NAMES.contains(command);
    }

    /** One usage line per tool, for the CLI's usage text. */
    public static String usage() {
        StringBuilder b = new StringBuilder();
        for (String n : NAMES) {
            String u = tool(n).get().usage();
            b.append(u.lines().findFirst().orElse("")).append('\n');
        }
        b.append("sonde <tool> <its arguments without <pid>> --exec <java args...>   start the JVM with the tool attached before main\n");
        return b.toString().stripTrailing();
    }

    /** Runs tool {@code name} with {@code args} (after the tool's name); returns the exit status. */
    public static int run(String name, List<String> args, PrintStream out, PrintStream err) {
        Supplier<Tool> t = tool(name);
        if (t == null) {
            err.println("sonde: unknown tool '" + name + "' (tools: " + String.join(", ", NAMES) + ")");
            return 2;
        }
        return t.get().run(args, out, err);
    }

    private static Supplier<Tool> tool(String name) {
        return switch (name) {
            case "funccount" -> Funccount::new;
            case "funclatency" -> Funclatency::new;
            case "stackcount" -> Stackcount::new;
            case "argdist" -> Argdist::new;
            case "trace" -> Trace::new;
            case "profile" -> Profile::new;
            default -> null;
        };
    }
}

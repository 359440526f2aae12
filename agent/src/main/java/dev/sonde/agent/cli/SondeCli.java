package dev.sonde.agent.cli;

import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The {@code sonde} command line (the agent jar's Main-Class; {@code bin/sonde} runs it).
 *
 * <pre>
 *   sonde jvms [--json]                          JVMs of this user: pid and main class
 *   sonde attach &lt;pid&gt; &lt;a.bpf.o&gt;… [--duration &lt;s&gt;] [--dump &lt;f.json&gt;] [--trace &lt;file&gt;]
 *   sonde demo [--seconds &lt;s&gt;] [--threads &lt;n&gt;]
 *   sonde prog|map|link|pin|unpin|trace-pipe|ringbuf|sym|methods …   (the control socket: ControlCommand)
 * </pre>
 *
 * The CLI prints results on standard output and its errors on standard error; exit status 0 on
 * success, 1 when the work failed, 2 for a usage error.
 */
public final class SondeCli {
    static final String USAGE = String.join("\n",
        "usage: sonde jvms [--json]",
        "       sonde attach <pid> <a.bpf.o>... [--duration <s>] [--dump <f.json>] [--trace <file>] [--json]",
        "       sonde demo [--seconds <s>] [--threads <n>]",
        "       sonde prog list|show <jvm> [<prog-id>]",
        "       sonde map list <jvm>",
        "       sonde map dump <jvm> <map>",
        "       sonde map lookup|delete <jvm> <map> key <k>",
        "       sonde map update <jvm> <map> key <k> value <v> [any|noexist|exist]",
        "       sonde link list <jvm>  |  sonde link detach <jvm> <link-id>",
        "       sonde pin <jvm> link|map|prog|object <id> <name>  |  sonde unpin <jvm> <name>",
        "       sonde trace-pipe <jvm>",
        "       sonde ringbuf <jvm> <map> [--format \"struct { u32 pid; u64 ts; char comm[16]; }\"] [--count <n>]",
        "       sonde sym <jvm> <address>  |  sonde methods <jvm> <target>",
        "  <jvm>: a pid, or --socket <path>; <map>: a map id or name;",
        "  <k>, <v>: 'hex 01 00 00 00', or one integer for a 4- or 8-byte key or value;",
        "  --json: one JSON document (JSON lines for trace-pipe and ringbuf).",
        "tools (each: sonde <tool> --help):",
        dev.sonde.agent.tools.Tools.usage().lines().map(l -> "       " + l.strip().replaceFirst("^usage: ", ""))
            .collect(java.util.stream.Collectors.joining("\n")));

    private SondeCli() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("-h") || args[0].equals("--help") || args[0].equals("help")) {
            (args.length == 0 ? err : out).println(USAGE);
            return args.length == 0 ? 2 : 0;
        }
        List<String> rest = new ArrayList<>(Arrays.asList(args).subList(1, args.length));
        try {
            switch (args[0]) {
                case "jvms":
                    return Jvms.run(rest, out);
                case "attach":
                    return AttachCommand.run(rest, out, err);
                case "demo":
                    return DemoCommand.run(rest, out, err);
                case "prog":
                case "map":
                case "link":
                case "trace-pipe":
                case "pin":
                case "unpin":
                case "ringbuf":
                case "sym":
                case "methods":
                    return ControlCommand.run(Arrays.asList(args), out, err);
                case "funccount", "funclatency", "stackcount", "argdist", "trace", "profile":
                    return dev.sonde.agent.tools.Tools.run(args[0], rest, out, err);
                default:
                    err.println("sonde: unknown command '" + args[0] + "'\n" + USAGE);
                    return 2;
            }
        } catch (UsageException e) {
            err.println("sonde " + args[0] + ": " + e.getMessage() + "\n" + USAGE);
            return 2;
        } catch (Failure e) {
            err.println("sonde " + args[0] + ": " + e.getMessage());
            return 1;
        } catch (RuntimeException e) {
            err.println("sonde " + args[0] + ": failed: " + e);
            return 1;
        }
    }

    /** A wrong command line. */
    static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    /** The command could not do its work; the message says why. */
    static final class Failure extends Exception {
        private static final long serialVersionUID = 1L;

        Failure(String message) {
            super(message);
        }

        Failure(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The agent jar: the jar this class was loaded from. */
    static Path agentJar() throws Failure {
        try {
            Path p = Path.of(SondeCli.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (!Files.isRegularFile(p)) {
                throw new Failure("the CLI runs from " + p + ", not from the agent jar; build it: mvn -q -DskipTests package");
            }
            return p;
        } catch (URISyntaxException | SecurityException | NullPointerException e) {
            throw new Failure("cannot locate the agent jar: " + e, e);
        }
    }

    /** The java of this JVM, with the flags a Sonde JVM needs on it (JDK 24+: Unsafe memory access). */
    static List<String> javaCommand() {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        if (Runtime.version().feature() >= 24) {
            cmd.add("--sun-misc-unsafe-memory-access=allow");
        }
        return cmd;
    }

    static double seconds(String option, String value) throws UsageException {
        try {
            double s = Double.parseDouble(value);
            if (s > 0 && s < 1e6) {
                return s;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new UsageException(option + " takes a positive number of seconds, not '" + value + "'");
    }
}

package dev.sonde.agent.tools;

import dev.sonde.agent.control.ControlException;
import java.io.IOException;
import java.io.PrintStream;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What every bundled tool does the same way: parse the command line, open a {@link ToolSession}
 * on the JVM, attach, say "Tracing … Hit Ctrl-C to end." on standard error, report every interval
 * ({@code -i}) and once at the end (the duration {@code -d} passed, Ctrl-C or SIGTERM), then detach.
 * Results go to standard output, as text or, with {@code --json}, as one JSON object a line (the
 * last one has {@code "final": true}). Exit status 0 on success, 1 when the work failed, 2 for a
 * usage error.
 */
abstract class Tool {
    final String name;
    PrintStream out;
    PrintStream err;
    boolean json;
    private long startNanos;

    Tool(String name) {
        this.name = name;
    }

    /** The usage lines of this tool. */
    abstract String usage();

    /** Options that take a value, beyond the common -d/--duration, -i/--interval. */
    Set<String> valued() {
        return Set.of();
    }

    /** Flags beyond --json. */
    Set<String> flags() {
        return Set.of();
    }

    Map<String, String> aliases() {
        return Map.of();
    }

    /** Checks the arguments, configures and attaches; returns what is traced, for the "Tracing …" line. */
    abstract String start(ToolSession s, ToolArgs a) throws IOException, ToolArgs.UsageError;

    /** Prints one report; {@code last} for the final one. */
    abstract void report(ToolSession s, boolean last) throws IOException;

    /** Waits up to {@code nanos} for the next report; true when the tool must stop. Trace polls its ring here. */
    boolean step(ToolSession s, Stopper stop, long nanos) throws IOException, InterruptedException {
        return stop.await(nanos);
    }

    /** Seconds since the tool attached. */
    double elapsedSeconds() {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    /** The common head of a JSON report. */
    Map<String, Object> head(ToolSession s, boolean last) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("tool", name);
        m.put("pid", s.pid);
        m.put("final", last);
        m.put("elapsed_s", Math.round(elapsedSeconds() * 1000) / 1000.0);
        return m;
    }

    void printJson(Map<String, Object> m) {
        out.println(JsonText.of(m));
        out.flush();
    }

    final int run(List<String> args, PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
        ToolArgs a;
        double duration;
        double interval;
        long pid;
        try {
            Set<String> valued = new HashSet<>(valued());
            valued.add("--duration");
            valued.add("--interval");
            Set<String> flags = new HashSet<>(flags());
            flags.add("--json");
            flags.add("--help");
            Map<String, String> aliases = new HashMap<>(aliases());
            aliases.put("-d", "--duration");
            aliases.put("-i", "--interval");
            aliases.put("-h", "--help");
            a = ToolArgs.parse(args, valued, flags, aliases);
            if (a.has("--help")) {
                out.println(usage());
                return 0;
            }
            json = a.has("--json");
            duration = a.seconds("--duration", 0);
            interval = a.seconds("--interval", 0);
            pid = a.pid(name);
        } catch (ToolArgs.UsageError e) {
            err.println("sonde " + name + ": " + e.getMessage() + "\n" + usage());
            return 2;
        }
        try (Stopper stop = new Stopper(); ToolSession s = ToolSession.open(pid, name)) {
            String what;
            try {
                what = start(s, a);
            } catch (ToolArgs.UsageError e) {
                err.println("sonde " + name + ": " + e.getMessage() + "\n" + usage());
                return 2;
            }
            err.println("Tracing " + what + "... " + (duration > 0 ? "for " + duration + " s, or " : "") + "Hit Ctrl-C to end.");
            err.flush();
            startNanos = System.nanoTime();
            long end = duration > 0 ? startNanos + (long) (duration * 1e9) : Long.MAX_VALUE;
            long every = interval > 0 ? (long) (interval * 1e9) : 0;
            long next = every > 0 ? startNanos + every : Long.MAX_VALUE;
            while (true) {
                long now = System.nanoTime();
                long until = Math.min(end, next);
                // At most a second at a time: a traced JVM that ended is noticed within one.
                long left = until == Long.MAX_VALUE ? 1_000_000_000L : Math.min(until - now, 1_000_000_000L);
                if (step(s, stop, left)) {
                    break;
                }
                if (!ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                    err.println("sonde " + name + ": JVM " + pid + " ended");
                    return 1;
                }
                now = System.nanoTime();
                if (end != Long.MAX_VALUE && now - end >= 0) {
                    break;
                }
                if (next != Long.MAX_VALUE && now - next >= 0) {
                    report(s, false);
                    next += every;
                }
            }
            report(s, true);
            s.detachAll();
            return 0;
        } catch (ControlException e) {
            err.println("sonde " + name + ": " + e.getMessage());
            return 1;
        } catch (IOException e) {
            err.println("sonde " + name + ": " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("sonde " + name + ": interrupted");
            return 1;
        }
    }
}

package dev.sonde.agent.tools;

import dev.sonde.agent.control.ControlException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
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
 * With {@code --exec} the tool starts the JVM itself, attached before {@code main} (the agent's
 * {@code hold=}), and ends when that JVM exits. Results go to standard output, as text or, with {@code --json}, as one JSON object a line (the
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

    /**
     * The end of a stack tool's report (stackcount, profile). With {@code json} (the report's
     * head and the tool's own fields), the stacks, the folded lines and the flame graph's path
     * are added and it is printed. Otherwise the stacks as text or folded lines, then
     * {@code summary} (text only), and on the last report where the flame graph went.
     */
    void printStacks(Map<String, Object> json, StackCounts c, boolean folded, java.nio.file.Path svg, boolean last, String summary) {
        if (json != null) {
            json.put("stacks", c.json());
            json.put("folded", c.folded());
            if (last && svg != null) {
                json.put("svg", svg.toAbsolutePath().toString());
            }
            printJson(json);
            return;
        }
        if (!last) {
            out.printf("%n[%.1f s]%n", elapsedSeconds());
        }
        for (String line : folded ? c.folded() : c.text()) {
            out.println(line);
        }
        if (!folded) {
            out.println(summary);
        }
        if (last && svg != null) {
            err.println("flame graph: " + svg.toAbsolutePath());
        }
        out.flush();
    }

    void printJson(Map<String, Object> m) {
        if (held != null) {
            held.add(m);
            return;
        }
        out.println(JsonText.of(m));
        out.flush();
    }

    /** The usage text of {@code --help}: the tool's, then how to start the JVM with it. */
    String fullUsage() {
        return usage() + "\n" + EXEC_USAGE;
    }

    static final String EXEC_USAGE = "  --exec <java args...> (last, in place of <pid>): start that JVM (the command line without 'java')"
        + " with the tool attached before main;\n  the end is its exit, -d or Ctrl-C (which stops it too); the final report gives its exit status";

    final int run(List<String> args, PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
        ToolArgs a;
        double duration;
        double interval;
        long pid = 0;
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
                out.println(fullUsage());
                return 0;
            }
            json = a.has("--json");
            duration = a.seconds("--duration", 0);
            interval = a.seconds("--interval", 0);
            if (a.exec == null) {
                pid = a.pid(name);
            }
        } catch (ToolArgs.UsageError e) {
            err.println("sonde " + name + ": " + e.getMessage() + "\n" + fullUsage());
            return 2;
        }
        try (Stopper stop = new Stopper(); ToolSession s = a.exec != null ? ToolSession.launch(name, a.exec) : ToolSession.open(pid, name)) {
            String what;
            try {
                what = start(s, a);
            } catch (ToolArgs.UsageError e) {
                err.println("sonde " + name + ": " + e.getMessage() + "\n" + fullUsage());
                return 2;
            }
            err.println("Tracing " + what + "... " + (duration > 0 ? "for " + duration + " s, or " : "")
                + (s.jvm != null ? "until JVM " + s.pid + " exits, or " : "") + "Hit Ctrl-C to end.");
            err.flush();
            if (s.jvm != null) {
                s.release();   // every link is attached (pending): main may run
            }
            startNanos = System.nanoTime();
            long end = duration > 0 ? startNanos + (long) (duration * 1e9) : Long.MAX_VALUE;
            long every = interval > 0 ? (long) (interval * 1e9) : 0;
            long next = every > 0 ? startNanos + every : Long.MAX_VALUE;
            // A JVM the tool started is seen exiting within 50 ms: its exit waits for this tool, not forever.
            long tick = s.jvm != null ? 50_000_000L : 1_000_000_000L;
            boolean exited = false;
            while (true) {
                long now = System.nanoTime();
                long until = Math.min(end, next);
                // At most a tick at a time: a traced JVM that ended is noticed within one.
                long left = until == Long.MAX_VALUE ? tick : Math.min(until - now, tick);
                if (step(s, stop, left)) {
                    break;
                }
                if (s.jvm != null) {
                    if (s.jvmExiting()) {
                        exited = true;
                        break;
                    }
                } else if (!ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
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
            if (s.jvm == null) {
                report(s, true);
                s.detachAll();
                return 0;
            }
            finalAfterExit(s, !exited);
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

    /** JSON reports held back until the started JVM's exit status is known (null: print at once). */
    private List<Map<String, Object>> held;

    /**
     * The final report of a JVM the tool started: read now (the JVM, exiting or not, waits for
     * this connection), printed once the JVM has ended, with its exit status ({@code "exit_status"}).
     */
    private void finalAfterExit(ToolSession s, boolean stopJvm) throws IOException, InterruptedException {
        PrintStream real = out;
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        held = new ArrayList<>();
        try {
            out = new PrintStream(text, true, StandardCharsets.UTF_8);
            report(s, true);
        } finally {
            out = real;
        }
        List<Map<String, Object>> reports = held;
        held = null;
        int status = s.endJvm(stopJvm);
        out.write(text.toByteArray());
        for (Map<String, Object> m : reports) {
            if (Boolean.TRUE.equals(m.get("final"))) {
                m.put("exit_status", status);
            }
            printJson(m);
        }
        if (!json) {
            out.printf("%nJVM %d exited with status %d%n", s.pid, status);
        }
        out.flush();
    }
}

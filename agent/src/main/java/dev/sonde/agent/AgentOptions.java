package dev.sonde.agent;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The agent's options, as {@code -javaagent:sonde-agent.jar=<options>} and {@code agentmain} take
 * them: comma-separated {@code key=value} pairs.
 *
 * <pre>
 *   probes=a.bpf.o[:b.bpf.o…]   objects to load, verify and attach (every program by its SEC name)
 *   trace=&lt;file&gt;                where printk lines go (default: standard error)
 *   dump=&lt;file.json&gt;            the JSON map dump, written at JVM exit (or when {@code duration} ends)
 *   socket=&lt;path&gt;|off           the control socket (default: $XDG_RUNTIME_DIR/sonde-&lt;pid&gt;.sock,
 *                                or the temp dir's; off: none)
 *   stats=on|off                 measure run time (run_time_ns; default off)
 *   duration=&lt;seconds&gt;          detach after this long (what {@code sonde attach --duration} sends)
 *   report=&lt;file&gt;               also append the agent's messages here (what {@code sonde attach} reads)
 *   slots=&lt;n&gt;                  execution slots, the "CPUs" of per-CPU maps (default: 8 per processor);
 *                                fixed when Sonde is first installed in the JVM
 *   hold=&lt;seconds&gt;              premain only: {@code main} waits until a client sends RELEASE over the
 *                                control socket, or this long; the JVM's exit then waits as long for that
 *                                client to close its connection (what {@code sonde <tool> --exec} sends)
 * </pre>
 *
 * A value cannot contain a comma; paths are used as given. Immutable.
 */
public record AgentOptions(List<Path> probes, Optional<Path> trace, Optional<Path> dump, Optional<String> socket,
                           boolean stats, Optional<Duration> duration, Optional<Path> report, int slots,
                           Optional<Duration> hold) {
    private static final Set<String> KEYS = Set.of("probes", "trace", "dump", "socket", "stats", "duration", "report", "slots", "hold");

    public AgentOptions {
        probes = List.copyOf(probes);
    }

    public static AgentOptions none() {
        return new AgentOptions(List.of(), Optional.empty(), Optional.empty(), Optional.empty(), false,
            Optional.empty(), Optional.empty(), 0, Optional.empty());
    }

    /** Parses an option string (null or blank: no options). Throws IllegalArgumentException naming the problem. */
    public static AgentOptions parse(String text) {
        AgentOptions o = none();
        if (text == null || text.isBlank()) {
            return o;
        }
        Set<String> seen = new HashSet<>();
        for (String pair : text.split(",", -1)) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("option '" + pair + "' is not key=value (options: " + String.join(", ", sorted()) + ")");
            }
            String key = pair.substring(0, eq).trim();
            String value = pair.substring(eq + 1).trim();
            if (!KEYS.contains(key)) {
                throw new IllegalArgumentException("unknown option '" + key + "' (options: " + String.join(", ", sorted()) + ")");
            }
            if (!seen.add(key)) {
                throw new IllegalArgumentException("option '" + key + "' is given twice");
            }
            if (value.isEmpty()) {
                throw new IllegalArgumentException("option '" + key + "' has no value");
            }
            o = o.with(key, value);
        }
        return o;
    }

    private AgentOptions with(String key, String value) {
        switch (key) {
            case "probes": {
                List<Path> ps = new ArrayList<>();
                for (String p : value.split(":", -1)) {
                    if (p.isEmpty()) {
                        throw new IllegalArgumentException("option 'probes' has an empty path in '" + value + "'");
                    }
                    ps.add(Path.of(p));
                }
                return new AgentOptions(ps, trace, dump, socket, stats, duration, report, slots, hold);
            }
            case "trace":
                return new AgentOptions(probes, Optional.of(Path.of(value)), dump, socket, stats, duration, report, slots, hold);
            case "dump":
                return new AgentOptions(probes, trace, Optional.of(Path.of(value)), socket, stats, duration, report, slots, hold);
            case "socket":
                return new AgentOptions(probes, trace, dump, Optional.of(value), stats, duration, report, slots, hold);
            case "stats":
                if (!value.equals("on") && !value.equals("off")) {
                    throw new IllegalArgumentException("option 'stats' is on or off, not '" + value + "'");
                }
                return new AgentOptions(probes, trace, dump, socket, value.equals("on"), duration, report, slots, hold);
            case "duration":
                return new AgentOptions(probes, trace, dump, socket, stats, Optional.of(seconds(key, value)), report, slots, hold);
            case "report":
                return new AgentOptions(probes, trace, dump, socket, stats, duration, Optional.of(Path.of(value)), slots, hold);
            case "slots": {
                int n;
                try {
                    n = Integer.parseInt(value);
                } catch (NumberFormatException e) {
                    n = -1;
                }
                if (n < 1 || n > 1024) {
                    throw new IllegalArgumentException("option 'slots' is a number of execution slots from 1 to 1024, not '" + value + "'");
                }
                return new AgentOptions(probes, trace, dump, socket, stats, duration, report, n, hold);
            }
            case "hold":
                return new AgentOptions(probes, trace, dump, socket, stats, duration, report, slots, Optional.of(seconds(key, value)));
            default:
                throw new IllegalStateException(key);
        }
    }

    private static Duration seconds(String key, String value) {
        try {
            double s = Double.parseDouble(value);
            if (s > 0 && s < 1e9) {
                return Duration.ofNanos((long) (s * 1e9));
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("option '" + key + "' is a positive number of seconds, not '" + value + "'");
    }

    private static List<String> sorted() {
        List<String> k = new ArrayList<>(KEYS);
        k.sort(null);
        return k;
    }

    /** The option string that parses back to these options (what the CLI sends to agentmain). */
    public String format() {
        List<String> out = new ArrayList<>();
        if (!probes.isEmpty()) {
            List<String> ps = new ArrayList<>();
            probes.forEach(p -> ps.add(p.toString()));
            out.add("probes=" + String.join(":", ps));
        }
        trace.ifPresent(p -> out.add("trace=" + p));
        dump.ifPresent(p -> out.add("dump=" + p));
        socket.ifPresent(s -> out.add("socket=" + s));
        if (stats) {
            out.add("stats=on");
        }
        duration.ifPresent(d -> out.add("duration=" + d.toNanos() / 1e9));
        report.ifPresent(p -> out.add("report=" + p));
        if (slots > 0) {
            out.add("slots=" + slots);
        }
        hold.ifPresent(d -> out.add("hold=" + d.toNanos() / 1e9));
        return String.join(",", out);
    }

    /** Whether the control socket is wanted ({@code socket=off} says no). */
    public boolean socketOn() {
        return !socket.equals(Optional.of("off"));
    }

    public AgentOptions withProbes(List<Path> p) {
        return new AgentOptions(p, trace, dump, socket, stats, duration, report, slots, hold);
    }

    public AgentOptions withTrace(Path p) {
        return new AgentOptions(probes, Optional.ofNullable(p), dump, socket, stats, duration, report, slots, hold);
    }

    public AgentOptions withDump(Path p) {
        return new AgentOptions(probes, trace, Optional.ofNullable(p), socket, stats, duration, report, slots, hold);
    }

    public AgentOptions withDuration(Duration d) {
        return new AgentOptions(probes, trace, dump, socket, stats, Optional.ofNullable(d), report, slots, hold);
    }

    public AgentOptions withHold(Duration d) {
        return new AgentOptions(probes, trace, dump, socket, stats, duration, report, slots, Optional.ofNullable(d));
    }

    public AgentOptions withReport(Path p) {
        return new AgentOptions(probes, trace, dump, socket, stats, duration, Optional.ofNullable(p), slots, hold);
    }
}

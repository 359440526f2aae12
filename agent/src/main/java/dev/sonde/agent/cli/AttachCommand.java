package dev.sonde.agent.cli;

import com.sun.tools.attach.AgentInitializationException;
import com.sun.tools.attach.AgentLoadException;
import com.sun.tools.attach.AttachNotSupportedException;
import com.sun.tools.attach.VirtualMachine;
import dev.sonde.agent.AgentOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code sonde attach <pid> <a.bpf.o>… [--duration <s>] [--dump <f.json>] [--trace <file>] [--json]}:
 * loads the agent jar into a running JVM through the Attach API; its agentmain loads and attaches
 * the objects there.
 *
 * <ol>
 * <li>The CLI asks the agent for a report file (the {@code report=} option): the agent appends
 *     every message it prints on the target's standard error to it, ending the attach with
 *     {@code ready: N of M probe objects attached}. The CLI prints the report.</li>
 * <li>With {@code --duration}, the agent detaches after that long, writes the dump and appends
 *     {@code session ended}; the CLI waits for that line (or for the JVM to end) and prints a summary
 *     of the dump. Without it, the probes stay until the JVM exits, and the dump is written then.</li>
 * </ol>
 */
final class AttachCommand {
    private static final Pattern READY = Pattern.compile("ready: (\\d+) of (\\d+) probe objects attached");
    /** How long past the duration the CLI waits for the agent to end the session. */
    private static final Duration GRACE = Duration.ofSeconds(60);

    private AttachCommand() {
    }

    /**
     * With {@code --json}, the report is one JSON document at the end instead of lines as they come:
     * {@code {"pid":…,"attached":N,"objects":M,"lines":[…]}} (the agent's report, then the summary).
     */
    static int run(List<String> args, PrintStream out, PrintStream err) throws SondeCli.UsageException, SondeCli.Failure {
        List<String> rest = new ArrayList<>(args);
        if (!rest.remove("--json")) {
            return runText(rest, out, err);
        }
        java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
        int exit = runText(rest, new PrintStream(buf, true, StandardCharsets.UTF_8), err);
        List<String> lines = buf.toString(StandardCharsets.UTF_8).lines().toList();
        Matcher m = READY.matcher(String.join("\n", lines));
        String pid = "0";
        for (int i = 0; i < rest.size(); i++) {
            if (rest.get(i).startsWith("--")) {
                i++;   // the option's value
            } else if (rest.get(i).matches("\\d+")) {
                pid = rest.get(i);
                break;
            }
        }
        out.println("{\"pid\":" + pid + (m.find() ? ",\"attached\":" + m.group(1) + ",\"objects\":" + m.group(2) : "")
            + ",\"lines\":[" + String.join(",", lines.stream().map(dev.sonde.agent.Json::quote).toList()) + "]}");
        return exit;
    }

    private static int runText(List<String> args, PrintStream out, PrintStream err) throws SondeCli.UsageException, SondeCli.Failure {
        String pid = null;
        List<Path> objects = new ArrayList<>();
        AgentOptions options = AgentOptions.none();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--duration") || a.equals("--dump") || a.equals("--trace")) {
                if (i + 1 >= args.size()) {
                    throw new SondeCli.UsageException(a + " needs a value");
                }
                String v = args.get(++i);
                options = switch (a) {
                    case "--duration" -> options.withDuration(Duration.ofNanos((long) (SondeCli.seconds(a, v) * 1e9)));
                    case "--dump" -> options.withDump(Path.of(v).toAbsolutePath());
                    default -> options.withTrace(Path.of(v).toAbsolutePath());
                };
            } else if (a.startsWith("--")) {
                throw new SondeCli.UsageException("unknown option " + a);
            } else if (pid == null) {
                if (!a.matches("\\d+")) {
                    throw new SondeCli.UsageException("'" + a + "' is not a pid (see: sonde jvms)");
                }
                pid = a;
            } else {
                Path p = Path.of(a).toAbsolutePath();
                if (p.toString().contains(",") || p.toString().contains(":")) {
                    throw new SondeCli.UsageException(p + ": a probe path cannot contain ',' or ':'");
                }
                objects.add(p);
            }
        }
        if (pid == null || objects.isEmpty()) {
            throw new SondeCli.UsageException("attach needs a pid and at least one probe object");
        }
        for (Path p : objects) {
            if (!Files.isRegularFile(p)) {
                throw new SondeCli.Failure(p + ": no such file");
            }
        }
        Path jar = SondeCli.agentJar();
        Path report;
        try {
            report = Files.createTempFile("sonde-attach-" + pid + "-", ".log");
        } catch (IOException e) {
            throw new SondeCli.Failure("cannot create the report file: " + e.getMessage(), e);
        }
        try {
            options = options.withProbes(objects).withReport(report);
            load(pid, jar, options.format());
            int printed = printNew(report, 0, out);
            Matcher m = READY.matcher(read(report));
            boolean allAttached = m.find() && m.group(1).equals(m.group(2));
            if (options.duration().isEmpty()) {
                out.println("probes stay attached until JVM " + pid + " exits" + options.dump().map(d -> "; the dump goes to " + d).orElse(""));
                return allAttached ? 0 : 1;
            }
            long deadline = System.nanoTime() + options.duration().get().plus(GRACE).toNanos();
            Optional<ProcessHandle> target = ProcessHandle.of(Long.parseLong(pid));
            while (!read(report).contains("session ended")) {
                if (System.nanoTime() > deadline) {
                    throw new SondeCli.Failure("JVM " + pid + " did not end the session within " + GRACE.toSeconds() + " s of the duration");
                }
                if (target.isEmpty() || !target.get().isAlive()) {
                    printNew(report, printed, out);
                    throw new SondeCli.Failure("JVM " + pid + " exited during the session");
                }
                printed = printNew(report, printed, out);
                sleep(100);
            }
            printNew(report, printed, out);
            if (options.dump().isPresent()) {
                summarize(options.dump().get(), out);
            }
            return allAttached ? 0 : 1;
        } finally {
            try {
                Files.deleteIfExists(report);
            } catch (IOException e) {
                err.println("sonde attach: cannot remove " + report + ": " + e.getMessage());
            }
        }
    }

    private static void load(String pid, Path jar, String options) throws SondeCli.Failure {
        VirtualMachine vm;
        try {
            vm = VirtualMachine.attach(pid);
        } catch (AttachNotSupportedException | IOException e) {
            throw new SondeCli.Failure("cannot attach to JVM " + pid + ": " + e.getMessage(), e);
        }
        try {
            vm.loadAgent(jar.toString(), options);
        } catch (AgentLoadException | AgentInitializationException | IOException e) {
            throw new SondeCli.Failure("JVM " + pid + " did not load the agent " + jar + ": " + e, e);
        } finally {
            try {
                vm.detach();
            } catch (IOException e) {
                // the agent is loaded; the attach connection's end does not matter
            }
        }
    }

    private static String read(Path report) throws SondeCli.Failure {
        try {
            return Files.readString(report, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new SondeCli.Failure("cannot read the report " + report + ": " + e.getMessage(), e);
        }
    }

    /** Prints the report's complete lines after the first {@code done} characters; returns the new count. */
    private static int printNew(Path report, int done, PrintStream out) throws SondeCli.Failure {
        String s = read(report);
        int end = s.lastIndexOf('\n') + 1;
        if (end > done) {
            out.print(s.substring(done, end));
            out.flush();
            return end;
        }
        return done;
    }

    static void summarize(Path dump, PrintStream out) throws SondeCli.Failure {
        Dump d;
        try {
            d = Dump.read(dump);
        } catch (IOException | RuntimeException e) {
            throw new SondeCli.Failure("cannot read the dump " + dump + ": " + e.getMessage(), e);
        }
        out.println("dump: " + dump);
        for (Map<String, Object> p : d.programs()) {
            out.printf("  program %-24s %-48s run_cnt %d nmissed %d faults %d%n", p.get("name"), p.get("section"),
                p.get("run_cnt"), p.get("nmissed"), p.get("faults"));
        }
        for (Map<String, Object> m : d.maps()) {
            out.printf("  map     %-24s %-14s %d entries%n", m.get("name"), m.get("type"), Dump.entries(m).size());
        }
    }

    private static void sleep(long ms) throws SondeCli.Failure {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SondeCli.Failure("interrupted");
        }
    }
}

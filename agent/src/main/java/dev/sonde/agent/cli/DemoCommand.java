package dev.sonde.agent.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code sonde demo [--seconds <s>] [--threads <n>]}: runs the bundled Bookshop
 * ({@code dev.sonde.demo}, in the agent jar) with the bundled probe {@code bpf/demo.bpf.o} attached
 * at start-up, and prints what the probe saw: the latency of {@code Catalog.lookup} as a log2
 * histogram (as BCC's funclatency prints it) and the calls per shelf (its argument).
 *
 * <ol>
 * <li>The probe object is copied out of the jar to a temporary directory.</li>
 * <li>{@code java -javaagent:<jar>=probes=<o>,dump=<json> -cp <jar> dev.sonde.demo.Bookshop
 *     --seconds <s>} runs with this JVM's java; the Bookshop exits by itself, so the agent's exit
 *     hook writes the dump.</li>
 * <li>The dump is read back and printed.</li>
 * </ol>
 */
final class DemoCommand {
    static final String TARGET = "dev.sonde.demo.Catalog::lookup";

    private DemoCommand() {
    }

    static int run(List<String> args, PrintStream out, PrintStream err) throws SondeCli.UsageException, SondeCli.Failure {
        double seconds = 3;
        int threads = 4;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (i + 1 >= args.size() && (a.equals("--seconds") || a.equals("--threads"))) {
                throw new SondeCli.UsageException(a + " needs a value");
            }
            switch (a) {
                case "--seconds" -> seconds = SondeCli.seconds(a, args.get(++i));
                case "--threads" -> {
                    String v = args.get(++i);
                    if (!v.matches("\\d{1,3}") || Integer.parseInt(v) == 0) {
                        throw new SondeCli.UsageException("--threads takes 1..999, not '" + v + "'");
                    }
                    threads = Integer.parseInt(v);
                }
                default -> throw new SondeCli.UsageException("unknown demo option " + a);
            }
        }
        Path jar = SondeCli.agentJar();
        Path dir = null;
        try {
            dir = Files.createTempDirectory("sonde-demo");
            Path probe = dir.resolve("demo.bpf.o");
            try (InputStream in = DemoCommand.class.getResourceAsStream("/bpf/demo.bpf.o")) {
                if (in == null) {
                    throw new SondeCli.Failure("the agent jar has no bpf/demo.bpf.o; rebuild it: mvn -q -DskipTests package");
                }
                Files.copy(in, probe);
            }
            Path dump = dir.resolve("demo.json");
            List<String> cmd = SondeCli.javaCommand();
            cmd.add("-javaagent:" + jar + "=probes=" + probe + ",dump=" + dump);
            cmd.addAll(List.of("-cp", jar.toString(), "dev.sonde.demo.Bookshop", "--threads", String.valueOf(threads),
                "--seconds", String.valueOf(seconds)));
            out.printf("Tracing %s (entry and return) in the Bookshop demo: %d clerks, %.1f s ...%n", TARGET, threads, seconds);
            out.flush();
            Process app = new ProcessBuilder(cmd).inheritIO().start();
            if (!app.waitFor((long) (seconds * 1000) + 60_000, TimeUnit.MILLISECONDS)) {
                app.destroyForcibly();
                throw new SondeCli.Failure("the Bookshop did not exit " + (seconds + 60) + " s after it started; killed");
            }
            if (app.exitValue() != 0) {
                throw new SondeCli.Failure("the Bookshop exited with status " + app.exitValue());
            }
            if (!Files.exists(dump)) {
                throw new SondeCli.Failure("the agent wrote no dump (see its messages above)");
            }
            print(Dump.read(dump), out);
            return 0;
        } catch (IOException e) {
            throw new SondeCli.Failure("demo: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SondeCli.Failure("interrupted");
        } finally {
            delete(dir, err);
        }
    }

    static void print(Dump d, PrintStream out) throws SondeCli.Failure {
        Map<String, Object> hist = d.map("latency_usecs").orElseThrow(() -> new SondeCli.Failure("the dump has no map latency_usecs"));
        Map<String, Object> calls = d.map("calls_by_shelf").orElseThrow(() -> new SondeCli.Failure("the dump has no map calls_by_shelf"));
        out.println();
        out.println("Latency of " + TARGET + ":");
        Log2Histogram.print(Dump.u64Array(hist), "usecs", out);
        out.println();
        out.println("Calls by shelf (the argument of lookup):");
        out.printf("  %8s  %10s%n", "shelf", "calls");
        List<long[]> rows = new ArrayList<>();
        for (Map<String, Object> e : Dump.entries(calls)) {
            rows.add(new long[] {Dump.le((String) e.get("key")), Dump.le((String) e.get("value"))});
        }
        rows.sort(Comparator.comparingLong(r -> r[0]));
        for (long[] r : rows) {
            out.printf("  %8d  %10d%n", r[0], r[1]);
        }
        out.println();
        for (Map<String, Object> p : d.programs()) {
            out.printf("program %-14s %-44s run_cnt %d, nmissed %d, faults %d%n", p.get("name"), p.get("section"),
                p.get("run_cnt"), p.get("nmissed"), p.get("faults"));
        }
    }

    private static void delete(Path dir, PrintStream err) {
        if (dir == null) {
            return;
        }
        try (var files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            err.println("sonde demo: cannot remove " + dir + ": " + e.getMessage());
        }
    }
}

package dev.sonde.agent;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Real JVMs for the agent tests: the java running the tests, with the flag JDK 24+ needs, the agent
 * jar the build made (process-classes), the probes the build compiled. Every wait is bounded.
 */
public final class Launch {
    public static final Path JAR = Path.of("target", "sonde-agent.jar").toAbsolutePath();
    public static final Path TEST_PROBES = Path.of("target", "test-classes", "bpf").toAbsolutePath();
    public static final Path DEMO_PROBE = Path.of("target", "classes", "bpf", "demo.bpf.o").toAbsolutePath();
    public static final Path TEST_CLASSES = Path.of("target", "test-classes").toAbsolutePath();
    public static final Duration TIMEOUT = Duration.ofSeconds(60);

    private Launch() {
    }

    public static Path probe(String name) {
        return TEST_PROBES.resolve(name);
    }

    public static List<String> java(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        if (Runtime.version().feature() >= 24) {
            cmd.add("--sun-misc-unsafe-memory-access=allow");
        }
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** {@code -javaagent:<jar>=<options>}. */
    public static String agent(String options) {
        return "-javaagent:" + JAR + (options.isEmpty() ? "" : "=" + options);
    }

    public record Result(int exit, String out, String err) {
        public List<String> errLines(String prefix) {
            return err.lines().filter(l -> l.startsWith(prefix)).toList();
        }
    }

    /** Runs a command to its end (at most {@link #TIMEOUT}), standard output and error captured apart. */
    public static Result run(List<String> cmd, Path dir) throws IOException, InterruptedException {
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            fail("did not end within " + TIMEOUT + ": " + cmd + "\nstdout:\n" + Files.readString(out) + "\nstderr:\n" + Files.readString(err));
        }
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }

    /** The lines a child writes, as they come (a daemon thread reads them). */
    public static BlockingQueue<String> lines(InputStream in) {
        BlockingQueue<String> q = new LinkedBlockingQueue<>();
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) {
                    q.add(l);
                }
            } catch (IOException e) {
                q.add("read failed: " + e);
            }
        }, "child-stdout");
        t.setDaemon(true);
        t.start();
        return q;
    }

    /**
     * A {@link ProtoApp} JVM with the agent ({@code agentOptions}, e.g. {@code socket=<path>}), started
     * and "ready"; {@link #calls} asks it how many times ProtoApp.work ran. Closing it ends standard
     * input (the JVM exits) and kills it if it does not within 30 s.
     */
    public static final class App implements AutoCloseable {
        public final Process process;
        public final Path err;
        private final BlockingQueue<String> out;
        private final Writer in;

        public App(Path dir, String agentOptions, int threads) throws IOException, InterruptedException {
            err = Files.createTempFile(dir, "app-err", ".txt");
            process = new ProcessBuilder(java("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", agent(agentOptions), "-cp",
                JAR + ":" + TEST_CLASSES, "dev.sonde.agent.ProtoApp", String.valueOf(threads))).redirectError(err.toFile()).start();
            out = lines(process.getInputStream());
            in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
            String ready = out.poll(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            if (!"ready".equals(ready)) {
                close();
                fail("ProtoApp did not start: " + ready + "\n" + Files.readString(err));
            }
        }

        public long pid() {
            return process.pid();
        }

        /** ProtoApp.work calls so far. */
        public long calls() throws IOException, InterruptedException {
            in.write("count\n");
            in.flush();
            String line = out.poll(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            if (line == null || !line.startsWith("calls ")) {
                fail("ProtoApp answered " + line + "\n" + Files.readString(err));
            }
            return Long.parseLong(line.substring("calls ".length()));
        }

        /** Ends the application; its exit status (-1 when it had to be killed). */
        public int end() throws IOException, InterruptedException {
            try {
                in.close();
            } catch (IOException e) {
                // already gone
            }
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                return -1;
            }
            return process.exitValue();
        }

        @Override
        public void close() throws IOException {
            if (process.isAlive()) {
                try {
                    end();
                } catch (InterruptedException e) {
                    process.destroyForcibly();
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}

package dev.sonde.agent;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Real JVMs for the agent tests: the java running the tests, with the flag JDK 24+ needs, the agent
 * jar the build made (process-classes), the probes the build compiled. Every wait is bounded.
 */
final class Launch {
    static final Path JAR = Path.of("target", "sonde-agent.jar").toAbsolutePath();
    static final Path TEST_PROBES = Path.of("target", "test-classes", "bpf").toAbsolutePath();
    static final Path DEMO_PROBE = Path.of("target", "classes", "bpf", "demo.bpf.o").toAbsolutePath();
    static final Path TEST_CLASSES = Path.of("target", "test-classes").toAbsolutePath();
    static final Duration TIMEOUT = Duration.ofSeconds(60);

    private Launch() {
    }

    static Path probe(String name) {
        return TEST_PROBES.resolve(name);
    }

    static List<String> java(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        if (Runtime.version().feature() >= 24) {
            cmd.add("--sun-misc-unsafe-memory-access=allow");
        }
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** {@code -javaagent:<jar>=<options>}. */
    static String agent(String options) {
        return "-javaagent:" + JAR + (options.isEmpty() ? "" : "=" + options);
    }

    record Result(int exit, String out, String err) {
        List<String> errLines(String prefix) {
            return err.lines().filter(l -> l.startsWith(prefix)).toList();
        }
    }

    /** Runs a command to its end (at most {@link #TIMEOUT}), standard output and error captured apart. */
    static Result run(List<String> cmd, Path dir) throws IOException, InterruptedException {
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            fail("did not end within " + TIMEOUT + ": " + cmd + "\nstdout:\n" + Files.readString(out) + "\nstderr:\n" + Files.readString(err));
        }
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }
}

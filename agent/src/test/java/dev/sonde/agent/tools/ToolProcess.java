package dev.sonde.agent.tools;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.sonde.agent.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A tool run as a user runs it: {@code sonde <tool> <pid> …} in its own JVM (the agent jar's
 * SondeCli, as bin/sonde starts it), standard output and error captured to files.
 */
final class ToolProcess implements AutoCloseable {
    final Process process;
    final Path out;
    final Path err;

    private ToolProcess(Process p, Path out, Path err) {
        this.process = p;
        this.out = out;
        this.err = err;
    }

    static ToolProcess start(Path dir, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(ShopApp.java());
        cmd.addAll(List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", ShopApp.AGENT_JAR.toString(),
            "dev.sonde.agent.cli.SondeCli"));
        cmd.addAll(List.of(args));
        Path o = Files.createTempFile(dir, "tool-out", ".txt");
        Path e = Files.createTempFile(dir, "tool-err", ".txt");
        Process p = new ProcessBuilder(cmd).redirectOutput(o.toFile()).redirectError(e.toFile()).start();
        return new ToolProcess(p, o, e);
    }

    /** Waits until the tool says it is tracing (it has attached). */
    ToolProcess awaitTracing() throws Exception {
        await().atMost(Duration.ofSeconds(60)).until(() -> stderr().contains("Tracing ") || !process.isAlive());
        if (!stderr().contains("Tracing ")) {
            fail("the tool ended (exit " + process.exitValue() + ") before tracing:\n" + stderr() + "\nstdout:\n" + stdout());
        }
        return this;
    }

    /** Stops the tool as Ctrl-C would (SIGTERM runs the same shutdown) and waits for it to end. */
    ToolProcess stop() throws Exception {
        process.destroy();
        return awaitExit();
    }

    ToolProcess awaitExit() throws Exception {
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("the tool did not end within 60 s:\n" + Files.readString(err));
        }
        return this;
    }

    String stdout() throws IOException {
        return Files.readString(out, StandardCharsets.UTF_8);
    }

    String stderr() throws IOException {
        return Files.readString(err, StandardCharsets.UTF_8);
    }

    /** Every JSON line of standard output, parsed. */
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> json() throws IOException {
        List<Map<String, Object>> out = new ArrayList<>();
        for (String l : stdout().lines().toList()) {
            if (!l.isBlank()) {
                out.add((Map<String, Object>) Json.parse(l));
            }
        }
        return out;
    }

    /** The final report (the last JSON line, {@code "final": true}). */
    Map<String, Object> last() throws IOException {
        List<Map<String, Object>> all = json();
        assertTrue(!all.isEmpty(), "the tool printed JSON; stderr:\n" + stderr());
        Map<String, Object> m = all.get(all.size() - 1);
        assertEquals(Boolean.TRUE, m.get("final"), "the last line is the final report: " + m);
        return m;
    }

    @Override
    public void close() throws Exception {
        if (process.isAlive()) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}

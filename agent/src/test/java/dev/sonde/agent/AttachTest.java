package dev.sonde.agent;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonde.agent.cli.Dump;
import dev.sonde.agent.control.ControlClient;
import dev.sonde.agent.control.ControlProtocol;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sonde jvms} and {@code sonde attach <pid> … --duration} against a Bookshop that runs
 * without the agent: the probes attach to a running JVM, their counts grow, the session's objects
 * and links are listed on the control socket (v2), they detach when the duration ends, and the
 * application goes on and exits 0.
 */
@Timeout(150)
class AttachTest {
    /**
     * Seconds the probes stay attached. Everything up to the LIST below must happen within them
     * (the first printk lines, more of them, a connection and two LISTs): well under a second on a
     * quiet machine; a loaded one can stall this JVM for seconds, and then a short duration ends
     * before the LIST and finds the links detached.
     */
    private static final String DURATION = "15";
    private Process app;

    @AfterEach
    void stop() throws InterruptedException {
        if (app != null && app.isAlive()) {
            app.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void attachByPidCountsThenDetachesAndTheApplicationGoesOn(@TempDir Path dir) throws Exception {
        Path appErr = dir.resolve("app-err.txt");
        app = new ProcessBuilder(Launch.java("-XX:+EnableDynamicAgentLoading", "-cp", Launch.JAR.toString(),
            "dev.sonde.demo.Bookshop", "--threads", "2", "--serve")).redirectError(appErr.toFile()).start();
        BlockingQueue<String> appOut = Launch.lines(app.getInputStream());
        Writer appIn = new java.io.OutputStreamWriter(app.getOutputStream(), StandardCharsets.UTF_8);
        assertEquals("ready", appOut.poll(60, TimeUnit.SECONDS));
        String pid = String.valueOf(app.pid());

        Launch.Result jvms = Launch.run(Launch.java("-cp", Launch.JAR.toString(), "dev.sonde.agent.cli.SondeCli", "jvms"), dir);
        assertEquals(0, jvms.exit(), jvms.err());
        assertTrue(jvms.out().lines().anyMatch(l -> l.matches(pid + " +dev\\.sonde\\.demo\\.Bookshop")), jvms.out());

        Path trace = dir.resolve("trace.txt");
        Path dump = dir.resolve("dump.json");
        Path cliOut = dir.resolve("cli-out.txt");
        // The agent loads and attaches the objects one after the other, in this order: demo.bpf.o
        // (lookup_entry, lookup_return) is attached before restock.bpf.o, whose printk lines are
        // awaited below, so the first line means that all three links are. (The other way round, a
        // line came while demo.bpf.o was still attaching, and LIST found one link open of three.)
        Process cli = new ProcessBuilder(Launch.java("-cp", Launch.JAR.toString(), "dev.sonde.agent.cli.SondeCli", "attach", pid,
            Launch.DEMO_PROBE.toString(), Launch.probe("restock.bpf.o").toString(), "--duration", DURATION, "--dump", dump.toString(),
            "--trace", trace.toString(), "--json")).redirectOutput(cliOut.toFile()).redirectError(dir.resolve("cli-err.txt").toFile()).start();

        AtomicLong seen = new AtomicLong();
        await().atMost(Duration.ofSeconds(30)).until(() -> lineCount(trace) > 0);
        seen.set(lineCount(trace));
        await().atMost(Duration.ofSeconds(30)).until(() -> lineCount(trace) > seen.get());   // the counts grow

        // The session's objects and links are on the JVM's control socket too, with ids (v2 LIST).
        try (ControlClient c = ControlClient.connect(app.pid())) {
            List<String> objects = c.list(ControlProtocol.KIND_OBJECT).stream().map(e -> ((ControlClient.ObjectEntry) e).name()).toList();
            assertTrue(objects.containsAll(List.of("restock.bpf.o", "demo.bpf.o")), objects.toString());
            assertEquals(3, c.list(ControlProtocol.KIND_LINK).stream().filter(e -> ((ControlClient.LinkEntry) e).open()).count());
        }

        assertTrue(cli.waitFor(60, TimeUnit.SECONDS), "sonde attach ends after its duration");
        assertEquals(0, cli.exitValue(), Files.readString(cliOut) + Files.readString(dir.resolve("cli-err.txt")));
        @SuppressWarnings("unchecked")
        Map<String, Object> json = (Map<String, Object>) Json.parse(Files.readString(cliOut));   // --json: one document
        assertEquals(app.pid(), json.get("pid"));
        assertEquals(2L, json.get("attached"));
        assertEquals(2L, json.get("objects"));
        @SuppressWarnings("unchecked")
        String out = String.join("\n", (List<String>) json.get("lines"));
        assertTrue(out.contains("sonde: ready: 2 of 2 probe objects attached"), out);
        assertTrue(out.contains("sonde: detached 3 links after " + DURATION + ".0 s"), out);
        assertTrue(out.contains("sonde: session ended"), out);
        assertTrue(out.contains("program on_restock"), out);
        assertTrue(!out.contains("matched no method"), "detached links are not unmatched ones: " + out);

        Dump d = Dump.read(dump);
        long restocks = (Long) d.program("on_restock").orElseThrow().get("run_cnt");
        assertTrue(restocks > 0 && (Long) d.program("lookup_entry").orElseThrow().get("run_cnt") > 100 * restocks / 2, out);
        long traced = lineCount(trace);
        assertEquals(restocks, traced, "one printk line per run");

        // Detached: the application goes on (200 more restocks' worth of lookups) and no probe runs.
        long before = lookups(appIn, appOut);
        await().atMost(Duration.ofSeconds(30)).until(() -> lookups(appIn, appOut) > before + 200 * 100);
        assertEquals(traced, lineCount(trace), "no printk after detach");

        appIn.close();
        assertTrue(app.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, app.exitValue(), Files.readString(appErr));
        List<String> sonde = Files.readAllLines(appErr).stream().filter(l -> l.startsWith("sonde:")).toList();
        assertTrue(sonde.contains("sonde: session ended"), sonde.toString());
    }

    private static long lookups(Writer in, BlockingQueue<String> out) throws IOException, InterruptedException {
        in.write("count\n");
        in.flush();
        String line = out.poll(30, TimeUnit.SECONDS);
        assertTrue(line != null && line.startsWith("lookups "), String.valueOf(line));
        return Long.parseLong(line.substring("lookups ".length()));
    }

    private static long lineCount(Path p) throws IOException {
        return Files.exists(p) ? Files.readAllLines(p).size() : 0;
    }
}

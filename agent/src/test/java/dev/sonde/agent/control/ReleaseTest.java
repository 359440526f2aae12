package dev.sonde.agent.control;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * RELEASE and the agent's {@code hold=} on ProtoApp: without a hold RELEASE is a no-op success; a
 * held {@code main} runs once a client releases it, or once the seconds pass without one.
 */
@Timeout(120)
class ReleaseTest {
    private static final Path JAR = Path.of("target", "sonde-agent.jar").toAbsolutePath();
    private static final Path TEST_CLASSES = Path.of("target", "test-classes").toAbsolutePath();
    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void stop() throws InterruptedException {
        for (Process p : started) {
            if (p.isAlive()) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void releaseWithoutAHoldSucceedsAndChangesNothing(@TempDir Path dir) throws Exception {
        Path sock = dir.resolve("r.sock");
        Process app = start("socket=" + sock, dir);
        BlockingQueue<String> out = lines(app);
        assertEquals("ready", out.poll(60, TimeUnit.SECONDS));
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(sock));
        try (ControlClient c = ControlClient.connect(sock)) {
            c.release();
            c.release();
            assertTrue(c.list(ControlProtocol.KIND_LINK).isEmpty());
        }
    }

    @Test
    void aHeldMainRunsWhenAClientReleasesIt(@TempDir Path dir) throws Exception {
        Path sock = dir.resolve("h.sock");
        Process app = start("hold=60,socket=" + sock, dir);
        BlockingQueue<String> out = lines(app);
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(sock));
        try (ControlClient c = ControlClient.connect(sock)) {
            assertEquals(null, out.poll(0, TimeUnit.SECONDS), "main waits");
            c.release();
            assertEquals("ready", out.poll(30, TimeUnit.SECONDS), "main runs once released, well before 60 s");
            c.release();   // the hold is over: a no-op
        }
        app.getOutputStream().close();
        assertTrue(app.waitFor(30, TimeUnit.SECONDS), "the exit waited for the releasing client only until it closed");
        assertTrue(Files.readString(dir.resolve("app-err.txt")).contains("sonde: hold released by a client"),
            Files.readString(dir.resolve("app-err.txt")));
    }

    @Test
    void aHoldWithoutAClientEndsAfterItsSeconds(@TempDir Path dir) throws Exception {
        Process app = start("hold=1,socket=" + dir.resolve("n.sock"), dir);
        assertEquals("ready", lines(app).poll(60, TimeUnit.SECONDS));
        assertTrue(Files.readString(dir.resolve("app-err.txt")).contains("sonde: hold of 1 s ended without a client"),
            Files.readString(dir.resolve("app-err.txt")));
    }

    private Process start(String options, Path dir) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        if (Runtime.version().feature() >= 24) {
            cmd.add("--sun-misc-unsafe-memory-access=allow");
        }
        cmd.addAll(List.of("-javaagent:" + JAR + "=" + options, "-cp", TEST_CLASSES.toString(), "dev.sonde.agent.ProtoApp", "1"));
        Process p = new ProcessBuilder(cmd).redirectError(dir.resolve("app-err.txt").toFile()).start();
        started.add(p);
        return p;
    }

    private static BlockingQueue<String> lines(Process p) {
        BlockingQueue<String> q = new LinkedBlockingQueue<>();
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) {
                    q.add(l);
                }
            } catch (IOException e) {
                q.add("read failed: " + e);
            }
        }, "release-test-stdout");
        t.setDaemon(true);
        t.start();
        return q;
    }
}

package dev.sonde.agent.control;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonde.agent.Launch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
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
    private static final Path JAR = Launch.JAR;
    private static final Path TEST_CLASSES = Launch.TEST_CLASSES;
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
        Files.writeString(sock, "stale");   // what a dead JVM could have left: replaced in one step
        Process app = start("socket=" + sock, dir);
        BlockingQueue<String> out = Launch.lines(app.getInputStream());
        assertEquals("ready", out.poll(60, TimeUnit.SECONDS));
        await().atMost(Duration.ofSeconds(30)).until(() -> !Files.isRegularFile(sock));
        try (var names = Files.list(dir)) {
            assertEquals(List.of("app-err.txt", "r.sock"), names.map(n -> n.getFileName().toString()).sorted().toList(),
                "the socket is bound under a temporary name and renamed: nothing else is left");
        }
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
        BlockingQueue<String> out = Launch.lines(app.getInputStream());
        // The socket appears only once it listens: a client may connect the moment it sees it.
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
        assertEquals("ready", Launch.lines(app.getInputStream()).poll(60, TimeUnit.SECONDS));
        assertTrue(Files.readString(dir.resolve("app-err.txt")).contains("sonde: hold of 1 s ended without a client"),
            Files.readString(dir.resolve("app-err.txt")));
    }

    private Process start(String options, Path dir) throws IOException {
        List<String> cmd = Launch.java("-javaagent:" + JAR + "=" + options, "-cp", TEST_CLASSES.toString(), "dev.sonde.agent.ProtoApp", "1");
        Process p = new ProcessBuilder(cmd).redirectError(dir.resolve("app-err.txt").toFile()).start();
        started.add(p);
        return p;
    }
}

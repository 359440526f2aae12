package dev.sonde.agent.control;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sonde.agent.Launch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients in their own JVMs ({@link ClientMain}) against one ProtoApp: a client killed with
 * SIGKILL leaves no link attached (its connection's handles are its only references), unless it
 * pinned the link; a client of another user is refused with one -EACCES ERROR frame.
 */
@Timeout(180)
class ClientProcessTest {
    @TempDir
    static Path dir;
    static Path sock;
    static Launch.App app;
    private final List<Process> clients = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        sock = dir.resolve("k.sock");
        app = new Launch.App(dir, "socket=" + sock, 1);
    }

    @AfterAll
    static void stop() throws Exception {
        if (app != null) {
            assertEquals(0, app.end(), Files.readString(app.err));
        }
    }

    @org.junit.jupiter.api.AfterEach
    void killClients() throws InterruptedException {
        for (Process p : clients) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aKilledClientLeavesNoLinkAttached() throws Exception {
        int link = attachInClient(null);
        Process client = clients.get(0);
        try (ControlClient c = ControlClient.connect(sock)) {
            assertTrue(ControlSocketTest.links(c).stream().anyMatch(l -> l.id() == link && l.open()));
            assertTrue(ControlSocketTest.objects(c).containsKey("proto.bpf.o"));
            client.destroyForcibly();
            assertTrue(client.waitFor(10, TimeUnit.SECONDS));
            await().atMost(Duration.ofSeconds(30)).until(() -> ControlSocketTest.links(c).stream().noneMatch(l -> l.id() == link));
            await().atMost(Duration.ofSeconds(30)).until(() -> !ControlSocketTest.objects(c).containsKey("proto.bpf.o"));
        }
    }

    @Test
    void aKilledClientsPinnedLinkStaysUntilUnpinned() throws Exception {
        int link = attachInClient("kill/work");
        Process client = clients.get(0);
        client.destroyForcibly();
        assertTrue(client.waitFor(10, TimeUnit.SECONDS));
        try (ControlClient c = ControlClient.connect(sock)) {
            // The connection's end is seen asynchronously: wait until the dead client's three handles are gone
            // (object, program, link), which the OBJECT entry's refs show: the pin's is left.
            await().atMost(Duration.ofSeconds(30)).until(() -> ControlSocketTest.objects(c).get("proto.bpf.o").refs() == 1);
            assertTrue(ControlSocketTest.links(c).stream().anyMatch(l -> l.id() == link && l.open() && l.pinned().equals("kill/work")));
            c.unpin("kill/work");
            assertTrue(ControlSocketTest.links(c).stream().noneMatch(l -> l.id() == link));
            assertTrue(!ControlSocketTest.objects(c).containsKey("proto.bpf.o"));
        }
    }

    @Test
    void aClientOfAnotherUserIsRefusedWithEacces() throws Exception {
        assumeTrue(System.getProperty("user.name").equals("root") && Files.isExecutable(Path.of("/usr/sbin/runuser")),
            "needs root and runuser to run a client as nobody");
        // A classpath nobody can read: the agent jar (ControlClient) and ClientMain's classes.
        Path cp = Files.createDirectories(dir.resolve("cp"));
        Files.copy(Launch.JAR, cp.resolve("sonde-agent.jar"), StandardCopyOption.REPLACE_EXISTING);
        Path classes = Files.createDirectories(cp.resolve("classes/dev/sonde/agent/control"));
        try (Stream<Path> s = Files.list(Launch.TEST_CLASSES.resolve("dev/sonde/agent/control"))) {
            for (Path p : s.filter(p -> p.getFileName().toString().startsWith("ClientMain")).toList()) {
                Files.copy(p, classes.resolve(p.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        try (Stream<Path> s = Files.walk(cp)) {
            for (Path p : s.toList()) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
        Files.setPosixFilePermissions(sock, PosixFilePermissions.fromString("rw-rw-rw-"));
        try {
            List<String> cmd = new ArrayList<>(List.of("/usr/sbin/runuser", "-u", "nobody", "--"));
            cmd.addAll(Launch.java("-XX:-UsePerfData", "-Xshare:auto", "-cp", cp.resolve("sonde-agent.jar") + ":" + cp.resolve("classes"),
                "dev.sonde.agent.control.ClientMain", "hello", sock.toString()));
            Launch.Result r = Launch.run(cmd, dir);
            assertEquals(3, r.exit(), r.out() + r.err());
            assertTrue(r.out().startsWith("errno " + ControlProtocol.EACCES + " "), r.out());
            assertTrue(r.out().contains("nobody"), "the refusal names the user: " + r.out());
        } finally {
            Files.setPosixFilePermissions(sock, PosixFilePermissions.fromString("rw-------"));
        }
        try (ControlClient c = ControlClient.connect(sock)) {
            assertEquals(app.pid(), c.hello().pid(), "the JVM's own user still gets in");
        }
    }

    /** Starts a ClientMain that loads proto.bpf.o and attaches count_work; the link's id. */
    private int attachInClient(String pin) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(Launch.java("-XX:TieredStopAtLevel=1", "-cp", Launch.JAR + ":" + Launch.TEST_CLASSES,
            "dev.sonde.agent.control.ClientMain", "attach", sock.toString(), Launch.probe("proto.bpf.o").toString(), "count_work"));
        if (pin != null) {
            cmd.add(pin);
        }
        Path err = Files.createTempFile(dir, "client-err", ".txt");
        Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
        clients.add(p);
        BlockingQueue<String> out = Launch.lines(p.getInputStream());
        String line = out.poll(60, TimeUnit.SECONDS);
        assertTrue(line != null && line.startsWith("attached "), line + "\n" + Files.readString(err));
        return Integer.parseInt(line.substring("attached ".length()));
    }
}

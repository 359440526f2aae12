package dev.sonde.agent.control;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonde.agent.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The control socket of a Bookshop started with the agent: {@code sonde prog list}, {@code map dump
 * --json}, {@code trace-pipe}, {@code link list/detach}, and garbled frames that get an ERROR
 * reply and harm nothing.
 */
@Timeout(120)
class ControlSocketTest {
    private static final Path JAR = Path.of("target", "sonde-agent.jar").toAbsolutePath();
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
    void theCliReadsAndDetachesThroughTheSocket(@TempDir Path dir) throws Exception {
        Path sock = dir.resolve("c.sock");
        String probes = Path.of("target", "classes", "bpf", "demo.bpf.o").toAbsolutePath() + ":"
            + Path.of("target", "test-classes", "bpf", "restock.bpf.o").toAbsolutePath();
        Process app = start(java("-javaagent:" + JAR + "=probes=" + probes + ",socket=" + sock + ",trace=" + dir.resolve("t.txt"),
            "-cp", JAR.toString(), "dev.sonde.demo.Bookshop", "--threads", "2", "--serve"), dir.resolve("app-err.txt"));
        BlockingQueue<String> appOut = lines(app.getInputStream());
        assertEquals("ready", appOut.poll(60, TimeUnit.SECONDS));
        assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(sock));

        String progs = cli(dir, "prog", "list", "--socket", sock.toString());
        assertTrue(progs.contains("demo.bpf.o  lookup_entry  kprobe/dev.sonde.demo.Catalog::lookup  run_cnt "), progs);
        assertTrue(progs.contains("restock.bpf.o  on_restock  "), progs);

        @SuppressWarnings("unchecked")
        Map<String, Object> dump = (Map<String, Object>) Json.parse(cli(dir, "map", "dump", "--socket", sock.toString(), "--json"));
        assertEquals(7, ((List<?>) dump.get("maps")).size(), "every map of both objects, .bss and .rodata included");
        assertEquals(3, ((List<?>) dump.get("programs")).size());

        Process pipe = start(java("-cp", JAR.toString(), "dev.sonde.agent.cli.SondeCli", "trace-pipe", "--socket", sock.toString()),
            dir.resolve("pipe-err.txt"));
        BlockingQueue<String> traced = lines(pipe.getInputStream());
        for (int i = 0; i < 2; i++) {
            String l = traced.poll(30, TimeUnit.SECONDS);
            assertTrue(l != null && l.matches("clerk-\\d+-\\d+ \\[\\d{3}\\] \\d+\\.\\d{6}: bpf_trace_printk: restock clerk [01]"), l);
        }
        pipe.destroy();

        String links = cli(dir, "link", "list", "--socket", sock.toString());
        String restock = links.lines().filter(l -> l.contains("on_restock")).findFirst().orElseThrow();
        String id = restock.substring(0, restock.indexOf(' '));
        assertEquals("detached link " + id + " (on_restock)\n", cli(dir, "link", "detach", "--socket", sock.toString(), id));
        assertFalse(cli(dir, "link", "list", "--socket", sock.toString()).contains("on_restock"));

        // A frame of another version: an ERROR reply naming it, then the server closes this connection.
        try (SocketChannel c = connect(sock)) {
            ByteBuffer bad = ControlProtocol.frame(ControlProtocol.PROG_LIST, new byte[0]);
            bad.putShort(ControlProtocol.OFF_VERSION, (short) 9);
            ControlProtocol.write(c, bad);
            ControlProtocol.Frame r = readRaw(c);
            assertEquals(ControlProtocol.ERROR, r.op());
            assertEquals(-ControlProtocol.EPROTO, r.status());
            assertEquals("protocol version 9, this agent speaks 1", r.text());
            assertEquals(-1, c.read(ByteBuffer.allocate(1)));
        }
        // An unknown op and a short payload: ERROR replies, and the connection reads on.
        try (SocketChannel c = connect(sock)) {
            ControlProtocol.write(c, ControlProtocol.frame(77, new byte[0]));
            ControlProtocol.Frame r = readRaw(c);
            assertEquals(-ControlProtocol.EINVAL, r.status());
            assertEquals("unknown request op 77", r.text());
            ControlProtocol.write(c, ControlProtocol.frame(ControlProtocol.LINK_DETACH, new byte[] {1}));
            assertEquals("LINK_DETACH takes a 4-byte link id", readRaw(c).text());
            ControlProtocol.write(c, ControlProtocol.frame(ControlProtocol.PROG_LIST, new byte[0]));
            assertTrue(readRaw(c).text().contains("lookup_entry"));
        }
        // A length past the maximum.
        try (SocketChannel c = connect(sock)) {
            ControlProtocol.write(c, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(0x7fffffff).putShort((short) 1)
                .putShort((short) 1).flip());
            assertEquals(-ControlProtocol.EMSGSIZE, readRaw(c).status());
        }

        app.getOutputStream().close();
        assertTrue(app.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, app.exitValue(), Files.readString(dir.resolve("app-err.txt")));
        await().atMost(Duration.ofSeconds(10)).until(() -> !Files.exists(sock));
    }

    private static SocketChannel connect(Path sock) throws IOException {
        SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
        c.connect(UnixDomainSocketAddress.of(sock));
        return c;
    }

    private static ControlProtocol.Frame readRaw(SocketChannel c) throws IOException {
        ControlProtocol.Frame f = ControlProtocol.read(c);
        assertTrue(f != null, "a reply");
        return f;
    }

    private String cli(Path dir, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(java("-cp", JAR.toString(), "dev.sonde.agent.cli.SondeCli"));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile(dir, "cli", ".out");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        started.add(p);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), String.join(" ", cmd));
        assertEquals(0, p.exitValue(), String.join(" ", cmd));
        return Files.readString(out, StandardCharsets.UTF_8);
    }

    private Process start(List<String> cmd, Path err) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
        started.add(p);
        return p;
    }

    private static List<String> java(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        if (Runtime.version().feature() >= 24) {
            cmd.add("--sun-misc-unsafe-memory-access=allow");
        }
        cmd.addAll(List.of(args));
        return cmd;
    }

    private static BlockingQueue<String> lines(InputStream in) {
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
}

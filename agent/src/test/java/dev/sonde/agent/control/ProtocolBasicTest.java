package dev.sonde.agent.control;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonde.agent.Launch;
import java.io.IOException;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
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
 * The protocol end to end on a real JVM (ProtoApp with the agent, its socket only): HELLO, load
 * proto.bpf.o as bytes, find, attach, count through MAP_LOOKUP and MAP_DUMP, STATS, METHODS and
 * SYM, the ring buffer through RINGBUF_POLL, DETACH, and then the counts stay; a second client
 * loads through AgentLoader.ensure into a JVM started without the agent.
 */
@Timeout(120)
class ProtocolBasicTest {
    private static final Path JAR = Launch.JAR;
    private static final Path PROBE = Path.of("target", "test-classes", "bpf", "proto.bpf.o").toAbsolutePath();
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
    void loadAttachCountDetachOverTheSocket(@TempDir Path dir) throws Exception {
        Path sock = dir.resolve("p.sock");
        Process app = start(Launch.java("-javaagent:" + JAR + "=socket=" + sock, "-cp", TEST_CLASSES.toString(),
            "dev.sonde.agent.ProtoApp", "2"), dir.resolve("app-err.txt"));
        BlockingQueue<String> out = Launch.lines(app.getInputStream());
        assertEquals("ready", out.poll(60, TimeUnit.SECONDS));
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(sock));
        assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(sock));

        try (ControlClient c = ControlClient.connect(sock)) {
            assertEquals(ControlProtocol.VERSION, c.hello().proto());
            assertEquals(app.pid(), c.hello().pid());
            int obj = c.loadBytes("proto", Files.readAllBytes(PROBE));
            ControlClient.ObjectEntry oe = (ControlClient.ObjectEntry) c.info(obj);
            assertEquals("proto", oe.name());
            assertEquals(2, oe.progs());
            int prog = c.progFind(obj, "count_work");
            ControlClient.Attached a = c.attach(prog, 7, 0, "");
            assertEquals(1, a.methods());
            int calls = c.mapFind(obj, "calls");
            byte[] zero = new byte[4];
            await().atMost(Duration.ofSeconds(30)).until(() -> le(c.lookup(calls, zero)) > 1000);

            int byArg = c.mapFind(obj, "by_arg");
            List<ControlClient.KeyValue> kvs = c.dump(byArg, 0);
            assertEquals(4, kvs.size(), "keys 0..3");
            for (ControlClient.KeyValue kv : kvs) {
                assertTrue(le(kv.key()) < 4 && le(kv.value()) > 0);
            }
            assertNull(c.lookup(byArg, new byte[] {9, 0, 0, 0}));
            c.update(byArg, new byte[] {9, 0, 0, 0}, new byte[] {5, 0, 0, 0, 0, 0, 0, 0}, 0);
            assertEquals(5, le(c.lookup(byArg, new byte[] {9, 0, 0, 0})));
            assertTrue(c.delete(byArg, new byte[] {9, 0, 0, 0}));
            assertFalse(c.delete(byArg, new byte[] {9, 0, 0, 0}));
            ControlException wrong = assertThrows(ControlException.class, () -> c.lookup(byArg, new byte[3]));
            assertEquals(ControlProtocol.EINVAL, wrong.errno());
            assertEquals("map by_arg takes 4-byte keys, not 3", wrong.getMessage());

            ControlClient.Stats s = c.stats(a.handle());
            assertTrue(s.runCount() > 1000, s.toString());
            assertEquals(0, s.faults());
            ControlClient.LinkEntry le = (ControlClient.LinkEntry) c.info(a.handle());
            assertEquals(7, le.cookie());
            assertTrue(le.open());
            assertEquals("kprobe/dev.sonde.agent.ProtoApp::work", le.target());

            List<ControlClient.MethodInfo> ms = c.methods("dev.sonde.agent.ProtoApp::work");
            assertEquals(1, ms.size());
            assertEquals("dev.sonde.agent.ProtoApp.work(I)J", ms.get(0).symbol());
            assertEquals(List.of("n"), ms.get(0).params(), "from the LocalVariableTable (javac -g)");
            assertEquals("dev.sonde.agent.ProtoApp.work(I)J", c.sym(ms.get(0).addr()).orElseThrow().symbol());
            assertTrue(c.sym(1).isEmpty());

            int emit = c.attach(c.progFind(obj, "emit_event"), 0, 0, "").handle();
            int events = c.mapFind(obj, "events");
            ControlClient.RingRecords rr = c.ringbufPoll(events, 16, 10_000);
            assertFalse(rr.records().isEmpty());
            assertEquals(48, rr.records().get(0).length);
            c.detach(emit);

            c.detach(a.handle());
            assertFalse(((ControlClient.LinkEntry) c.info(a.handle())).open());
            long stopped = le(c.lookup(calls, zero));
            long appCalls = count(app, out);
            await().atMost(Duration.ofSeconds(30)).until(() -> count(app, out) > appCalls + 10_000);
            assertEquals(stopped, le(c.lookup(calls, zero)), "no counting after DETACH");
            assertTrue(c.list(ControlProtocol.KIND_LINK).isEmpty());
        }
        app.getOutputStream().close();
        assertTrue(app.waitFor(30, TimeUnit.SECONDS));
    }

    @Test
    void agentLoaderStartsTheSocketInAJvmWithoutTheAgent(@TempDir Path dir) throws Exception {
        Process app = start(Launch.java("-XX:+EnableDynamicAgentLoading", "-cp", TEST_CLASSES.toString(), "dev.sonde.agent.ProtoApp", "1"),
            dir.resolve("app-err.txt"));
        BlockingQueue<String> out = Launch.lines(app.getInputStream());
        assertEquals("ready", out.poll(60, TimeUnit.SECONDS));
        String old = System.getProperty("sonde.agent.jar");
        System.setProperty("sonde.agent.jar", JAR.toString());
        try {
            Path sock = AgentLoader.ensure(app.pid(), Duration.ofSeconds(30));
            assertEquals(ControlServer.defaultPath(app.pid()), sock);
            assertEquals(sock, AgentLoader.ensure(app.pid(), Duration.ofSeconds(30)), "a second ensure finds the socket");
            try (ControlClient c = ControlClient.connect(app.pid())) {
                assertTrue(c.list(ControlProtocol.KIND_OBJECT).isEmpty());
            }
        } finally {
            if (old == null) {
                System.clearProperty("sonde.agent.jar");
            } else {
                System.setProperty("sonde.agent.jar", old);
            }
        }
    }

    private static long le(byte[] v) {
        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        b.put(v, 0, Math.min(8, v.length));
        return b.getLong(0);
    }

    private static long count(Process app, BlockingQueue<String> out) throws IOException, InterruptedException {
        Writer in = new java.io.OutputStreamWriter(app.getOutputStream(), StandardCharsets.UTF_8);
        in.write("count\n");
        in.flush();
        String l = out.poll(30, TimeUnit.SECONDS);
        assertTrue(l != null && l.startsWith("calls "), String.valueOf(l));
        return Long.parseLong(l.substring("calls ".length()));
    }

    private Process start(List<String> cmd, Path err) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
        started.add(p);
        return p;
    }
}

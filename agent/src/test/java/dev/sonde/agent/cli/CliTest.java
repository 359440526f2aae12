package dev.sonde.agent.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonde.agent.Json;
import dev.sonde.agent.Launch;
import dev.sonde.agent.control.ControlClient;
import dev.sonde.agent.control.ControlProtocol;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/sonde} against a ProtoApp whose start-up agent attached proto.bpf.o, through its
 * default socket path (the pid): every command with {@code --json}, its output parsed; errors
 * name the problem and exit 1, bad arguments print the usage and exit 2.
 */
@Timeout(240)
class CliTest {
    private static final Path SONDE = Path.of("..", "bin", "sonde").toAbsolutePath().normalize();

    @TempDir
    static Path dir;
    static Launch.App app;
    static String pid;

    @BeforeAll
    static void start() throws Exception {
        app = new Launch.App(dir, "probes=" + Launch.probe("proto.bpf.o") + ":" + Launch.probe("trace.bpf.o") + ",trace="
            + dir.resolve("trace.txt"), 2);
        pid = String.valueOf(app.pid());
    }

    @AfterAll
    static void stop() throws Exception {
        if (app != null) {
            assertEquals(0, app.end(), Files.readString(app.err));
        }
    }

    @Test
    void progMapAndLinkListsAndMapEditsInJson() throws Exception {
        await().atMost(Duration.ofSeconds(30)).until(() -> run(0, "prog", "list", pid, "--json").contains("\"run_cnt\":"));
        List<Map<String, Object>> progs = list(run(0, "prog", "list", pid, "--json"));
        Map<String, Object> count = find(progs, "name", "count_work");
        assertEquals("kprobe/dev.sonde.agent.ProtoApp::work", count.get("section"));
        assertEquals("kprobe", count.get("type"));
        assertEquals("proto.bpf.o", count.get("object"));
        Map<String, Object> shown = map(run(0, "prog", "show", pid, String.valueOf(count.get("id")), "--json"));
        assertEquals(count.get("id"), shown.get("id"));
        assertTrue((Long) shown.get("run_cnt") > 0, shown.toString());

        List<Map<String, Object>> maps = list(run(0, "map", "list", pid, "--json"));
        assertEquals("array", find(maps, "name", "calls").get("type"));
        assertEquals(16384L, find(maps, "name", "events").get("max_entries"));
        String byArgId = String.valueOf(find(maps, "name", "by_arg").get("id"));

        List<Map<String, Object>> calls = list(run(0, "map", "dump", pid, "calls", "--json"));
        assertEquals(1, calls.size());
        assertEquals("00 00 00 00", calls.get(0).get("key"));
        assertEquals(0L, calls.get(0).get("key_int"));
        assertTrue((Long) calls.get(0).get("value_int") > 0, calls.toString());

        Map<String, Object> up = map(run(0, "map", "update", pid, byArgId, "key", "9", "value", "42", "noexist", "--json"));
        assertEquals(Boolean.TRUE, up.get("updated"));
        Map<String, Object> got = map(run(0, "map", "lookup", pid, "by_arg", "key", "hex", "09", "00", "00", "00", "--json"));
        assertEquals("2a 00 00 00 00 00 00 00", got.get("value"));
        assertEquals(42L, got.get("value_int"));
        assertTrue(run(1, "map", "update", pid, "by_arg", "key", "9", "value", "1", "noexist").contains("exist"),
            "noexist on a present key fails, naming why");
        assertEquals(Boolean.TRUE, map(run(0, "map", "delete", pid, "by_arg", "key", "0x9", "--json")).get("deleted"));
        assertTrue(run(1, "map", "lookup", pid, "by_arg", "key", "9").contains("no entry with key 09 00 00 00"));
        List<Map<String, Object>> byArg = list(run(0, "map", "dump", pid, "by_arg", "--json"));
        assertEquals(4, byArg.size(), "keys 0..3 of the probe: " + byArg);

        List<Map<String, Object>> links = list(run(0, "link", "list", pid, "--json"));
        Map<String, Object> link = find(links, "prog", "count_work");
        assertEquals(Boolean.TRUE, link.get("open"));
        assertEquals(1L, link.get("methods"));
        assertEquals("kprobe/dev.sonde.agent.ProtoApp::work", link.get("target"));

        // Text output: bpftool-like lines.
        String text = run(0, "map", "dump", pid, "calls");
        assertTrue(text.startsWith("key: 00 00 00 00 (0)  value: ") && text.contains("Found 1 element"), text);
    }

    @Test
    void pinAndUnpinByTheCli() throws Exception {
        List<Map<String, Object>> links = list(run(0, "link", "list", pid, "--json"));
        String linkId = String.valueOf(find(links, "prog", "count_work").get("id"));
        Map<String, Object> pinned = map(run(0, "pin", pid, "link", linkId, "cli/link", "--json"));
        assertEquals("cli/link", pinned.get("pinned"));
        assertEquals("cli/link", find(list(run(0, "link", "list", pid, "--json")), "prog", "count_work").get("pinned"));
        String mapId = String.valueOf(find(list(run(0, "map", "list", pid, "--json")), "name", "calls").get("id"));
        run(0, "pin", pid, "map", mapId, "cli/calls");
        try (ControlClient c = ControlClient.connect(app.pid())) {
            ControlClient.Pinned p = c.getPinned("cli/calls");
            assertEquals(ControlProtocol.KIND_MAP, p.kind());
            assertEquals(Integer.parseInt(mapId), c.info(p.handle()).id());
        }
        assertTrue(run(1, "pin", pid, "map", mapId, "cli/calls").contains("cli/calls"), "a taken name is an error");
        assertEquals("cli/link", map(run(0, "unpin", pid, "cli/link", "--json")).get("unpinned"));
        run(0, "unpin", pid, "cli/calls");
        assertEquals("", find(list(run(0, "link", "list", pid, "--json")), "prog", "count_work").get("pinned"));
        assertTrue(run(1, "unpin", pid, "cli/calls").contains("cli/calls"));
    }

    @Test
    void linkDetachDetachesAPinnedLink() throws Exception {
        int linkId;
        try (ControlClient c = ControlClient.connect(app.pid())) {
            int obj = c.loadBytes("detach-me", Files.readAllBytes(Launch.probe("proto.bpf.o")));
            ControlClient.Attached a = c.attach(c.progFind(obj, "count_work"), 0, 0, "");
            c.pin(a.handle(), "cli/detach");
            linkId = a.id();
        }
        assertEquals(Boolean.TRUE, list(run(0, "link", "list", pid, "--json")).stream()
            .filter(l -> Long.valueOf(linkId).equals(l.get("id"))).findFirst().orElseThrow().get("open"));
        assertEquals((long) linkId, map(run(0, "link", "detach", pid, String.valueOf(linkId), "--json")).get("detached"));
        assertTrue(list(run(0, "link", "list", pid, "--json")).stream().noneMatch(l -> Long.valueOf(linkId).equals(l.get("id"))),
            "a detached link is not listed");
        assertTrue(run(1, "link", "detach", pid, String.valueOf(linkId)).contains(String.valueOf(linkId)), "no such link any more");
        run(0, "unpin", pid, "cli/detach");
    }

    @Test
    void methodsAndSymNameTheProbedMethod() throws Exception {
        List<Map<String, Object>> ms = list(run(0, "methods", pid, "dev.sonde.agent.ProtoApp::work", "--json"));
        assertEquals(1, ms.size());
        assertEquals("dev.sonde.agent.ProtoApp.work(I)J", ms.get(0).get("symbol"));
        assertEquals(List.of("n"), ms.get(0).get("params"));
        String addr = (String) ms.get(0).get("address");
        Map<String, Object> sym = map(run(0, "sym", pid, addr, "--json"));
        assertEquals("dev.sonde.agent.ProtoApp.work(I)J", sym.get("symbol"));
        assertEquals(addr, sym.get("address"));
        assertTrue(run(0, "sym", pid, addr).contains("dev.sonde.agent.ProtoApp.work(I)J"));
        assertTrue(run(1, "sym", pid, "0x10").contains("no method has the address 0x0000000000000010"));
    }

    @Test
    void ringbufPrintsRecordsInHexOrByTheFormat() throws Exception {
        String hex = run(0, "ringbuf", pid, "events", "--count", "3", "--json");
        List<String> lines = hex.lines().toList();
        assertEquals(3, lines.size(), hex);
        for (String l : lines) {
            Map<String, Object> r = map(l);
            assertEquals(48L, r.get("size"));
            assertTrue(((String) r.get("hex")).matches("([0-9a-f]{2} ){47}[0-9a-f]{2}"), l);
        }
        // ip as s64: a synthetic address is above 2^63, past what the test's JSON parser reads as a number.
        String format = "struct { u64 seq; u32 thread; u32 check; s64 ip; u64 ts; char comm[16]; }";
        List<String> recs = run(0, "ringbuf", pid, "events", "--format", format, "--count", "20", "--json").lines().toList();
        assertEquals(20, recs.size());
        for (String l : recs) {
            Map<String, Object> r = map(l);
            long seq = (Long) r.get("seq");
            long thread = (Long) r.get("thread");
            assertEquals(((int) seq * (int) 2654435761L ^ (int) thread) & 0xffffffffL, r.get("check"), l);
            assertEquals("worker-" + thread, r.get("comm"));
        }
        Object ip = map(recs.get(0)).get("ip");
        assertEquals("dev.sonde.agent.ProtoApp.emit(JI)J", map(run(0, "sym", pid, Long.toUnsignedString((Long) ip), "--json")).get("symbol"),
            "a record's ip names the probed method");
        String text = run(0, "ringbuf", pid, "events", "--format", "struct { u64 seq; u32 thread; }", "--count", "2");
        assertTrue(text.lines().allMatch(l -> l.matches("seq=\\d+ thread=[01]")), text);
    }

    @Test
    void tracePipeStreamsJsonLines() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(SONDE.toString(), "trace-pipe", pid, "--json").redirectError(dir.resolve("pipe-err.txt").toFile());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process p = pb.start();
        try {
            java.util.concurrent.BlockingQueue<String> lines = Launch.lines(p.getInputStream());
            for (int i = 0; i < 3; i++) {
                String l = lines.poll(30, java.util.concurrent.TimeUnit.SECONDS);
                assertTrue(l != null, "a trace line within 30 s: " + Files.readString(dir.resolve("pipe-err.txt")));
                String line = (String) map(l).get("line");
                assertTrue(line.matches("worker-[01]-\\d+ \\[\\d{3}\\] \\d+\\.\\d{6}: bpf_trace_printk: emit thread [01] seq \\d+"), line);
            }
        } finally {
            p.destroyForcibly().waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    @Test
    void errorsNameTheProblemAndBadArgumentsPrintTheUsage() throws Exception {
        assertTrue(run(1, "map", "dump", pid, "nosuch").contains("no map named nosuch"));
        assertTrue(run(1, "prog", "show", pid, "99999").contains("no program with id 99999"));
        assertTrue(run(1, "map", "dump", pid, "events").contains("ring buffer"), "a ring has no entries to dump");
        assertTrue(run(2, "map", "lookup", pid, "calls", "key", "hex", "zz").contains("usage: sonde"));
        assertTrue(run(2, "map", "lookup", pid, "calls", "key", "hex", "01").contains("key has 1 bytes; the map's are 4 bytes"));
        assertTrue(run(2, "map").contains("map needs a subcommand"));
        assertTrue(run(2, "prog", "list").contains("needs a pid"));
        assertTrue(run(2, "ringbuf", pid, "events", "--format", "struct { float x; }").contains("unknown type 'float'"));
        assertTrue(run(1, "prog", "list", "999999999").contains("no control socket"));
        List<Map<String, Object>> jvms = list(run(0, "jvms", "--json"));
        assertTrue(jvms.stream().anyMatch(j -> pid.equals(String.valueOf(j.get("pid"))) && "dev.sonde.agent.ProtoApp".equals(j.get("main"))),
            jvms.toString());
    }

    // ---- helpers ------------------------------------------------------------------------------

    /** Runs bin/sonde (with the test's JDK); asserts the exit status; standard output, or standard error when it fails. */
    private static String run(int exit, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(SONDE.toString()));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile(dir, "cli", ".out");
        Path err = Files.createTempFile(dir, "cli", ".err");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process p = pb.start();
        if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("did not end: " + cmd);
        }
        String o = Files.readString(out);
        String e = Files.readString(err);
        assertEquals(exit, p.exitValue(), String.join(" ", cmd) + "\nstdout: " + o + "\nstderr: " + e);
        return exit == 0 ? o : e;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(String json) {
        return (List<Map<String, Object>>) Json.parse(json);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(String json) {
        return (Map<String, Object>) Json.parse(json);
    }

    private static Map<String, Object> find(List<Map<String, Object>> items, String key, Object value) {
        return items.stream().filter(m -> value.equals(m.get(key))).findFirst()
            .orElseThrow(() -> new AssertionError("no " + key + "=" + value + " in " + items));
    }
}

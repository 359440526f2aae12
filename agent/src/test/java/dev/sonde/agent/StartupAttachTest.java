package dev.sonde.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonde.agent.cli.Dump;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code -javaagent:sonde-agent.jar=probes=…,trace=…,dump=…} on the Bookshop: 3 clerks × 400
 * lookups, shelf i % 8, a restock every 100 lookups. Every count below follows from that.
 */
@Timeout(120)
class StartupAttachTest {
    private static final Pattern TRACE = Pattern.compile("clerk-\\d+-\\d+ \\[\\d{3}\\] \\d+\\.\\d{6}: bpf_trace_printk: restock clerk [0-2]");

    @Test
    void probesAttachBeforeMainAndTheDumpHoldsTheKnownCounts(@TempDir Path dir) throws Exception {
        Path trace = dir.resolve("trace.txt");
        Path dump = dir.resolve("dump.json");
        Launch.Result r = Launch.run(Launch.java(
            Launch.agent("probes=" + Launch.DEMO_PROBE + ":" + Launch.probe("restock.bpf.o") + ",trace=" + trace + ",dump=" + dump + ",slots=5"),
            "-cp", Launch.JAR.toString(), "dev.sonde.demo.Bookshop", "--threads", "3", "--calls", "400"), dir);

        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().matches("bookshop: 1200 lookups by 3 clerks in [0-9.]+ s\\R"), "stdout is the application's alone: " + r.out());
        assertTrue(r.err().contains("sonde: ready: 2 of 2 probe objects attached"), r.err());

        Dump d = Dump.read(dump);
        assertEquals(1200L, d.program("lookup_entry").orElseThrow().get("run_cnt"));
        assertEquals(1200L, d.program("lookup_return").orElseThrow().get("run_cnt"));
        assertEquals(12L, d.program("on_restock").orElseThrow().get("run_cnt"));
        for (Map<String, Object> p : d.programs()) {
            assertEquals(List.of("object", "name", "section", "run_cnt", "run_time_ns", "nmissed", "faults"), new ArrayList<>(p.keySet()));
            assertEquals(0L, p.get("run_time_ns"), "stats are off");
            assertEquals(0L, p.get("faults"));
        }
        for (Map<String, Object> m : d.maps()) {
            assertEquals(List.of("object", "name", "type", "key_size", "value_size", "max_entries", "entries"), new ArrayList<>(m.keySet()));
        }

        Map<String, Object> calls = d.map("calls_by_shelf").orElseThrow();
        assertEquals("hash", calls.get("type"));
        List<String> shelves = new ArrayList<>();
        for (Map<String, Object> e : Dump.entries(calls)) {
            shelves.add((String) e.get("key"));
            assertEquals("9600000000000000", e.get("value"), "150 calls of shelf " + e.get("key"));
        }
        shelves.sort(null);
        assertEquals(List.of("0000000000000000", "0100000000000000", "0200000000000000", "0300000000000000",
            "0400000000000000", "0500000000000000", "0600000000000000", "0700000000000000"), shelves);

        Map<String, Object> hist = d.map("latency_usecs").orElseThrow();
        assertEquals("array", hist.get("type"));
        List<Map<String, Object>> buckets = Dump.entries(hist);
        assertEquals(32, buckets.size(), "an ARRAY map lists every index");
        assertEquals("00000000", buckets.get(0).get("key"));
        assertEquals("1f000000", buckets.get(31).get("key"));
        assertEquals(1200, java.util.Arrays.stream(Dump.u64Array(hist)).sum());
        assertEquals("0000000000000000", buckets.get(0).get("value"), "bpf_log2l puts nothing in bucket 0");

        Map<String, Object> restocks = d.map("restocks").orElseThrow();
        assertEquals("percpu_array", restocks.get("type"));
        @SuppressWarnings("unchecked")
        List<String> values = (List<String>) Dump.entries(restocks).get(0).get("values");
        assertEquals(5, values.size(), "one value per execution slot (slots=5)");
        assertEquals(12, values.stream().mapToLong(Dump::le).sum());
        values.forEach(v -> assertEquals(16, v.length(), v));
        assertEquals(List.of(), Dump.entries(d.map("events").orElseThrow()), "a ring buffer lists no entries");
        assertEquals("ringbuf", d.map("events").orElseThrow().get("type"));
        assertEquals("restock.bpf.o", d.map(".bss").orElseThrow().get("object"));
        assertEquals("0c00000000000000", Dump.entries(d.map(".bss").orElseThrow()).get(0).get("value"));

        List<String> lines = Files.readAllLines(trace);
        assertEquals(12, lines.size(), String.join("\n", lines));
        lines.forEach(l -> assertTrue(TRACE.matcher(l).matches(), l));
    }

    @Test
    void withoutATraceFilePrintkLinesGoToStandardError(@TempDir Path dir) throws Exception {
        Launch.Result r = Launch.run(Launch.java(Launch.agent("probes=" + Launch.probe("restock.bpf.o")),
            "-cp", Launch.JAR.toString(), "dev.sonde.demo.Bookshop", "--threads", "2", "--calls", "100"), dir);
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("bookshop: 200 lookups"), r.out());
        assertEquals(2, r.err().lines().filter(l -> TRACE.matcher(l).matches()).count(), r.err());
    }
}

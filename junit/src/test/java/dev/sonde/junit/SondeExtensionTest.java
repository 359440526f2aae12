package dev.sonde.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonde.bpf.map.BpfMap;
import dev.sonde.probe.control.ProbeLink;
import dev.sonde.probe.control.Sonde;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The extension end to end: real probes (src/test/bpf/kit.bpf.c) on {@link Subject}, handles injected. */
@SondeTest
@Probes(value = "/bpf/kit.bpf.o", programs = {"work_enter", "work_exit"})
class SondeExtensionTest {
    /** struct last of kit.bpf.c: u8, u64, u16, char[6], u32 — 32 bytes with clang's padding. */
    record Last(boolean flag, long arg, short small, @Size(6) String name, int tail) {
    }

    @Handle
    LongCounters calls;
    @Handle("edges")
    EventStream<Edge> edgeField;
    @Handle("work_enter")
    ProbeLink enterLink;

    private final Subject subject = new Subject();

    @Test
    void countersRecordsAndLinksAreInjected(@Handle("percpu") LongCounters percpu,
            @Handle("lasts") RecordMap<Integer, Last> lasts, TestProbes probes) {
        for (int i = 0; i < 20; i++) {
            subject.work(i);
        }
        assertEquals(3, calls.get(1), "keys 1, 9, 17");
        assertEquals(20, calls.total());
        assertEquals(Map.of(0L, 3L, 1L, 3L, 2L, 3L, 3L, 3L, 4L, 2L, 5L, 2L, 6L, 2L, 7L, 2L), calls.asMap());
        assertEquals(20, percpu.get(0), "per-CPU copies are summed");
        assertEquals(new Last(true, 19, (short) 0x1234, "sonde", 0xdeadbeef), lasts.get(0).orElseThrow());
        assertEquals(20, enterLink.stats().runCount());
        assertEquals(0, probes.stats().faults());
        assertEquals(40, probes.stats().runCount(), "entry and return programs");
        assertEquals(List.of("work_enter", "work_exit"), probes.links().stream().map(ProbeLink::programName).toList());
    }

    @Test
    void edgesMirrorTheCHeader(@Handle("edges") EventStream<Edge> edges) {
        assertSame(edgeField, edges, "one stream per ring and test");
        long before = System.nanoTime();
        subject.work(41);
        subject.work(42);
        List<Edge> got = edges.awaitCount(4);
        long after = System.nanoTime();
        assertEquals(List.of("enter 7", "exit 7", "enter 7", "exit 7"), got.stream().map(Edge::step).toList());
        assertEquals(List.of(41L, 41L, 42L, 42L), got.stream().map(Edge::key).toList());
        @SuppressWarnings("deprecation")
        long me = Thread.currentThread().getId();
        for (Edge e : got) {
            assertEquals(me, e.threadId());
            assertEquals(ProcessHandle.current().pid(), e.pidTgid() >>> 32);
            assertTrue(e.ns() >= before && e.ns() <= after, "stamps are System.nanoTime");
            String name = Thread.currentThread().getName();
            assertEquals(name.substring(0, Math.min(15, name.length())), e.comm());
        }
        assertEquals(Edge.SIZE, Codec.of(Edge.class).size());
        RaceAssertions.assertNoOverlap(edges);
        RaceAssertions.assertPerThreadOrder(got, "enter 7", "exit 7");
        assertEquals(0, edges.drops());
    }

    @Test
    @Probes("/bpf/say.bpf.o")
    void methodProbesAddToTheClassProbes(TraceLines trace, TestProbes probes, Sonde sonde,
            @Handle("kit.bpf.o:calls") BpfMap rawCalls) {
        assertEquals(List.of("kit.bpf.o", "say.bpf.o"), probes.objects().stream().map(o -> o.name()).toList());
        assertEquals(List.of("work_enter", "work_exit", "say"),
            probes.links().stream().map(ProbeLink::programName).toList(), "the class's programs, then the method's");
        assertEquals(-5, Subject.say(5));
        String line = trace.awaitLineContaining("say 5");
        assertTrue(line.contains("bpf_trace_printk: say 5"), line);
        assertTrue(sonde.links().containsAll(probes.links()));
        assertEquals(4, rawCalls.keySize());
        assertEquals(1, probes.stats("say").runCount());
    }

    @Test
    void nothingOfAnEarlierTestStaysAttached(Sonde sonde, TestProbes probes) {
        assertEquals(probes.links(), sonde.links(), "only this test's links");
        assertFalse(probes.isClosed());
    }
}

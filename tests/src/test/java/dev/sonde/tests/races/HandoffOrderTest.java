package dev.sonde.tests.races;

import static dev.sonde.junit.RaceAssertions.assertHappensBefore;
import static dev.sonde.junit.RaceAssertions.assertPerThreadOrder;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonde.junit.Edge;
import dev.sonde.junit.EventStream;
import dev.sonde.junit.Handle;
import dev.sonde.junit.LongCounters;
import dev.sonde.junit.Probes;
import dev.sonde.junit.SondeTest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A producer and a consumer hand items over through slots; probes mark each item's write (site 3)
 * and read (site 4) with its slot. Every consume must follow its produce: true for write-then-
 * publish, false for publish-then-write.
 */
@SondeTest
@Probes(value = "/bpf/races.bpf.o", programs = {"produced", "consumed", "count_reads"})
class HandoffOrderTest {
    private static final int PRODUCE = 3;
    private static final int CONSUME = 4;

    @Test
    void writeThenPublishConsumesEveryItemAfterItsProduce(@Handle("edges") EventStream<Edge> edges,
            @Handle("calls") LongCounters calls) throws Exception {
        int n = 500;
        List<Long> taken = run(new FixedHandoff(n), n);

        List<Long> expected = new ArrayList<>();
        for (long i = 0; i < n; i++) {
            expected.add(1000 + i);
        }
        assertEquals(expected, taken);
        assertEquals(n, calls.awaitAtLeast(CONSUME, n));
        List<Edge> seen = edges.awaitCount(2 * n);
        assertEquals(0, edges.drops());
        assertPerThreadOrder(seen.stream().filter(e -> e.site() == PRODUCE).toList(), "mark 3");
        assertPerThreadOrder(seen.stream().filter(e -> e.site() == CONSUME).toList(), "mark 4");
        assertEquals(2, seen.stream().map(Edge::threadId).distinct().count(), "a producer and a consumer");
        assertHappensBefore(seen, PRODUCE, CONSUME);
    }

    @Test
    void publishThenWriteConsumesItemsBeforeTheyAreProduced(@Handle("edges") EventStream<Edge> edges,
            @Handle("calls") LongCounters calls) throws Exception {
        int n = 5;
        List<Long> taken = run(new BrokenHandoff(n), n);

        assertEquals(List.of(0L, 0L, 0L, 0L, 0L), taken, "the consumer read every slot before its write");
        calls.awaitAtLeast(CONSUME, n);
        List<Edge> seen = edges.awaitCount(2 * n);
        AssertionError e = assertThrows(AssertionError.class, () -> assertHappensBefore(seen, PRODUCE, CONSUME));
        String m = e.getMessage();
        assertTrue(m.startsWith("5 of 5 items have a site 4 that does not follow its site 3"), m);
        assertTrue(m.contains("item 0: site 4 before its site 3:"), m);
        assertTrue(m.matches("(?s).*item 0: [^\\n]*\\n    \\+0\\.000us T\\d+ \"consumer\" mark site 4 key 0"
            + "\\n    \\+\\d+\\.\\d{3}us T\\d+ \"producer\" mark site 3 key 0.*"), m);
    }

    /** Produces items 1000.. on a producer thread, consumes them on a consumer thread; returns what was consumed. */
    private static List<Long> run(Handoff h, int n) throws InterruptedException {
        List<Long> taken = new ArrayList<>();
        Thread producer = new Thread(() -> {
            for (int i = 0; i < n; i++) {
                h.put(1000 + i);
            }
        }, "producer");
        Thread consumer = new Thread(() -> {
            for (int i = 0; i < n; i++) {
                taken.add(h.take());
            }
        }, "consumer");
        producer.start();
        consumer.start();
        producer.join(10_000);
        consumer.join(10_000);
        assertTrue(!producer.isAlive() && !consumer.isAlive(), "the handoff finished within 10 s");
        return taken;
    }
}

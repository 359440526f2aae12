package dev.sonde.tests.races;

import static dev.sonde.junit.RaceAssertions.assertNoOverlap;
import static dev.sonde.junit.RaceAssertions.assertPerThreadOrder;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonde.junit.Edge;
import dev.sonde.junit.EventStream;
import dev.sonde.junit.Handle;
import dev.sonde.junit.Probes;
import dev.sonde.junit.SondeTest;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * A lazy initializer raced by two threads, observed by probes on its {@code create()} (site 1 of
 * races.bpf.c): the plain check-then-create is entered by both at once, the double-checked one
 * with a volatile reference by one only.
 */
@SondeTest
class LazyInitRacesTest {
    private final RaceWindow window = new RaceWindow();
    private final Set<Resource> got = ConcurrentHashMap.newKeySet();

    @Test
    @Probes(value = "/bpf/races.bpf.o", programs = {"broken_lazy_enter", "broken_lazy_exit"})
    void checkThenCreateIsEnteredByTwoThreadsAtOnce(@Handle("edges") EventStream<Edge> edges) throws Exception {
        BrokenLazy lazy = new BrokenLazy(window);
        window.race(2, "lazy", () -> got.add(lazy.get()));

        assertEquals(2, got.size(), "two resources were created");
        List<Edge> seen = edges.awaitCount(4);
        assertPerThreadOrder(seen, "enter 1", "exit 1");
        AssertionError e = assertThrows(AssertionError.class, () -> assertNoOverlap(edges));
        String m = e.getMessage();
        assertTrue(m.matches("(?s)threads T\\d+ \"lazy-[01]\" and T\\d+ \"lazy-[01]\" were inside site 1 key \\d+ at the same time.*"), m);
        assertTrue(m.contains("up to 2 threads inside at once"), m);
        assertEquals(2, m.split("\n  .*enter site 1", -1).length - 1, "both entries are shown: " + m);
        assertEquals(2, m.split("\n  .*exit site 1", -1).length - 1, "both exits are shown: " + m);
    }

    @Test
    @Probes(value = "/bpf/races.bpf.o", programs = {"fixed_lazy_enter", "fixed_lazy_exit"})
    void doubleCheckedWithVolatileIsEnteredOnce(@Handle("edges") EventStream<Edge> edges) throws Exception {
        FixedLazy lazy = new FixedLazy(window);
        window.race(2, "lazy", () -> got.add(lazy.get()));

        assertEquals(1, got.size(), "one resource");
        assertSame(got.iterator().next(), lazy.get());
        assertEquals(1, window.arrivals(), "the second racer waited on the lock while the first was inside");
        List<Edge> seen = edges.awaitCount(2);
        assertEquals(List.of("enter 1", "exit 1"), seen.stream().map(Edge::step).toList());
        assertNoOverlap(edges);
    }
}

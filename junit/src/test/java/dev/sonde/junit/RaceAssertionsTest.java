package dev.sonde.junit;

import static dev.sonde.junit.Edge.enter;
import static dev.sonde.junit.Edge.exit;
import static dev.sonde.junit.Edge.mark;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The assertions on hand-written edges: each verdict and the message that shows it. */
class RaceAssertionsTest {
    private static final long T1 = 101;
    private static final long T2 = 102;
    private static final long T3 = 103;

    @Test
    void disjointStaysPass() {
        RaceAssertions.assertNoOverlap(List.of(
            enter(100, T1, 1, 0), exit(200, T1, 1, 0),
            enter(200, T2, 1, 0), exit(300, T2, 1, 0),   // touching ends: no overlap
            enter(400, T1, 1, 0), exit(500, T1, 1, 0)));
    }

    @Test
    void overlappingStaysFailWithTheEvents() {
        List<Edge> edges = List.of(
            enter(1_000, T1, 1, 0), enter(1_500, T2, 1, 0), exit(2_000, T1, 1, 0), exit(2_500, T2, 1, 0));
        AssertionError e = assertThrows(AssertionError.class, () -> RaceAssertions.assertNoOverlap(edges));
        String m = e.getMessage();
        assertTrue(m.startsWith("threads T101 and T102 were inside site 1 key 0 at the same time"), m);
        assertTrue(m.contains("up to 2 threads inside at once"), m);
        assertTrue(m.contains("T101 inside [+0.000us, +1.000us]"), m);
        assertTrue(m.contains("T102 inside [+0.500us, +1.500us]"), m);
        assertTrue(m.contains("+0.500us T102 enter site 1 key 0"), m);
        assertTrue(m.contains("+1.000us T101 exit site 1 key 0"), m);
    }

    @Test
    void sectionsAreSeparatedBySiteAndKeyAndThread() {
        RaceAssertions.assertNoOverlap(List.of(
            enter(100, T1, 1, 7), enter(110, T2, 1, 8), enter(120, T3, 2, 7),
            enter(130, T1, 1, 7), exit(140, T1, 1, 7),                       // one thread nesting
            exit(150, T3, 2, 7), exit(160, T2, 1, 8), exit(170, T1, 1, 7)));
    }

    @Test
    void aThreadStillInsideOverlapsEveryLaterEntry() {
        List<Edge> edges = List.of(enter(100, T1, 1, 0), enter(900, T2, 1, 0), exit(950, T2, 1, 0));
        AssertionError e = assertThrows(AssertionError.class, () -> RaceAssertions.assertNoOverlap(edges));
        assertTrue(e.getMessage().contains("T101 inside [+0.000us, still inside]"), e.getMessage());
        assertEquals(2, RaceAssertions.mostInside(edges, 1, 0));
    }

    @Test
    void perThreadOrderChecksEachThreadsCycle() {
        RaceAssertions.assertPerThreadOrder(List.of(
            enter(1, T1, 1, 0), enter(2, T2, 1, 0), exit(3, T1, 1, 0), exit(4, T2, 1, 0)), "enter 1", "exit 1");
        List<Edge> bad = List.of(enter(1, T1, 1, 0), exit(2, T1, 1, 0), exit(3, T1, 1, 0));
        AssertionError e = assertThrows(AssertionError.class,
            () -> RaceAssertions.assertPerThreadOrder(bad, "enter 1", "exit 1"));
        assertTrue(e.getMessage().startsWith("thread T101: event 2 is exit 1, expected enter 1"), e.getMessage());
        List<Edge> unfinished = List.of(enter(1, T1, 1, 0));
        e = assertThrows(AssertionError.class, () -> RaceAssertions.assertPerThreadOrder(unfinished, "enter 1", "exit 1"));
        assertTrue(e.getMessage().contains("event 1 is (no more events), expected exit 1"), e.getMessage());
    }

    @Test
    void happensBeforeIsPerItem() {
        RaceAssertions.assertHappensBefore(List.of(
            mark(10, T1, 1, 1), mark(20, T1, 1, 2), mark(25, T2, 2, 1), mark(30, T2, 2, 2), mark(40, T1, 1, 3)), 1, 2);
        List<Edge> bad = List.of(mark(10, T1, 1, 1), mark(20, T2, 2, 2), mark(30, T1, 1, 2), mark(35, T2, 2, 3));
        AssertionError e = assertThrows(AssertionError.class, () -> RaceAssertions.assertHappensBefore(bad, 1, 2));
        String m = e.getMessage();
        assertTrue(m.startsWith("2 of 3 items have a site 2 that does not follow its site 1"), m);
        assertTrue(m.contains("item 2: site 2 before its site 1"), m);
        assertTrue(m.contains("item 3: site 2 without any site 1"), m);
    }
}

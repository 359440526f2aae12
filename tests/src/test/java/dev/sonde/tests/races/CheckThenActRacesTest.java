package dev.sonde.tests.races;

import static dev.sonde.junit.RaceAssertions.assertNoOverlap;
import static dev.sonde.junit.RaceAssertions.assertPerThreadOrder;
import static dev.sonde.junit.RaceAssertions.mostInside;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonde.junit.Edge;
import dev.sonde.junit.EventStream;
import dev.sonde.junit.Handle;
import dev.sonde.junit.Probes;
import dev.sonde.junit.SondeTest;
import dev.sonde.probe.control.ProbeLink;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Two buyers race for the last ticket; probes on {@code buy()} (site 2 of races.bpf.c) show the
 * broken check-then-act entered by both at once, and the synchronized one by one at a time.
 */
@SondeTest
@Probes(value = "/bpf/races.bpf.o", programs = {"broken_buy_enter", "broken_buy_exit", "fixed_buy_enter", "fixed_buy_exit"})
class CheckThenActRacesTest {
    private final RaceWindow window = new RaceWindow();
    private final AtomicInteger bought = new AtomicInteger();

    @Handle("edges")
    EventStream<Edge> edges;

    @Test
    void brokenCheckThenActSellsTheLastTicketTwice(@Handle("broken_buy_enter") ProbeLink enter) throws Exception {
        BrokenTickets tickets = new BrokenTickets(window, 1);
        window.race(2, "buyer", () -> {
            if (tickets.buy()) {
                bought.incrementAndGet();
            }
        });

        assertEquals(2, tickets.sold.get(), "one ticket, sold twice");
        assertEquals(2, bought.get());
        List<Edge> seen = edges.awaitCount(4);
        assertEquals(2, enter.stats().runCount());
        assertEquals(0, enter.stats().nmissed());
        assertPerThreadOrder(seen, "enter 2", "exit 2");
        assertEquals(2, mostInside(seen, 2, seen.get(0).key()));
        AssertionError e = assertThrows(AssertionError.class, () -> assertNoOverlap(edges));
        String m = e.getMessage();
        assertTrue(m.contains("\"buyer-0\"") && m.contains("\"buyer-1\""), m);
        assertTrue(m.contains("were inside site 2 key " + seen.get(0).key() + " at the same time"), m);
        assertTrue(m.contains(" first overlap:\n  T"), m);
    }

    @Test
    void synchronizedCheckThenActSellsItOnce() throws Exception {
        FixedTickets tickets = new FixedTickets(window, 1);
        window.race(2, "buyer", () -> {
            if (tickets.buy()) {
                bought.incrementAndGet();
            }
        });

        assertEquals(1, tickets.sold.get());
        assertEquals(1, bought.get());
        assertEquals(1, window.arrivals(), "the other buyer was blocked on the monitor, then found none left");
        List<Edge> seen = edges.awaitCount(4);
        assertPerThreadOrder(seen, "enter 2", "exit 2");
        assertEquals(1, mostInside(seen, 2, seen.get(0).key()));
        assertNoOverlap(edges);
    }
}

package dev.sonde.trampoline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonde.bpf.vm.Cpu;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Trampolines in java.util and java.lang classes (bootstrap loader, named module java.base). */
class JdkProbeTest {
    private final Trampolines t = Fixture.trampolines();

    @Test
    void arrayListAdd() {
        List<Object> mine = new ArrayList<>();
        Object element = new Object();
        AtomicLong entries = new AtomicLong();
        AtomicLong exits = new AtomicLong();
        Object[] seen = new Object[2];
        Handler h = new Handler() {
            @Override
            public void onEntry(Frame f, Cpu c) {
                if (f.self() == mine) {
                    entries.incrementAndGet();
                    seen[0] = f.refArg(0);
                }
            }

            @Override
            public void onExit(Frame f, Cpu c) {
                if (f.self() == mine) {
                    exits.incrementAndGet();
                    seen[1] = f.returnValue();
                }
            }
        };
        try (Link l = t.attach(ArrayList.class, "add", "(Ljava/lang/Object;)Z", h)) {
            for (int i = 0; i < 10; i++) {
                assertTrue(mine.add(element));
            }
            assertEquals(10, mine.size());
        }
        assertEquals(10, entries.get());
        assertEquals(10, exits.get());
        assertSame(element, seen[0]);
        assertEquals(1L, seen[1], "true, encoded");
        mine.add(element);
        assertEquals(10, entries.get(), "detached");
    }

    @Test
    void stringIndexOf() {
        String s = new String("hello, sonde");
        AtomicLong hits = new AtomicLong();
        long[] args = new long[2];
        Handler h = new Handler() {
            @Override
            public void onEntry(Frame f, Cpu c) {
                if (f.self() == s) {
                    hits.incrementAndGet();
                    args[0] = f.arg(0);
                }
            }

            @Override
            public void onExit(Frame f, Cpu c) {
                if (f.self() == s) {
                    args[1] = f.returnValue();
                }
            }
        };
        try (Link l = t.attach(String.class, "indexOf", "(I)I", h)) {
            assertEquals(7, s.indexOf('s'));
            assertEquals(-1, s.indexOf('z'));
        }
        assertEquals(2, hits.get());
        assertEquals('z', args[0]);
        assertEquals(-1L, args[1], "sign-extended -1");
    }

    @Test
    void aProbeOnAJdkMethodThatItsHandlerUsesCountsTheInnerHitAsMissed() {
        List<Object> mine = new ArrayList<>();
        List<Object> handlerOwn = new ArrayList<>();
        Handler h = new Handler() {
            @Override
            public void onEntry(Frame f, Cpu c) {
                if (f.self() == mine) {
                    handlerOwn.add(f.refArg(0));   // ArrayList.add inside the hit: skipped, missed
                }
            }
        };
        try (Link l = t.attach(ArrayList.class, "add", "(Ljava/lang/Object;)Z", h)) {
            long missedBefore = l.nmissed();
            for (int i = 0; i < 5; i++) {
                mine.add(i);
            }
            assertEquals(5, handlerOwn.size());
            assertTrue(l.nmissed() - missedBefore >= 10, "5 inner hits, entry and exit each: " + (l.nmissed() - missedBefore));
        }
        assertNull(null);
    }
}

package dev.sonde.trampoline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonde.bpf.vm.Cpu;
import dev.sonde.trampoline.targets.Misc;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Throwing handlers, order of several handlers, one handler on many methods, re-entrancy. */
class HandlerContractTest {
    private final Trampolines t = Fixture.trampolines();

    @Test
    void aThrowingHandlerNeverReachesTheTargetAndTheNextHandlerStillRuns() {
        Handler throwsRuntime = new Handler() {
            @Override
            public void onEntry(Frame f, Cpu c) {
                throw new IllegalStateException("entry");
            }

            @Override
            public void onExit(Frame f, Cpu c) {
                throw new IllegalStateException("exit");
            }
        };
        Handler throwsError = new Handler() {
            @Override
            public void onEntry(Frame f, Cpu c) {
                throw new AssertionError("an Error too");
            }
        };
        Recorder after = new Recorder();
        int before = Misc.calls;
        try (Link a = t.attach(Misc.class, "work", throwsRuntime);
             Link b = t.attach(Misc.class, "work", throwsError);
             Link c = t.attach(Misc.class, "work", after)) {
            for (int i = 0; i < 10; i++) {
                assertEquals(3 * i, Misc.work(i));
            }
            assertEquals(20, a.errors());
            assertEquals(10, b.errors());
            assertEquals(0, c.errors());
            assertEquals(10, after.entries().size());
            assertEquals(10, after.exits().size());
        }
        assertEquals(before + 10, Misc.calls, "the body ran once per call");
    }

    @Test
    void handlersRunInAttachOrderAndOneHandlerServesManyMethods() {
        List<String> order = new ArrayList<>();
        Handler h1 = named("1", order);
        Handler h2 = named("2", order);
        Handler h3 = named("3", order);
        try (Link a = t.attach(Misc.class, "other", h1);
             Link b = t.attach(Misc.class, "other", h2);
             Link c = t.attach(Misc.class, "other", h3);
             Link d = t.attach(Misc.class, "inner", h2)) {
            Misc.other(1);
            assertEquals(List.of("1>other", "2>other", "3>other", "1<other", "2<other", "3<other"), order);
            order.clear();
            Misc.inner(1);
            assertEquals(List.of("2>inner", "2<inner"), order);
            order.clear();
            b.close();
            Misc.other(1);
            assertEquals(List.of("1>other", "3>other", "1<other", "3<other"), order);
            order.clear();
            Misc.inner(1);
            assertEquals(List.of("2>inner", "2<inner"), order, "closing one link leaves the handler's other links");
        }
    }

    private static Handler named(String n, List<String> out) {
        return new Handler() {
            @Override
            public void onEntry(Frame f, Cpu c) {
                out.add(n + ">" + f.method().name());
            }

            @Override
            public void onExit(Frame f, Cpu c) {
                out.add(n + "<" + f.method().name());
            }
        };
    }

    @Test
    void aHitInsideAHitIsSkippedAndCountedAsMissed() {
        int[] runs = new int[2];
        Handler reenters = new Handler() {
            @Override
            public void onEntry(Frame f, Cpu c) {
                runs[0]++;
                assertEquals(f.arg(0) + 1, Misc.inner((int) f.arg(0)));   // its trampolines are skipped
            }

            @Override
            public void onExit(Frame f, Cpu c) {
                runs[1]++;
            }
        };
        try (Link l = t.attach(Misc.class, "inner", reenters)) {
            for (int i = 0; i < 50; i++) {
                assertEquals(i + 1, Misc.inner(i));
            }
            assertEquals(50, runs[0]);
            assertEquals(50, runs[1]);
            assertEquals(100, l.nmissed(), "entry and exit of each inner call");
            assertEquals(100, t.nmissed(l.methods().get(0)));
            l.close();
            assertEquals(100, l.nmissed(), "frozen at close");
        }
    }

    @Test
    void aHitThatFindsNoFreeSlotIsSkippedAndCountedAsMissed() throws Exception {
        // Hold every slot from other threads, then call: both trampolines miss.
        int n = Fixture.SLOTS.count();
        java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(n);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        List<Thread> holders = new ArrayList<>();
        Recorder r = new Recorder();
        try (Link l = t.attach(Misc.class, "hot", r)) {
            for (int i = 0; i < n; i++) {
                Thread th = new Thread(() -> {
                    Cpu cpu = Fixture.SLOTS.tryEnter();
                    held.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    } finally {
                        if (cpu != null) {
                            Fixture.SLOTS.exit(cpu);
                        }
                    }
                });
                th.start();
                holders.add(th);
            }
            held.await();
            assertEquals(3, Misc.hot(1, 2, null, 0));
            release.countDown();
            for (Thread th : holders) {
                th.join();
            }
            assertEquals(2, l.nmissed());
            assertTrue(r.hits.isEmpty());
            assertEquals(3, Misc.hot(1, 2, null, 0));
            assertEquals(2, r.hits.size());
        }
    }
}

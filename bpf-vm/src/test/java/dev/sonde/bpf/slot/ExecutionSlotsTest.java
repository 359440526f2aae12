package dev.sonde.bpf.slot;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonde.bpf.vm.Cpu;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

class ExecutionSlotsTest {

    /** A thread that enters a slot, signals, and holds it until released. */
    static final class Holder extends Thread {
        final ExecutionSlots slots;
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        volatile Cpu cpu;

        Holder(ExecutionSlots slots) {
            this.slots = slots;
            setDaemon(true);
        }

        @Override
        public void run() {
            cpu = slots.tryEnter();
            entered.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                return;
            } finally {
                if (cpu != null) {
                    slots.exit(cpu);
                }
            }
        }

        Holder begin() throws InterruptedException {
            start();
            entered.await();
            assertNotNull(cpu, "holder got a slot");
            return this;
        }

        void end() throws InterruptedException {
            release.countDown();
            join();
        }
    }

    @Test
    void reentryOnTheSameThreadReturnsNull() {
        try (ExecutionSlots slots = new ExecutionSlots(4)) {
            Cpu cpu = slots.tryEnter();
            assertNotNull(cpu);
            assertTrue(slots.holdsSlot());
            assertNull(slots.tryEnter(), "a thread holding a slot must not get a second one");
            slots.exit(cpu);
            assertFalse(slots.holdsSlot());
            Cpu again = slots.tryEnter();
            assertSame(cpu, again, "the thread prefers the slot it had");
            slots.exit(again);
            assertThrows(IllegalStateException.class, () -> slots.exit(again));
        }
    }

    @Test
    void allSlotsBusyReturnsNullWithoutWaiting() throws Exception {
        try (ExecutionSlots slots = new ExecutionSlots(2)) {
            Holder a = new Holder(slots).begin();
            Holder b = new Holder(slots).begin();
            assertNull(slots.tryEnter());
            a.end();
            Cpu c = slots.tryEnter();
            assertNotNull(c);
            assertEquals(a.cpu.id, c.id);
            slots.exit(c);
            b.end();
        }
    }

    @Test
    void slotsAreMutuallyExclusiveUnderEightThreads() throws Exception {
        try (ExecutionSlots slots = new ExecutionSlots(4)) {
            AtomicIntegerArray inside = new AtomicIntegerArray(4);
            AtomicInteger violations = new AtomicInteger();
            AtomicLong entered = new AtomicLong();
            AtomicLong missed = new AtomicLong();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                threads.add(new Thread(() -> {
                    for (int i = 0; i < 50_000; i++) {
                        Cpu cpu = slots.tryEnter();
                        if (cpu == null) {
                            missed.incrementAndGet();
                            continue;
                        }
                        if (inside.incrementAndGet(cpu.id) != 1) {
                            violations.incrementAndGet();
                        }
                        entered.incrementAndGet();
                        inside.decrementAndGet(cpu.id);
                        slots.exit(cpu);
                    }
                }));
            }
            threads.forEach(Thread::start);
            for (Thread t : threads) {
                t.join();
            }
            assertEquals(0, violations.get(), "two threads held one slot");
            assertEquals(8 * 50_000, entered.get() + missed.get());
            assertTrue(entered.get() > 0);
        }
    }

    @Test
    void synchronizeWaitsForARunInFlightButNotForLaterRuns() throws Exception {
        try (ExecutionSlots slots = new ExecutionSlots(4)) {
            Holder early = new Holder(slots).begin();
            AtomicBoolean done = new AtomicBoolean();
            Thread sync = new Thread(() -> {
                slots.synchronize();
                done.set(true);
            });
            sync.start();
            // Blocked: parked in its wait loop (it parks only after its snapshot) and not done.
            await().atMost(Duration.ofSeconds(30)).until(() -> sync.getState() == Thread.State.TIMED_WAITING);
            assertFalse(done.get(), "synchronize returned while a run that began before it was inside");
            Holder late = new Holder(slots).begin();   // enters after synchronize took its snapshot
            early.end();
            await().atMost(Duration.ofSeconds(30)).untilTrue(done);
            assertTrue(late.isAlive(), "the later run is still inside, yet synchronize returned");
            late.end();
            sync.join();
        }
    }

    @Test
    void synchronizeFromAHolderThrows() {
        try (ExecutionSlots slots = new ExecutionSlots(2)) {
            Cpu cpu = slots.tryEnter();
            assertThrows(IllegalStateException.class, slots::synchronize);
            slots.exit(cpu);
            slots.synchronize();   // idle slots: returns at once
        }
    }

    @Test
    void callAfterGracePeriodRunsOnceAfterThePresentReadersLeft() throws Exception {
        try (ExecutionSlots slots = new ExecutionSlots(4)) {
            Holder reader = new Holder(slots).begin();
            AtomicInteger runs = new AtomicInteger();
            long before = slots.completedGracePeriods();
            slots.callAfterGracePeriod(runs::incrementAndGet);
            long cookie = slots.requestGracePeriod();
            await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(30))
                .until(() -> runs.get() == 0 && !slots.gracePeriodPassed(cookie));
            assertEquals(before, slots.completedGracePeriods(), "no grace period can complete with the reader inside");
            reader.end();
            await().atMost(Duration.ofSeconds(30)).until(() -> runs.get() == 1);
            assertTrue(slots.gracePeriodPassed(cookie));
            // Later grace periods do not run it again.
            AtomicBoolean second = new AtomicBoolean();
            slots.callAfterGracePeriod(() -> second.set(true));
            await().atMost(Duration.ofSeconds(30)).untilTrue(second);
            assertEquals(1, runs.get());
        }
    }

    @Test
    void closeRunsQueuedCallbacksAndLaterOnesRunInline() {
        AtomicInteger runs = new AtomicInteger();
        ExecutionSlots slots = new ExecutionSlots(2);
        for (int i = 0; i < 10; i++) {
            slots.callAfterGracePeriod(runs::incrementAndGet);
        }
        slots.close();
        assertEquals(10, runs.get());
        slots.callAfterGracePeriod(runs::incrementAndGet);
        assertEquals(11, runs.get());
    }

    @Test
    void callbackExceptionsGoToTheSinkAndDoNotStopTheThread() {
        try (ExecutionSlots slots = new ExecutionSlots(2)) {
            AtomicReference<Throwable> seen = new AtomicReference<>();
            slots.onCallbackError(seen::set);
            slots.callAfterGracePeriod(() -> {
                throw new IllegalStateException("boom");
            });
            AtomicBoolean after = new AtomicBoolean();
            slots.callAfterGracePeriod(() -> after.set(true));
            await().atMost(Duration.ofSeconds(30)).untilTrue(after);
            assertEquals("boom", seen.get().getMessage());
        }
    }

    /**
     * The guarantee that matters: readers inside a slot never see an object the writer poisoned
     * after unpublishing it and waiting for a grace period.
     */
    static void publishUnpublishRace(int readers, long millis, boolean async) throws Exception {
        try (ExecutionSlots slots = new ExecutionSlots(readers)) {
            AtomicReference<long[]> published = new AtomicReference<>(new long[] {1});
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong seenDead = new AtomicLong();
            AtomicLong reads = new AtomicLong();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < readers; t++) {
                threads.add(new Thread(() -> {
                    while (!stop.get()) {
                        Cpu cpu = slots.tryEnter();
                        if (cpu == null) {
                            continue;
                        }
                        long[] o = published.get();   // volatile read after the claim
                        for (int k = 0; k < 20; k++) {
                            if (o[0] == 0) {
                                seenDead.incrementAndGet();
                            }
                        }
                        reads.incrementAndGet();
                        slots.exit(cpu);
                    }
                }));
            }
            threads.forEach(Thread::start);
            long end = System.nanoTime() + millis * 1_000_000;
            // On a loaded machine the readers may barely have run in the window: the swaps go on
            // (for at most 60 s) until they have read often enough for the race to mean something.
            long deadline = System.nanoTime() + 60_000_000_000L;
            AtomicLong pendingPoison = new AtomicLong();
            long swaps = 0;
            while (System.nanoTime() - end < 0 || reads.get() <= 100 && System.nanoTime() - deadline < 0) {
                long[] old = published.getAndSet(new long[] {1});
                if (async) {
                    pendingPoison.incrementAndGet();
                    slots.callAfterGracePeriod(() -> {
                        old[0] = 0;
                        pendingPoison.decrementAndGet();
                    });
                } else {
                    slots.synchronize();
                    old[0] = 0;
                }
                swaps++;
            }
            stop.set(true);
            for (Thread t : threads) {
                t.join();
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> pendingPoison.get() == 0);
            assertEquals(0, seenDead.get(), "a reader saw an object freed after a grace period");
            assertTrue(swaps > 0 && reads.get() > 100, "the race ran: " + swaps + " swaps, " + reads.get() + " reads");
        }
    }

    @Test
    void shortStressSynchronize() throws Exception {
        publishUnpublishRace(4, 700, false);
    }

    @Test
    void shortStressCallAfterGracePeriod() throws Exception {
        publishUnpublishRace(4, 700, true);
    }

    @Test
    @Tag("long")
    void longStress() throws Exception {
        publishUnpublishRace(8, 20_000, false);
        publishUnpublishRace(8, 20_000, true);
    }
}

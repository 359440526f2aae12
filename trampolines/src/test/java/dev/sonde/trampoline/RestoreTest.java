package dev.sonde.trampoline;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonde.trampoline.targets.Restore;
import java.lang.instrument.ClassFileTransformer;
import java.lang.ref.WeakReference;
import java.security.ProtectionDomain;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Detach restores the original bytecode and frees the dispatch point; patterns instrument later loads. */
class RestoreTest {
    private static final String RESTORE = "dev/sonde/trampoline/targets/Restore";
    private final Trampolines t = Fixture.trampolines();

    /** Each test starts from the original bytecode, Restore loaded: no restore of an earlier test pending. */
    @BeforeEach
    void restored() {
        assertEquals(3.0, Restore.calc(4));
        t.awaitRestored();
    }

    /**
     * Comparison made: the class file the JVM reconstitutes before attach and after detach, method
     * by method, instruction by instruction (opcodes, operands resolved through the constant pool,
     * exception tables); the schema too. Byte equality is checked as well and reported, but not
     * required: a JVM may reconstitute the constant pool in another order.
     */
    @Test
    void afterDetachEveryMethodHasItsOriginalInstructions() throws Exception {
        byte[] original = ClassBytes.current(Restore.class);
        assertFalse(ClassBytes.mentionsSonde(original));
        Restore r = new Restore();
        int plain = r.mix(2, "abc");
        Recorder rec = new Recorder();
        byte[] instrumented;
        try (Link l = t.attach(Restore.class, "mix", rec); Link m = t.attach(Restore.class, "calc", rec)) {
            assertEquals(plain + 2, r.mix(2, "abc"));
            assertEquals(-1, r.mix(1, null), "the method's own catch still catches");
            instrumented = ClassBytes.current(Restore.class);
            assertTrue(ClassBytes.mentionsSonde(instrumented));
            assertEquals(ClassBytes.schema(original), ClassBytes.schema(instrumented), "no schema change");
            assertEquals(4, rec.hits.size());
        }
        t.awaitRestored();
        byte[] restored = ClassBytes.current(Restore.class);
        assertNotEquals(ClassBytes.instructions(original), ClassBytes.instructions(instrumented));
        assertEquals(ClassBytes.instructions(original), ClassBytes.instructions(restored), "instruction-level comparison");
        assertEquals(ClassBytes.schema(original), ClassBytes.schema(restored));
        System.err.println("RestoreTest: reconstituted bytes after detach are "
                + (Arrays.equals(original, restored) ? "identical to" : "not byte-identical to (instructions are)")
                + " the ones before attach on " + Runtime.version());
    }

    @Test
    void theFreedDispatchPointAndTheHandlerBecomeUnreachable() {
        WeakReference<?>[] refs = attachCallDetach();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
            System.gc();
            return refs[0].get() == null && refs[1].get() == null && refs[2].get() == null;
        });
    }

    private WeakReference<?>[] attachCallDetach() {
        Recorder h = new Recorder();
        Link l = t.attach(Restore.class, "calc", h);
        assertEquals(3.0, Restore.calc(4));
        MethodSite s = t.site(l.methods().get(0).id());
        WeakReference<?>[] refs = {new WeakReference<>(h), new WeakReference<>(s), new WeakReference<>(s.entryImage.getTarget())};
        l.close();
        t.awaitRestored();
        assertEquals(null, t.site(s.id));
        return refs;
    }

    /**
     * Detach returns once the handler can no longer run; the restorer thread gives the method its
     * original bytecode back on its own shortly after. An attach while that restore is pending
     * reuses the trampoline in place: no retransformation of the class (a counting transformer
     * sees every one).
     */
    @Test
    void theRestoreFollowsDetachByItselfAndAnAttachBeforeItReusesTheTrampoline() throws Exception {
        try (Retransforms retransforms = new Retransforms()) {
            Recorder rec = new Recorder();
            Link first = t.attach(Restore.class, "calc", rec);
            assertEquals(1, retransforms.get(), "a method with its original bytecode gets its trampoline by one retransformation");
            int id = first.methods().get(0).id();
            Link second;
            t.restoreLock().lock();   // the restorer cannot run meanwhile: its restore stays pending
            try {
                first.close();
                assertEquals(3.0, Restore.calc(4));
                assertEquals(0, rec.hits.size(), "no handler runs after detach returned, before the restore");
                second = t.attach(Restore.class, "calc", rec);
                assertEquals(id, second.methods().get(0).id(), "the pending site is reused");
                assertEquals(1, retransforms.get(), "reused: no retransformation");
                assertEquals(3.0, Restore.calc(4));
                assertEquals(2, rec.hits.size(), "entry and exit of the call after the second attach");
            } finally {
                t.restoreLock().unlock();
            }
            second.close();
            await().atMost(Duration.ofSeconds(30)).until(() -> t.site(id) == null);
            await().atMost(Duration.ofSeconds(30)).until(() -> retransforms.get() == 2);
            assertEquals(null, t.lastRestoreFailure());
            assertFalse(ClassBytes.mentionsSonde(ClassBytes.current(Restore.class)), "restored without awaitRestored");
            int before = retransforms.get();
            Link third = t.attach(Restore.class, "calc", rec);
            assertNotEquals(id, third.methods().get(0).id(), "after the restore a new site");
            assertEquals(before + 1, retransforms.get(), "restored, so instrumented again");
            third.close();
            t.awaitRestored();
        }
    }

    /**
     * An attach that fails (here another agent's transformer makes the class unloadable) leaves no
     * site that a later attach could take for an installed trampoline, even while the restorer
     * cannot run; the failed clean-up restore is reported once by awaitRestored.
     */
    @Test
    void anAttachRightAfterAFailedOneProbesTheMethod() throws Exception {
        ClassFileTransformer breaker = new ClassFileTransformer() {
            @Override
            public byte[] transform(Module m, ClassLoader loader, String name, Class<?> redefined, ProtectionDomain pd, byte[] b) {
                return redefined != null && RESTORE.equals(name) ? new byte[] {1, 2, 3} : null;   // a ClassFormatError for the JVM
            }
        };
        Recorder rec = new Recorder();
        Fixture.INST.addTransformer(breaker, true);
        t.restoreLock().lock();
        try {
            IllegalArgumentException failed = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> t.attach(Restore.class, "calc", rec));
            assertTrue(failed.getMessage().contains(Restore.class.getName()), failed.getMessage());
            Fixture.INST.removeTransformer(breaker);
            try (Link l = t.attach(Restore.class, "calc", rec)) {
                assertEquals(3.0, Restore.calc(4));
                assertEquals(2, rec.hits.size(), "the attach after the failed one probes the method");
            }
        } finally {
            Fixture.INST.removeTransformer(breaker);
            t.restoreLock().unlock();
        }
        IllegalStateException reported = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, t::awaitRestored,
            "the failed attach's clean-up restore ran while the breaker was still there");
        assertTrue(reported.getMessage().contains(Restore.class.getName()), reported.getMessage());
        t.awaitRestored();   // reported once
        assertFalse(ClassBytes.mentionsSonde(ClassBytes.current(Restore.class)));
    }

    /** A probe on several methods of a class costs one retransformation; a bad request in the batch attaches nothing. */
    @Test
    void attachAllRetransformsOnceAndIsAllOrNothing() throws Exception {
        try (Retransforms retransforms = new Retransforms()) {
            Recorder rec = new Recorder();
            var before = t.instrumentedMethods();
            IllegalArgumentException bad = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> t.attachAll(List.of(new Trampolines.Request(Restore.class, "calc", null, rec),
                    new Trampolines.Request(Restore.class, "noSuchMethod", null, rec))));
            assertTrue(bad.getMessage().contains("noSuchMethod"), bad.getMessage());
            assertEquals(before, t.instrumentedMethods(), "nothing attached");
            assertEquals(0, retransforms.get());
            List<Link> links = t.attachAll(List.of(new Trampolines.Request(Restore.class, "calc", null, rec),
                new Trampolines.Request(Restore.class, "mix", null, rec)));
            assertEquals(1, retransforms.get(), "two methods of one class, one retransformation");
            new Restore().mix(2, "abc");
            assertEquals(3.0, Restore.calc(4));
            assertEquals(4, rec.hits.size(), "mix and calc, entry and exit each");
            t.detach(links);
            t.awaitRestored();
            assertEquals(2, retransforms.get(), "and one restore for both");
        }
    }

    /** The Late classes are named only as strings here, so that nothing loads them before the attach. */
    @Test
    void classesThatLoadLaterAndMatchAreInstrumentedAsTheyLoad() throws Exception {
        String pkg = "dev.sonde.latetargets.";   // outside the package whose classes surefire scans (and loads)
        for (Class<?> c : Fixture.INST.getAllLoadedClasses()) {
            assertFalse(c.getName().startsWith(pkg + "Late"), c + " must not be loaded before the test");
        }
        Recorder rec = new Recorder();
        Class<?> a;
        Class<?> b;
        try (Link l = t.attach(MethodPattern.parse(pkg + "Late?::p?ng"), rec)) {
            assertTrue(l.methods().isEmpty());
            a = Class.forName(pkg + "LateA");
            b = Class.forName(pkg + "LateB");
            assertEquals(101, a.getMethod("ping", int.class).invoke(null, 1));
            Object lb = b.getConstructor().newInstance();
            assertEquals(2, b.getMethod("ping", String.class).invoke(lb, "ab"));
            assertEquals(0, b.getMethod("pong").invoke(lb));
            assertEquals(3, l.methods().size(), l.methods().toString());   // LateA.ping, LateB.ping, LateB.pong
            assertEquals(6, rec.hits.size());
            assertEquals(1, rec.entries().get(0).args()[0]);
            assertEquals("ab", rec.entries().get(1).refs()[0]);
        }
        t.awaitRestored();
        assertFalse(ClassBytes.mentionsSonde(ClassBytes.current(a)));
        assertFalse(ClassBytes.mentionsSonde(ClassBytes.current(b)));
        rec.clear();
        a.getMethod("ping", int.class).invoke(null, 1);
        assertTrue(rec.hits.isEmpty());
    }

    /** Counts the retransformations of Restore while open (every one passes each retransform-capable transformer). */
    private static final class Retransforms implements ClassFileTransformer, AutoCloseable {
        private final AtomicInteger count = new AtomicInteger();

        Retransforms() {
            Fixture.INST.addTransformer(this, true);
        }

        @Override
        public byte[] transform(Module m, ClassLoader loader, String name, Class<?> redefined, ProtectionDomain pd, byte[] b) {
            if (redefined != null && RESTORE.equals(name)) {   // by name: Restore.class here could load it inside its own load
                count.incrementAndGet();
            }
            return null;
        }

        int get() {
            return count.get();
        }

        @Override
        public void close() {
            Fixture.INST.removeTransformer(this);
        }
    }
}

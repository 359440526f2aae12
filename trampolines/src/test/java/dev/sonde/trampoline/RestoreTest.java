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
    private final Trampolines t = Fixture.trampolines();

    /** Each test starts from the original bytecode: no restore of an earlier test pending. */
    @BeforeEach
    void restored() {
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
        AtomicInteger retransforms = new AtomicInteger();
        ClassFileTransformer counter = new ClassFileTransformer() {
            @Override
            public byte[] transform(Module m, ClassLoader loader, String name, Class<?> redefined, ProtectionDomain pd, byte[] b) {
                if (redefined == Restore.class) {
                    retransforms.incrementAndGet();
                }
                return null;
            }
        };
        Fixture.INST.addTransformer(counter, true);
        try {
            Recorder rec = new Recorder();
            Link first = t.attach(Restore.class, "calc", rec);
            assertEquals(1, retransforms.get(), "a method with its original bytecode gets its trampoline by one retransformation");
            int id = first.methods().get(0).id();
            first.close();
            assertEquals(3.0, Restore.calc(4));
            assertEquals(0, rec.hits.size(), "no handler runs after detach returned, restored or not");
            // Attach again at once: unless the restorer (10 ms after the detach) came first, the
            // trampoline is reused. Either way the method is probed, and at most one restore ran.
            Link second = t.attach(Restore.class, "calc", rec);
            boolean reused = second.methods().get(0).id() == id;
            assertEquals(reused ? 1 : 3, retransforms.get(), reused ? "reused: no retransformation" : "restored, then instrumented again");
            assertEquals(3.0, Restore.calc(4));
            assertEquals(2, rec.hits.size(), "entry and exit of the call after the second attach");
            int secondId = second.methods().get(0).id();
            second.close();
            int before = retransforms.get();
            await().atMost(Duration.ofSeconds(30)).until(() -> t.site(secondId) == null);
            await().atMost(Duration.ofSeconds(30)).until(() -> retransforms.get() == before + 1);
            assertEquals(null, t.lastRestoreFailure());
            assertFalse(ClassBytes.mentionsSonde(ClassBytes.current(Restore.class)), "restored without awaitRestored");
        } finally {
            Fixture.INST.removeTransformer(counter);
        }
    }

    /** A probe on several methods of a class costs one retransformation; a bad request in the batch attaches nothing. */
    @Test
    void attachAllRetransformsOnceAndIsAllOrNothing() throws Exception {
        AtomicInteger retransforms = new AtomicInteger();
        ClassFileTransformer counter = new ClassFileTransformer() {
            @Override
            public byte[] transform(Module m, ClassLoader loader, String name, Class<?> redefined, ProtectionDomain pd, byte[] b) {
                if (redefined == Restore.class) {
                    retransforms.incrementAndGet();
                }
                return null;
            }
        };
        Fixture.INST.addTransformer(counter, true);
        try {
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
        } finally {
            Fixture.INST.removeTransformer(counter);
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
}

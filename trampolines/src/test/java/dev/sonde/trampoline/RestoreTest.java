package dev.sonde.trampoline;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonde.trampoline.targets.Restore;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Detach restores the original bytecode and frees the dispatch point; patterns instrument later loads. */
class RestoreTest {
    private final Trampolines t = Fixture.trampolines();

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
        assertEquals(null, t.site(s.id));
        return refs;
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
        assertFalse(ClassBytes.mentionsSonde(ClassBytes.current(a)));
        assertFalse(ClassBytes.mentionsSonde(ClassBytes.current(b)));
        rec.clear();
        a.getMethod("ping", int.class).invoke(null, 1);
        assertTrue(rec.hits.isEmpty());
    }
}

package dev.sonde.trampoline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonde.trampoline.targets.Shapes;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What a handler sees for methods of every shape, and that the method itself is unchanged. */
class TrampolineShapesTest {
    private final Trampolines t = Fixture.trampolines();

    /** "Without trampolines" means with the original bytecode: no restore of an earlier test pending. */
    @BeforeEach
    void restored() {
        t.awaitRestored();
    }

    @Test
    void firesExactlyOncePerCallOnEntryAndExit() {
        Recorder r = new Recorder();
        try (Link l = t.attach(Shapes.class, "rI", r)) {
            for (int i = 0; i < 100; i++) {
                assertEquals(i - 1, Shapes.rI(i));
            }
            assertEquals(100, r.entries().size());
            assertEquals(100, r.exits().size());
            for (int i = 0; i < 100; i++) {
                assertEquals(i, r.entries().get(i).args()[0]);
                assertEquals(i - 1, r.exits().get(i).ret());
            }
            assertEquals(1, l.methods().size());
            assertEquals(0, l.nmissed());
        }
        r.clear();
        Shapes.rI(5);
        assertTrue(r.hits.isEmpty(), "no hit after close");
    }

    @Test
    void nineParametersEncodedAtEntryAndAtExit() {
        Recorder r = new Recorder();
        Object o = new Object();
        long expected = Shapes.nine(true, (byte) -3, (short) -300, '\uFFFE', -7, Long.MIN_VALUE + 5, -1.5f, -2.25, o);
        try (Link l = t.attach(Shapes.class, "nine", r)) {
            assertEquals(expected, Shapes.nine(true, (byte) -3, (short) -300, '\uFFFE', -7, Long.MIN_VALUE + 5, -1.5f, -2.25, o));
        }
        long[] want = {
            1, -3L, -300L, 0xFFFEL, -7L, Long.MIN_VALUE + 5,
            Float.floatToRawIntBits(-1.5f) & 0xFFFF_FFFFL, Double.doubleToRawLongBits(-2.25), 0,
        };
        assertEquals(2, r.hits.size());
        for (Recorder.Hit h : r.hits) {
            assertArrayEquals(want, h.args(), (h.exit() ? "exit " : "entry ") + "encoding");
            assertSame(o, h.refs()[8]);
            for (int i = 0; i < 8; i++) {
                assertNull(h.refs()[i]);
            }
            assertNull(h.self());
        }
        assertEquals(expected, r.exits().get(0).ret());
        assertEquals("ZBSCIJFDL", kinds(r.hits.get(0).method()));
    }

    private static String kinds(MethodInfo m) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < m.argCount(); i++) {
            b.append(m.argKind(i));
        }
        return b.toString();
    }

    @Test
    void parametersAtExitAreTheValuesAtEntry() {
        Recorder r = new Recorder();
        int expected = Shapes.reassign(4, "abc", 2.0);
        try (Link l = t.attach(Shapes.class, "reassign", r)) {
            assertEquals(expected, Shapes.reassign(4, "abc", 2.0));
        }
        Recorder.Hit exit = r.exits().get(0);
        assertEquals(4, exit.args()[0]);
        assertEquals("abc", exit.refs()[1]);
        assertEquals(Double.doubleToRawLongBits(2.0), exit.args()[2]);
    }

    @Test
    void returnValuesOfEveryType() {
        Recorder r = new Recorder();
        try (Link l = t.attach(MethodPattern.parse(Shapes.class.getName() + "::r?"), r)) {
            assertEquals(11, l.methods().size());
            assertFalse(Shapes.rZ(true));
            assertEquals((byte) -128, Shapes.rB((byte) -127));
            assertEquals((short) -32768, Shapes.rS((short) -32767));
            assertEquals('\uFFFF', Shapes.rC('\uFFFE'));
            assertEquals(-1, Shapes.rI(0));
            assertEquals(Long.MAX_VALUE, Shapes.rJ(Long.MIN_VALUE));
            assertEquals(-3.5f, Shapes.rF(3.5f));
            assertEquals(-1e300, Shapes.rD(1e300));
            assertEquals("x!", Shapes.rL("x"));
            assertEquals(3, Shapes.rA(3).length);
            int[] out = new int[1];
            Shapes.rV(out);
            assertEquals(1, out[0]);
        }
        List<Recorder.Hit> x = r.exits();
        assertEquals(11, x.size());
        assertEquals(0, x.get(0).ret());
        assertEquals(-128L, x.get(1).ret());
        assertEquals(-32768L, x.get(2).ret());
        assertEquals(0xFFFFL, x.get(3).ret());
        assertEquals(-1L, x.get(4).ret());
        assertEquals(Long.MAX_VALUE, x.get(5).ret());
        assertEquals(Float.floatToRawIntBits(-3.5f) & 0xFFFF_FFFFL, x.get(6).ret());
        assertEquals(Double.doubleToRawLongBits(-1e300), x.get(7).ret());
        assertEquals("x!", x.get(8).retRef());
        assertEquals(0, x.get(8).ret());
        assertEquals(3, ((int[]) x.get(9).retRef()).length);
        assertEquals(0, x.get(10).ret());
        assertNull(x.get(10).retRef());
        for (Recorder.Hit h : x) {
            assertNull(h.thrown());
        }
    }

    @Test
    void exceptionalExitRethrowsTheSameThrowableWithTheSameStackTrace() {
        // Each trace is taken at once: HotSpot resolves a throwable's frames to lines only when
        // asked, and drops the line of a frame whose class was retransformed since (the detach's
        // restore would do that to both).
        IllegalStateException plain = assertThrows(IllegalStateException.class, () -> Shapes.fails(7));
        String plainTrace = trace(plain);
        Recorder r = new Recorder();
        IllegalStateException traced;
        String tracedTrace;
        try (Link l = t.attach(Shapes.class, "fails", r)) {
            traced = assertThrows(IllegalStateException.class, () -> Shapes.fails(7));
            tracedTrace = trace(traced);
            assertEquals(-1, Shapes.catchesOwn(3), "the method's own handlers still catch");
            assertEquals(0, Shapes.fails(0));
        }
        assertEquals(plain.getMessage(), traced.getMessage());
        assertEquals(plainTrace, tracedTrace, "stack trace with and without trampolines");
        List<Recorder.Hit> x = r.exits();
        assertEquals(3, x.size());
        assertSame(traced, x.get(0).thrown());
        assertEquals(7, x.get(0).args()[0]);
        assertTrue(x.get(1).thrown() instanceof IllegalStateException);
        assertNull(x.get(2).thrown());
    }

    /** The frames of the throw, up to this test method (the lambda's line differs, so it is cut). */
    private static String trace(Throwable e) {
        StringBuilder b = new StringBuilder();
        for (StackTraceElement s : e.getStackTrace()) {
            if (s.getClassName().startsWith(Shapes.class.getName())) {
                b.append(s).append('\n');
            }
        }
        StringWriter w = new StringWriter();
        e.printStackTrace(new PrintWriter(w));
        assertTrue(w.toString().contains("Shapes.fails"));
        return b.toString();
    }

    @Test
    void constructors() {
        Recorder r = new Recorder();
        Shapes made;
        try (Link l = t.attach(Shapes.class, "<init>", r)) {
            assertEquals(2, l.methods().size());
            made = new Shapes("40", 2);
            assertThrows(IllegalArgumentException.class, () -> new Shapes("1", -1));
        }
        assertEquals(42, made.seed);
        // new Shapes("40", 2): entry (String,long), entry (int) from this(...), exit (int), exit (String,long)
        List<Recorder.Hit> h = r.hits;
        assertEquals(8, h.size());
        assertFalse(h.get(0).exit());
        assertNull(h.get(0).self(), "this is null at a constructor's entry");
        assertEquals("40", h.get(0).refs()[0]);
        assertEquals(2, h.get(0).args()[1]);
        assertEquals(42, h.get(1).args()[0]);
        assertTrue(h.get(2).exit());
        assertSame(made, h.get(2).self(), "the new object at a constructor's exit");
        assertSame(made, h.get(3).self());
        assertEquals("40", h.get(3).refs()[0]);
        assertTrue(h.get(7).thrown() instanceof IllegalArgumentException);
        assertTrue(h.get(7).self() instanceof Shapes);
    }

    @Test
    void instanceMethodSeesThis() {
        Recorder r = new Recorder();
        Shapes s = new Shapes(9);
        try (Link l = t.attach(Shapes.class, "instance", "(ILjava/lang/String;)Ljava/lang/String;", r)) {
            assertEquals("a19", s.instance(1, "a"));
        }
        assertSame(s, r.entries().get(0).self());
        assertSame(s, r.exits().get(0).self());
        assertEquals("a19", r.exits().get(0).retRef());
    }

    @Test
    void overloadsAllOrOneByDescriptor() {
        Recorder all = new Recorder();
        Recorder one = new Recorder();
        try (Link a = t.attach(Shapes.class, "overload", all); Link b = t.attach(Shapes.class, "overload", "(J)I", one)) {
            assertEquals(3, a.methods().size());
            assertEquals(List.of("(J)I"), b.methods().stream().map(MethodInfo::descriptor).toList());
            assertEquals(2, Shapes.overload(1));
            assertEquals(3, Shapes.overload(1L));
            assertEquals(5, Shapes.overload("ab"));
        }
        assertEquals(3, all.entries().size());
        assertEquals(1, one.entries().size());
        assertEquals(1, one.entries().get(0).args()[0]);
    }

    @Test
    void manyReturnsAllTraced() {
        Recorder r = new Recorder();
        try (Link l = t.attach(Shapes.class, "manyReturns", r)) {
            assertEquals(-1, Shapes.manyReturns(-5));
            assertEquals(30, Shapes.manyReturns(3));
            assertEquals(1000, Shapes.manyReturns(50));
        }
        assertEquals(List.of(-1L, 30L, 1000L), r.exits().stream().map(Recorder.Hit::ret).toList());
    }
}

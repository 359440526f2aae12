package dev.sonde.trampoline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonde.bpf.vm.Cpu;
import dev.sonde.trampoline.targets.Greeter;
import dev.sonde.trampoline.targets.Kinds;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Synchronized and interface methods; reflection unchanged; detach from inside a handler refused. */
class MethodKindsTest {
    private final Trampolines t = Fixture.trampolines();

    @Test
    void synchronizedMethodHandlersRunInsideTheMonitor() {
        Kinds k = new Kinds();
        boolean[] held = new boolean[2];
        Handler h = new Handler() {
            @Override
            public void onEntry(Frame f, Cpu c) {
                held[0] = Thread.holdsLock(f.self());
            }

            @Override
            public void onExit(Frame f, Cpu c) {
                held[1] = Thread.holdsLock(f.self());
            }
        };
        try (Link l = t.attach(Kinds.class, "bump", h)) {
            assertEquals(6, k.bump(3, 2.0));
        }
        assertArrayEquals(new boolean[] {true, true}, held);
    }

    @Test
    void interfaceDefaultAndStaticMethods() {
        Recorder r = new Recorder();
        try (Link a = t.attach(Greeter.class, "greet", r); Link b = t.attach(Greeter.class, "twice", r)) {
            assertEquals("hi x", new Kinds().greet("x"));
            assertEquals(8, Greeter.twice(4));
        }
        assertEquals(4, r.hits.size());
        assertEquals("hi x", r.exits().get(0).retRef());
        assertEquals(8, r.exits().get(1).ret());
    }

    @Test
    void reflectionSeesTheSameClassWhileTrampolinesAreIn() {
        String before = reflect(Kinds.class);
        try (Link l = t.attach(Kinds.class, "bump", new Recorder())) {
            assertEquals(before, reflect(Kinds.class));
        }
    }

    private static String reflect(Class<?> c) {
        String[] m = Arrays.stream(c.getDeclaredMethods()).map(Method::toGenericString).sorted().toArray(String[]::new);
        String[] f = Arrays.stream(c.getDeclaredFields()).map(Object::toString).sorted().toArray(String[]::new);
        return Arrays.toString(m) + Arrays.toString(f) + c.getSuperclass() + Arrays.toString(c.getInterfaces());
    }

    @Test
    void detachFromInsideAHandlerIsRefusedAndTheLinkStaysOpen() {
        AtomicReference<Link> self = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Handler h = new Handler() {
            @Override
            public void onEntry(Frame f, Cpu c) {
                try {
                    self.get().close();
                } catch (Throwable e) {
                    failure.set(e);
                }
            }
        };
        Link l = t.attach(Kinds.class, "bump", h);
        self.set(l);
        try {
            new Kinds().bump(1, 1);
            assertTrue(failure.get() instanceof IllegalStateException, String.valueOf(failure.get()));
            assertTrue(l.isOpen());
        } finally {
            l.close();
        }
        assertThrows(IllegalStateException.class, () -> { throw failure.get(); });
        assertSame(l, self.get());
    }
}

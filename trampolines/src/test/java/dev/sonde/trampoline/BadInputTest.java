package dev.sonde.trampoline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonde.trampoline.targets.Misc;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Bad targets get an exception naming them, and nothing changes. */
class BadInputTest {
    private final Trampolines t = Fixture.trampolines();
    private final Handler h = new Handler() {};

    /** No restore of an earlier test pending, which would change instrumentedMethods() meanwhile. */
    @BeforeEach
    void settled() {
        t.awaitRestored();
    }

    private void rejected(Executable attach, String... mentions) {
        Set<MethodInfo> before = new HashSet<>(t.instrumentedMethods());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, attach);
        for (String m : mentions) {
            assertTrue(e.getMessage().contains(m), () -> "'" + e.getMessage() + "' should name " + m);
        }
        assertEquals(before, new HashSet<>(t.instrumentedMethods()), "nothing changed");
    }

    @Test
    void aMethodThatDoesNotExist() {
        rejected(() -> t.attach(Misc.class, "noSuchMethod", h), "noSuchMethod", Misc.class.getName());
        rejected(() -> t.attach(Misc.class, "work", "(J)I", h), "work(J)I");
        rejected(() -> t.attach(MethodPattern.parse(Misc.class.getName() + "::nope"), h), "nope");
    }

    @Test
    void abstractAndNativeMethods() {
        rejected(() -> t.attach(Misc.class, "nativeMethod", h), "nativeMethod", "native");
        rejected(() -> t.attach(Misc.Base.class, "abstractMethod", h), "abstractMethod", "abstract");
        rejected(() -> t.attach(Misc.Iface.class, "ifaceMethod", h), "ifaceMethod", "abstract");
    }

    @Test
    void classesThatCannotBeRetransformed() {
        Runnable lambda = () -> {};
        rejected(() -> t.attach(lambda.getClass(), "run", h), "hidden");
        rejected(() -> t.attach(int[].class, "clone", h), "array");
        rejected(() -> t.attach(ThreadLocal.class, "get", h), "java.lang.ThreadLocal", "never instrumented");
        rejected(() -> t.attach(Trampolines.class, "slots", h), "never instrumented");
    }

    @Test
    void malformedPatterns() {
        assertThrows(IllegalArgumentException.class, () -> MethodPattern.parse("NoSeparator"));
        assertThrows(IllegalArgumentException.class, () -> MethodPattern.parse("A::m(I"));
        assertThrows(NullPointerException.class, () -> t.attach(Misc.class, "work", null));
    }
}

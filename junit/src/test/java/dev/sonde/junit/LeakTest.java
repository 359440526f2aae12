package dev.sonde.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonde.probe.control.ProbeLink;
import dev.sonde.probe.control.Sonde;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * What a failing test leaves attached: nothing. Whole test classes run through the JUnit Platform
 * launcher inside this test; afterwards {@code sonde.links()} is what it was before.
 */
class LeakTest {
    /** Set while this class launches the inner classes: surefire must not run them on its own. */
    private static volatile boolean launching;
    private static final AtomicReference<List<ProbeLink>> SEEN = new AtomicReference<>();

    static boolean launching() {
        return launching;
    }

    @SondeTest
    @EnabledIf("dev.sonde.junit.LeakTest#launching")
    @Probes(value = "/bpf/kit.bpf.o", programs = {"work_enter", "work_exit"})
    static class Throws {
        @Test
        void bodyThrows(TestProbes probes, @Handle("calls") LongCounters calls) {
            new Subject().work(1);
            calls.awaitAtLeast(1, 1);
            SEEN.set(probes.links());
            throw new IllegalStateException("the test fails with its probes attached");
        }
    }

    @SondeTest
    @EnabledIf("dev.sonde.junit.LeakTest#launching")
    static class FailsHalfwayThroughAttaching {
        @Test
        @Probes(value = "/bpf/say.bpf.o")
        @Probes(value = "/bpf/kit.bpf.o", programs = {"work_enter", "unattached"})
        void neverRuns() {
            throw new AssertionError("the body of a test whose probes did not attach ran");
        }
    }

    @SondeTest
    @EnabledIf("dev.sonde.junit.LeakTest#launching")
    @Probes("/bpf/no-such.bpf.o")
    static class MissingObject {
        @Test
        void neverRuns() {
            throw new AssertionError("the body ran");
        }
    }

    @Test
    void aTestThatThrowsLeavesNoProbeAttached() {
        Sonde sonde = SondeExtension.sonde();
        List<ProbeLink> before = sonde.links();
        TestExecutionSummary s = launch(Throws.class);
        assertEquals(1, s.getTestsFailedCount());
        assertEquals("the test fails with its probes attached", s.getFailures().get(0).getException().getMessage());
        assertEquals(2, SEEN.get().size(), "attached during the test");
        assertEquals(before, sonde.links(), "after it: nothing left attached");
        for (ProbeLink l : SEEN.get()) {
            assertTrue(!l.isOpen(), l + " is closed");
        }
        assertEquals(List.of(), sonde.objects().stream().filter(o -> o.name().equals("kit.bpf.o")).toList());
    }

    @Test
    void aTestWhoseProbesFailToAttachLeavesNothingEither() {
        Sonde sonde = SondeExtension.sonde();
        List<ProbeLink> before = sonde.links();
        TestExecutionSummary s = launch(FailsHalfwayThroughAttaching.class);
        assertEquals(1, s.getTestsFailedCount());
        String m = s.getFailures().get(0).getException().getMessage();
        assertTrue(m.startsWith("@Probes(\"/bpf/kit.bpf.o\"): kit.bpf.o: program unattached"), m);
        assertEquals(before, sonde.links(), "say and work_enter were attached, then detached");
        assertEquals(List.of(), sonde.objects());
    }

    @Test
    void aMissingObjectIsNamed() {
        TestExecutionSummary s = launch(MissingObject.class);
        assertEquals(1, s.getTestsFailedCount());
        String m = s.getFailures().get(0).getException().getMessage();
        assertTrue(m.startsWith("@Probes(\"/bpf/no-such.bpf.o\"): no class-path resource bpf/no-such.bpf.o and no file"), m);
    }

    private static TestExecutionSummary launch(Class<?> testClass) {
        TestExecutionSummary s;
        launching = true;
        try {
            s = Suites.run(testClass);
        } finally {
            launching = false;
        }
        assertEquals(1, s.getTestsFoundCount(), () -> failures(s));
        return s;
    }

    private static String failures(TestExecutionSummary s) {
        List<String> out = new ArrayList<>();
        s.getFailures().forEach(f -> out.add(f.getTestIdentifier().getDisplayName() + ": " + f.getException()));
        return out.toString();
    }
}

package dev.sonde.junit;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.util.Arrays;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * Runs whole test classes through the JUnit Platform launcher from inside a test, in this JVM and
 * with this JVM's Sonde: to repeat a race suite, or to look at what a failing test left behind.
 */
public final class Suites {
    private Suites() {
    }

    /** Runs the classes once and returns the summary. */
    public static TestExecutionSummary run(Class<?>... classes) {
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
            .selectors(Arrays.stream(classes).map(c -> selectClass(c)).toList())
            .build();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        LauncherFactory.create().execute(request, listener);
        return listener.getSummary();
    }

    /** Runs the classes {@code times} times; fails at the first run with a failure, naming the run and the failures. */
    public static void assertPassRepeatedly(int times, Class<?>... classes) {
        for (int run = 1; run <= times; run++) {
            TestExecutionSummary s = run(classes);
            if (s.getTotalFailureCount() > 0 || s.getTestsSucceededCount() == 0) {
                StringBuilder sb = new StringBuilder(String.format("run %d of %d: %d of %d tests failed",
                    run, times, s.getTotalFailureCount(), s.getTestsFoundCount()));
                s.getFailures().forEach(f -> sb.append("\n  ").append(f.getTestIdentifier().getDisplayName())
                    .append(": ").append(f.getException()));
                AssertionError e = new AssertionError(sb.toString());
                s.getFailures().forEach(f -> e.addSuppressed(f.getException()));
                throw e;
            }
        }
    }
}

package dev.sonde.junit;

import dev.sonde.probe.trace.TraceBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.awaitility.core.ConditionTimeoutException;

/**
 * The trace pipe ({@code bpf_printk} lines) as one test sees it: lines written before the test
 * began are dropped when it begins, the rest are drained and kept. The pipe is JVM-wide: a program
 * of another test still attached would write here too (the extension detaches every test's
 * programs before the next test begins).
 */
public final class TraceLines {
    private final TraceBuffer buffer;
    private final List<String> lines = new ArrayList<>();

    TraceLines(TraceBuffer buffer) {
        this.buffer = buffer;
        buffer.drain(line -> { });
    }

    /** Every line received in this test, oldest first (drains first). */
    public synchronized List<String> lines() {
        buffer.drain(lines::add);
        return List.copyOf(lines);
    }

    /** Waits (up to {@link Waits#DEFAULT}) for a line containing {@code text}; returns the first such line. */
    public String awaitLineContaining(String text) {
        return awaitLine(l -> l.contains(text), Waits.DEFAULT, "a line containing \"" + text + "\"");
    }

    public String awaitLine(Predicate<String> which, Duration atMost) {
        return awaitLine(which, atMost, "a matching line");
    }

    private String awaitLine(Predicate<String> which, Duration atMost, String what) {
        try {
            Waits.upTo(atMost).until(() -> lines().stream().anyMatch(which));
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("trace pipe: no " + what + " within " + atMost + "; lines:"
                + Edges.list(lines(), 20), e);
        }
        return lines().stream().filter(which).findFirst().orElseThrow();
    }

    @Override
    public String toString() {
        return "TraceLines[" + lines.size() + " lines]";
    }
}

package dev.sonde.probe.symbol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonde.probe.testing.Allocations;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** A capture against StackWalker's view of the same call. */
class StackCaptureTest {
    private final Symbols symbols = new Symbols();
    /** Skip nothing but the capture itself: the test's frames are what we look at. */
    private final StackCapture capture = StackCapture.of(symbols).skipping(f -> false);
    private final long[] out = new long[512];
    private int n;
    private List<String> walked;

    void outer() {
        middle();
    }

    void middle() {
        inner();
    }

    void inner() {
        n = capture.capture(out, out.length, 0);
        walked = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE).walk(s -> s.map(StackCaptureTest::describe).collect(Collectors.toList()));
    }

    static String describe(StackWalker.StackFrame f) {
        return f.getClassName() + "." + f.getMethodName() + f.getDescriptor() + "+" + f.getByteCodeIndex() + ":"
            + f.getLineNumber();
    }

    static String describe(Symbolized s) {
        return s.method().text() + "+" + s.bci() + ":" + s.line();
    }

    @Test
    void captureMatchesStackWalkerFrameForFrame() {
        outer();
        assertEquals(walked.size(), n, "one address per frame");
        List<String> captured = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            captured.add(describe(symbols.symbolize(out[i])));
        }
        // The innermost frame is at another call site (another bci and line) of the same method.
        assertTrue(captured.get(0).startsWith("dev.sonde.probe.symbol.StackCaptureTest.inner()V+"), captured.get(0));
        assertTrue(walked.get(0).startsWith("dev.sonde.probe.symbol.StackCaptureTest.inner()V+"));
        assertEquals(walked.subList(1, n), captured.subList(1, n));
        assertTrue(captured.get(1).startsWith("dev.sonde.probe.symbol.StackCaptureTest.middle()V+"));
        assertTrue(captured.get(2).startsWith("dev.sonde.probe.symbol.StackCaptureTest.outer()V+"));
        assertTrue(captured.get(3).startsWith("dev.sonde.probe.symbol.StackCaptureTest.captureMatchesStackWalkerFrameForFrame()V+"));
    }

    @Test
    void skipPredicateSkipCountAndMax() {
        // The bodies of the lambdas below are frames of this class (lambda$...); leave them out.
        StackCapture base = capture.alsoSkipping(f -> f.getMethodName().startsWith("lambda$"));
        StackCapture noMiddle = base.alsoSkipping(f -> f.getMethodName().equals("middle"));
        long[] a = new long[3];
        Runnable[] r = new Runnable[1];
        class Calls {
            void outer() {
                middle();
            }

            void middle() {
                inner();
            }

            void inner() {
                r[0].run();
            }
        }
        r[0] = () -> assertEquals(3, noMiddle.capture(a, 3, 0));
        new Calls().outer();
        assertEquals(List.of("inner", "outer", "skipPredicateSkipCountAndMax"), names(a, 3));
        r[0] = () -> assertEquals(2, base.capture(a, 2, 1));
        new Calls().outer();
        assertEquals(List.of("middle", "outer"), names(a, 2), "skip 1 leaves out the innermost frame");
        long[] caller = new long[1];
        r[0] = () -> caller[0] = base.caller();
        new Calls().outer();
        assertEquals("middle", symbols.method(caller[0]).methodName(), "the innermost frame is inner; its caller is middle");
    }

    @Test
    void sondeFramesAreSkippedByDefault() {
        StackCapture sonde = StackCapture.of(symbols);
        long[] a = new long[8];
        int got = sonde.capture(a, 8, 0);
        for (int i = 0; i < got; i++) {
            assertTrue(!symbols.method(a[i]).className().startsWith("dev.sonde."), symbols.symbolize(a[i]).toString());
        }
        assertTrue(got > 0, "the JUnit frames below the test remain");
    }

    /** Measured, not assumed: StackWalker allocates. The numbers go to notes/probe-core-design.md. */
    @Test
    void allocationOfACaptureIsMeasured() {
        long[] a = new long[127];
        int depth = capture.capture(a, 127, 0);
        long full = Allocations.measure(2_000, 2_000, () -> capture.capture(a, 127, 0)) / 2_000;
        long eight = Allocations.measure(2_000, 2_000, () -> capture.capture(a, 8, 0)) / 2_000;
        System.err.printf("StackCapture: %d frames deep: %d bytes per full capture, %d bytes per 8-frame capture%n",
            depth, full, eight);
        assertTrue(full > 0 && full < 64 * 1024, "StackWalker allocates, but boundedly: " + full);
        assertTrue(eight <= full);
    }

    private List<String> names(long[] a, int count) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(symbols.method(a[i]).methodName());
        }
        return out;
    }
}

package dev.sonde.probe.symbol;

import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Captures the current Java call stack as synthetic addresses ({@link SymbolLayout}), innermost
 * first, for {@code bpf_get_stack} and {@code bpf_get_stackid}.
 *
 * <p>Frames that {@link #skipping a skip predicate} matches are left out wherever they are on the
 * stack (by default Sonde's own: the VM, the helpers, probe-core and the trampolines; the
 * trampolines name their classes with {@link #skipping}), and so are this class's own frames,
 * hidden frames (lambda forms) and reflection frames, which {@link StackWalker} leaves out itself.
 *
 * <p>Cost: {@link StackWalker} allocates (its stream, a frame buffer, one {@code StackFrameInfo}
 * per frame it materialises), so a capture is not allocation-free; {@code StackCaptureTest}
 * measures it (on JDK 17 about 0.5 KB plus about 270 bytes per frame walked: 2.6 KB for 8 frames,
 * 20.5 KB for 75; see notes/probe-core-design.md). Stacks are captured only when a program asks for one, and the
 * first walk through a (method, bci) also registers its symbol and line, which takes the symbol
 * table's lock once.
 *
 * <p>Thread-safe and immutable: a capture walks the calling thread's stack only.
 */
public final class StackCapture {
    /**
     * Packages of Sonde's machinery (each with its subpackages), probe-core's one by one: "dev.sonde.probe." also
     * took in application classes of that namespace (the tests' own), and "dev.sonde.trampolines."
     * (plural) missed the trampolines' dispatch frames, so {@code bpf_get_stack} through a real
     * trampoline began with Sonde's Dispatch frames and lacked the probed method and its callers
     * (CallStackTest).
     */
    private static final String[] SONDE_PACKAGES = {"dev.sonde.bpf.", "dev.sonde.trampoline.", "dev.sonde.probe.control.",
        "dev.sonde.probe.hit.", "dev.sonde.probe.symbol.", "dev.sonde.probe.object.", "dev.sonde.probe.trace.",
        "dev.sonde.probe.attach.", "dev.sonde.agent."};

    /** Frames of Sonde's own classes (main and test code alike: tests pass their own predicate). */
    public static final Predicate<StackWalker.StackFrame> SONDE_FRAMES = f -> {
        String c = f.getClassName();
        for (String p : SONDE_PACKAGES) {
            if (c.startsWith(p)) {
                return true;
            }
        }
        return false;
    };

    private static final StackWalker WALKER = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);

    private final Symbols symbols;
    private final Predicate<? super StackWalker.StackFrame> skip;

    private StackCapture(Symbols symbols, Predicate<? super StackWalker.StackFrame> skip) {
        this.symbols = symbols;
        this.skip = skip;
    }

    /** Captures into {@code symbols}, skipping {@link #SONDE_FRAMES}. */
    public static StackCapture of(Symbols symbols) {
        return new StackCapture(symbols, SONDE_FRAMES);
    }

    /** The same capture with another skip predicate (it replaces the current one). */
    public StackCapture skipping(Predicate<? super StackWalker.StackFrame> predicate) {
        return new StackCapture(symbols, predicate);
    }

    /** The same capture skipping frames either predicate matches. */
    public StackCapture alsoSkipping(Predicate<? super StackWalker.StackFrame> predicate) {
        Predicate<? super StackWalker.StackFrame> current = skip;
        return new StackCapture(symbols, f -> current.test(f) || predicate.test(f));
    }

    public Symbols symbols() {
        return symbols;
    }

    /**
     * Writes the addresses of up to {@code max} frames, innermost first, after leaving out
     * {@code skipFrames} frames that pass the predicate; returns how many were written.
     */
    public int capture(long[] out, int max, int skipFrames) {
        int limit = Math.min(max, out.length);
        if (limit <= 0) {
            return 0;
        }
        Walk w = new Walk(out, limit, skipFrames);
        WALKER.walk(w::run);
        return w.n;
    }

    /**
     * The address of the frame that called the innermost frame the predicate lets through (for a
     * probe hit: the probed method's caller, [sp+0] of DESIGN.md §3), 0 when there is none.
     */
    public long caller() {
        long[] two = new long[2];
        return capture(two, 2, 0) == 2 ? two[1] : 0;
    }

    /** One walk's state; the stream's frames are visited in order, innermost first. */
    private final class Walk {
        final long[] out;
        final int limit;
        int toSkip;
        int n;

        Walk(long[] out, int limit, int toSkip) {
            this.out = out;
            this.limit = limit;
            this.toSkip = toSkip;
        }

        Void run(Stream<StackWalker.StackFrame> frames) {
            frames.filter(f -> f.getDeclaringClass() != StackCapture.class && f.getDeclaringClass() != Walk.class
                    && !skip.test(f))
                .skip(toSkip)
                .limit(limit)
                .forEach(f -> out[n++] = symbols.frameAddress(f));
            return null;
        }
    }
}

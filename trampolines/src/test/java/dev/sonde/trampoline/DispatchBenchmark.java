package dev.sonde.trampoline;

import dev.sonde.bpf.slot.ExecutionSlots;
import dev.sonde.bpf.vm.Cpu;
import dev.sonde.trampoline.targets.Bench;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MutableCallSite;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of a hit, and the dispatch shape it rests on. Not a unit test (no @Test): run with
 * JMH, see notes/trampolines-design.md for the command and the numbers.
 *
 * <ul>
 * <li>{@code plain}, {@code traced}, {@code traced3}, {@code detached}: a call of a small static
 *     method with no trampolines, with trampolines and one no-op handler, with three handlers of
 *     three classes, and after attach + detach (should equal {@code plain}).</li>
 * <li>{@code shapeCallSite} vs {@code shapeVolatileArray}: only the dispatch of three handlers of
 *     three classes, through a MutableCallSite image (what Sonde does) or through a volatile
 *     Handler[] and a loop (one call site for every handler class: megamorphic).</li>
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Djdk.attach.allowAttachSelf=true", "-XX:+EnableDynamicAgentLoading"})
public class DispatchBenchmark {
    static final class H1 implements Handler {
        long n;

        @Override
        public void onEntry(Frame f, Cpu c) {
            n += f.arg(0);
        }

        @Override
        public void onExit(Frame f, Cpu c) {
            n += f.returnValue();
        }
    }

    static final class H2 implements Handler {
        long n;

        @Override
        public void onEntry(Frame f, Cpu c) {
            n ^= f.arg(1);
        }
    }

    static final class H3 implements Handler {
        long n;

        @Override
        public void onExit(Frame f, Cpu c) {
            n++;
        }
    }

    int a = 7;
    long b = 11;
    Frame frame;
    Cpu cpu;
    MethodHandle image;
    volatile Handler[] handlers;

    @Setup
    public void setup() {
        Trampolines t = Fixture.trampolines();
        t.attach(Bench.class, "traced", new H1());
        t.attach(Bench.class, "traced3", new H1());
        t.attach(Bench.class, "traced3", new H2());
        t.attach(Bench.class, "traced3", new H3());
        t.attach(Bench.class, "detached", new H1()).close();

        MethodInfo info = new MethodInfo(0, "Bench", "m", "(IJ)J", true);
        frame = new Frame();
        frame.method = info;
        frame.args = new long[] {7, 11};
        frame.refArgs = new Object[2];
        cpu = new ExecutionSlots(1).cpu(0);
        handlers = new Handler[] {new H1(), new H2(), new H3()};
        image = ConstImage.build();
    }

    /** A MutableCallSite image that is a constant to the JIT, as in Sonde's bound call sites. */
    static final class ConstImage {
        static final MethodHandle MH = build();

        static MethodHandle build() {
            Handler[] hs = {new H1(), new H2(), new H3()};
            AttachLink link = new AttachLink(Fixture.trampolines(), MethodPattern.of("Bench", "m"), hs[0], false);
            MethodSite site = new MethodSite(0, new MethodInfo(0, "Bench", "m", "(IJ)J", true), new ClassKey(null, "Bench"),
                    Fixture.SLOTS, new Frame[1]);
            MutableCallSite mcs = new MutableCallSite(Dispatch.IMAGE);
            mcs.setTarget(Dispatch.image(List.of(new Attachment(link, hs[0], site, 0), new Attachment(link, hs[1], site, 0),
                    new Attachment(link, hs[2], site, 0)), false));
            return mcs.dynamicInvoker();
        }
    }

    @Benchmark
    public long plain() {
        return Bench.plain(a, b);
    }

    @Benchmark
    public long traced() {
        return Bench.traced(a, b);
    }

    @Benchmark
    public long traced3() {
        return Bench.traced3(a, b);
    }

    @Benchmark
    public long detached() {
        return Bench.detached(a, b);
    }

    @Benchmark
    public void shapeCallSite() throws Throwable {
        ConstImage.MH.invokeExact(frame, cpu, (Object) null, (Object) null, (Throwable) null);
    }

    /** The same image read from a field: not a constant, so not inlined through. */
    @Benchmark
    public void shapeCallSiteInField() throws Throwable {
        image.invokeExact(frame, cpu, (Object) null, (Object) null, (Throwable) null);
    }

    @Benchmark
    public void shapeVolatileArray() {
        for (Handler h : handlers) {
            try {
                h.onEntry(frame, cpu);
            } catch (Throwable t) {
                // as the image does
            }
        }
    }
}

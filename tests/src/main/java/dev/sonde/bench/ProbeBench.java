package dev.sonde.bench;

import dev.sonde.bpf.testing.Resources;
import dev.sonde.probe.control.ProbeLink;
import dev.sonde.probe.control.ProbeObject;
import dev.sonde.probe.control.Sonde;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.bytebuddy.agent.ByteBuddyAgent;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The probe hit path end to end: a small method called with no probe ever ({@code plain}), after
 * an attach + detach ({@code detached}), with an empty entry program ({@code entryEmpty}), with
 * entry + return programs counting into an ARRAY map with an atomic add ({@code arrayCount}), and
 * into a HASH map keyed by the first argument ({@code hashCount}); programs from
 * bpf-vm/src/test/bpf/bench_probe.bpf.c, verified and JIT-compiled as Sonde loads them. Each mode is
 * its own fork (JMH forks per parameter value), so the plain method's code is never polluted.
 * The peer, {@code bytemanCount}: Byteman 4.0.27 loaded into the fork (its agentmain, on the same
 * Instrumentation), with compiled AT ENTRY and AT EXIT rules on the same method, each bumping an
 * AtomicLong, as the ARRAY programs do with an atomic add.
 *
 * <p>{@code attach} / {@code detach}: the latency of attaching one entry probe to one loaded method
 * that runs its original bytecode (one retransformation included) and of detaching it (unpublish
 * and grace period; the restoring retransformation follows on Sonde's restorer thread, and each
 * sample's set-up waits for it), sampled per call. {@code reattach}: attaching while the method's
 * trampoline is still in place (detached, restore pending), which needs no retransformation.
 * {@code bareRetransform}: {@code Instrumentation.retransformClasses} of another small loaded
 * class, in a fork brought to the attach fork's state first (Sonde, the object, 300 attach +
 * detach + restore cycles): the JVM's own floor for any attach that must instrument, since its
 * safepoint walks every loaded class and compiled method, so it grows with the JVM, not with the
 * class.
 *
 * <pre>bin/sonde-jmh -wi 5 -w 1 -i 5 -r 1 -f 1 -prof gc ProbeBench</pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms256m", "-Xmx256m", "-Djdk.attach.allowAttachSelf=true", "-XX:+EnableDynamicAgentLoading"})
public class ProbeBench {
    /** The probed method: small, instance, one long argument; each mode's fork probes it its own way. */
    public static final class Target {
        private long acc;

        public long work(long x) {
            acc += x;
            return acc ^ x;
        }

        /** Attach/detach latency target (never called in a loop). */
        public long other(long x) {
            return x + 1;
        }
    }

    static Sonde sonde() {
        return Sonde.install(ByteBuddyAgent.install());
    }

    /** The programs of bench_probe.bpf.o that a probed mode attaches (HitCost runs the same modes). */
    static List<String> programs(String mode) {
        return switch (mode) {
            case "entryEmpty" -> List.of("entry_empty");
            case "arrayCount" -> List.of("array_entry", "array_return");
            case "hashCount" -> List.of("hash_entry", "hash_return");
            default -> throw new IllegalArgumentException("unknown mode " + mode);
        };
    }

    /** The latency benchmarks' probe: the empty entry program on {@link Target#other}. */
    static ProbeLink attachToOther(ProbeObject o) throws Exception {
        return o.attach("entry_empty", dev.sonde.probe.control.AttachOptions.DEFAULT
            .withTarget("kprobe/dev.sonde.bench.ProbeBench$Target::other"));
    }

    static ProbeObject open(Sonde s) throws Exception {
        return s.open("bench_probe.bpf.o", Resources.bytes("/bpf/bench_probe.bpf.o"));
    }

    @State(Scope.Thread)
    public static class Hit {
        @Param({"plain", "detached", "entryEmpty", "arrayCount", "hashCount", "bytemanCount"})
        public String mode;

        final Target target = new Target();
        long i;
        private ProbeObject object;
        private final List<ProbeLink> links = new ArrayList<>();

        @Setup(Level.Trial)
        public void setup() throws Exception {
            if (mode.equals("plain")) {
                return;
            }
            if (mode.equals("bytemanCount")) {
                BytemanPeer.install();
                return;
            }
            object = open(sonde());
            switch (mode) {
                case "detached" -> {
                    ProbeLink a = object.attach("hash_entry");
                    ProbeLink b = object.attach("hash_return");
                    for (int k = 0; k < 20_000; k++) {
                        target.work(k & 7);
                    }
                    a.close();
                    b.close();
                    Sonde.installed().awaitRestored();
                }
                default -> {
                    for (String p : programs(mode)) {
                        links.add(object.attach(p));
                    }
                }
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            for (ProbeLink l : links) {
                if (l.stats().faults() != 0) {
                    throw new IllegalStateException(mode + ": " + l + " faulted: " + l.stats());
                }
                if (l.stats().runCount() == 0) {
                    throw new IllegalStateException(mode + ": " + l + " never ran");
                }
                l.close();
            }
            if (object != null) {
                object.close();
            }
            if (mode.equals("bytemanCount")) {
                BytemanPeer.check();
            }
        }
    }

    @Benchmark
    public long hit(Hit s) {
        return s.target.work(s.i++ & 15);
    }

    @State(Scope.Thread)
    public static class Latency {
        final Target target = new Target();
        ProbeObject object;
        ProbeLink link;

        @Setup(Level.Trial)
        public void setup() throws Exception {
            object = open(sonde());
            target.other(1);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            if (link != null) {
                link.close();
            }
            object.close();
        }
    }

    /** Attaching one entry probe to one method running its original bytecode; detached and restored after each sample. */
    @State(Scope.Thread)
    public static class AttachState extends Latency {
        @TearDown(Level.Invocation)
        public void detach() {
            link.close();
            link = null;
            Sonde.installed().awaitRestored();
        }
    }

    /** Attaching again right after a detach, the method's restore still pending (its trampoline in place). */
    @State(Scope.Thread)
    public static class ReattachState extends Latency {
        @Setup(Level.Invocation)
        public void detachFirst() throws Exception {
            attachToOther(object).close();
        }

        @TearDown(Level.Invocation)
        public void detach() {
            link.close();
            link = null;
        }
    }

    /** Detaching one entry probe from one method, grace period included; attached (from original bytecode) before each sample. */
    @State(Scope.Thread)
    public static class DetachState extends Latency {
        @Setup(Level.Invocation)
        public void attach() throws Exception {
            Sonde.installed().awaitRestored();
            link = attachToOther(object);
        }
    }

    /** A small loaded class that nothing instruments, retransformed as the floor of an attach. */
    public static final class Unrelated {
        public long f(long x) {
            return x * 3;
        }
    }

    @State(Scope.Thread)
    public static class RetransformState {
        java.lang.instrument.Instrumentation inst;

        @Setup(Level.Trial)
        public void setup() throws Exception {
            inst = ByteBuddyAgent.install();
            // The attach fork's JVM as its samples find it: Sonde and the object loaded, and a few
            // hundred attach + detach + restore cycles behind it (each leaves method handles,
            // classes and compiled code that every later retransformation walks).
            Sonde sonde = sonde();
            ProbeObject object = open(sonde);
            Target target = new Target();
            for (int i = 0; i < 300; i++) {
                ProbeLink l = attachToOther(object);
                target.other(i);
                l.close();
                sonde.awaitRestored();
            }
            new Unrelated().f(1);
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public ProbeLink attach(AttachState s) throws Exception {
        s.link = attachToOther(s.object);
        return s.link;
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public ProbeLink reattach(ReattachState s) throws Exception {
        s.link = attachToOther(s.object);
        return s.link;
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public void bareRetransform(RetransformState s) throws Exception {
        s.inst.retransformClasses(Unrelated.class);
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public void detach(DetachState s) {
        s.link.close();
        s.link = null;
    }
}

package dev.sonde.bpf.verifier;

import dev.sonde.bpf.isa.Insn;
import dev.sonde.bpf.testing.Resources;
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
 * Verification time: the 1,000-instruction probe of the verifier's PerformanceTest (branchy code:
 * context loads, stack traffic, map lookups with null checks, atomics) and the bubble64 kernel,
 * whose nested loops Linux's verifier gives up on. In this package to reuse the test-jar's
 * package-private program builders.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class VerifierBench {
    private Insn[] probe;
    private Insn[] bubble;
    private VerifierConfig kprobe;
    private VerifierConfig raw;

    @Setup
    public void setup() throws Exception {
        probe = PerformanceTest.thousandInsns();
        kprobe = TestHelpers.kprobe();
        bubble = dev.sonde.bpf.isa.Decoder.decode(
            Resources.section(Resources.bytes("/bench/bubble64.bpf.o"), ".text"));
        raw = VerifierConfig.raw(256).withCpuVersion(1);
    }

    @Benchmark
    public Proof thousandInstructionProbe() throws VerifierException {
        return Verifier.verify(probe, kprobe);
    }

    @Benchmark
    public Proof bubble64() throws VerifierException {
        return Verifier.verify(bubble, raw);
    }
}

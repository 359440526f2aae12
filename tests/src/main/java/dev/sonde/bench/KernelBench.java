package dev.sonde.bench;

import dev.sonde.bpf.jit.AccessProofs;
import dev.sonde.bpf.jit.CompiledProgram;
import dev.sonde.bpf.jit.JitCompiler;
import dev.sonde.bpf.mem.RegionTable;
import dev.sonde.bpf.object.Verification;
import dev.sonde.bpf.testing.Resources;
import dev.sonde.bpf.verifier.Verifier;
import dev.sonde.bpf.verifier.VerifierConfig;
import dev.sonde.bpf.vm.Cpu;
import dev.sonde.bpf.vm.Interpreter;
import dev.sonde.bpf.vm.Options;
import dev.sonde.bpf.vm.Program;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The kernels of shared/bench through Sonde's interpreter ({@code vm}), through the JIT
 * ({@code jit}) and in plain Java ({@code java}), in the same run, on the input
 * shared/bench/README.md defines. The interpreter checks every memory access. The JIT runs what
 * a user gets from a verified program: each kernel is verified as a RAW program with {@code len}
 * bytes of caller memory ({@code VerifierConfig.raw(len)}) and compiled with the proof's facts,
 * so the accesses the verifier proved (the input, the stack) are unchecked, after one test per
 * run that r1/r2 and the bound memory are what the proof assumed. {@link Report} turns the JSON
 * result into ns/call, ns/byte and ns per eBPF instruction.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms256m", "-Xmx256m"})
public class KernelBench {
    @Param({"fletcher16:80", "fletcher16:160", "fletcher16:320", "fletcher16:640", "fletcher16:1280",
        "fletcher16:2560", "fnv1a64:2560", "bubble64:256"})
    public String kernel;

    private byte[] input;
    private int len;
    private String name;
    private Program program;
    private CompiledProgram compiled;
    private Cpu cpu;
    private long mem;

    @Setup
    public void setup() throws Exception {
        String[] kv = kernel.split(":");
        name = kv[0];
        len = Integer.parseInt(kv[1]);
        input = Resources.benchInput();
        byte[] text = Resources.section(Resources.bytes("/bench/" + name + ".bpf.o"), ".text");
        program = Program.load(name, text, Options.defaults().withCpuVersion(1));
        VerifierConfig cfg = VerifierConfig.raw(len).withCpuVersion(1);
        AccessProofs proofs = Verification.accessProofs(Verifier.verify(program.insns(), cfg), List.of(), cfg);
        compiled = JitCompiler.compile(program, proofs, RegionTable.global());
        cpu = new Cpu(0);
        mem = cpu.bindCaller(0, input, 0, len, false);
        long expected = java();
        long got = vm();
        long gotJit = jit();
        if (got != expected || gotJit != expected || cpu.faulted()) {
            throw new IllegalStateException(name + ": vm " + Long.toHexString(got) + ", jit " + Long.toHexString(gotJit)
                + ", java " + Long.toHexString(expected) + " " + cpu.describeFault());
        }
    }

    @Benchmark
    public long jit() {
        return compiled.run(cpu, mem, len);
    }

    @Benchmark
    public long vm() {
        return Interpreter.run(program, cpu, mem, len);
    }

    @Benchmark
    public long java() {
        return switch (name) {
            case "fletcher16" -> Kernels.fletcher16(input, len);
            case "fnv1a64" -> Kernels.fnv1a64(input, len);
            default -> Kernels.bubble64(input, len);
        };
    }
}

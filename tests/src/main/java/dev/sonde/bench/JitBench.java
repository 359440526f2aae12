package dev.sonde.bench;

import dev.sonde.bpf.isa.Insn;
import dev.sonde.bpf.isa.Op;
import dev.sonde.bpf.jit.CompiledProgram;
import dev.sonde.bpf.jit.JitCompiler;
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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The fixed cost of one run: an empty program ({@code r0 = 0; exit}) through the JIT
 * ({@code call}) and the interpreter ({@code callVm}), with {@code -prof gc} to show that a run
 * allocates nothing. Target for the JIT: at most 5 ns and 0 B per call.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms256m", "-Xmx256m"})
public class JitBench {
    private Program empty;
    private CompiledProgram compiled;
    private Cpu cpu;
    private long arg;

    @Setup
    public void setup() throws Exception {
        empty = Program.load("empty", List.of(Insn.of(Op.MOV64_K, 0, 0, 0, 0), Insn.of(Op.EXIT, 0, 0, 0, 0))
            .toArray(Insn[]::new), Options.defaults());
        compiled = JitCompiler.compile(empty);
        cpu = new Cpu(0);
    }

    @Benchmark
    public long call() {
        return compiled.run(cpu, arg, 0);
    }

    @Benchmark
    public long callVm() {
        return Interpreter.run(empty, cpu, arg, 0);
    }
}

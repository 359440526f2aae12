package dev.sonde.bench.study;

import dev.sonde.bench.Kernels;
import dev.sonde.bpf.testing.Resources;
import dev.sonde.bpf.vm.Cpu;
import dev.sonde.bpf.vm.Interpreter;
import dev.sonde.bpf.vm.Options;
import dev.sonde.bpf.vm.Program;
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
 * The study of seed 003 (notes/interpreter.md): the same Fletcher-16 bytecode through an
 * interpreter that decodes every step, with and without bounds checks, and through Sonde's
 * pre-decoded interpreter (always checked), in one run.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms256m", "-Xmx256m"})
public class StudyBench {
    @Param({"2560"})
    public int len;

    private byte[] text;
    private byte[] input;
    private Program program;
    private Cpu cpu;
    private long mem;

    @Setup
    public void setup() throws Exception {
        input = Resources.benchInput();
        text = Resources.section(Resources.bytes("/bench/fletcher16.bpf.o"), ".text");
        program = Program.load("fletcher16", text, Options.defaults().withCpuVersion(1));
        cpu = new Cpu(0);
        mem = cpu.bindCaller(0, input, 0, len, false);
        long want = Kernels.fletcher16(input, len);
        if (decodingChecked() != want || decodingUnchecked() != want || predecoded() != want) {
            throw new IllegalStateException("study interpreters disagree");
        }
    }

    @Benchmark
    public long decodingChecked() {
        return DecodingInterpreter.run(text, input, len, true);
    }

    @Benchmark
    public long decodingUnchecked() {
        return DecodingInterpreter.run(text, input, len, false);
    }

    @Benchmark
    public long predecoded() {
        return Interpreter.run(program, cpu, mem, len);
    }
}

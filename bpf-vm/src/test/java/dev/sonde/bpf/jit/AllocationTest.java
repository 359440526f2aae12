package dev.sonde.bpf.jit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonde.bpf.isa.Encoder;
import dev.sonde.bpf.isa.Insn;
import dev.sonde.bpf.isa.Op;
import dev.sonde.bpf.testing.Resources;
import dev.sonde.bpf.vm.Cpu;
import dev.sonde.bpf.vm.Options;
import dev.sonde.bpf.vm.Program;
import java.lang.management.ManagementFactory;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Once warm, a run allocates nothing: not on the common path, not on a fault (the signal is
 * preallocated), not when the budget runs out (the interpreter finishes the block), not around
 * helper calls. Measured with the thread's allocation counter around 100,000 runs, no slack.
 */
class AllocationTest {
    private static final int RUNS = 100_000;

    @ParameterizedTest
    @ValueSource(strings = {"fletcher16", "bubble64", "empty", "fault", "budget", "calls"})
    void aWarmRunAllocatesNothing(String what) throws Exception {
        byte[] input = Resources.benchInput();
        Cpu cpu = new Cpu(0);
        long mem = cpu.bindCaller(0, input, 0, 256, false);
        CompiledProgram c = JitCompiler.compile(program(what));
        long expected = c.run(cpu, mem, 256);
        for (int i = 0; i < 20_000; i++) {
            c.run(cpu, mem, 256);
        }
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().getId();
        // A few rounds: the first may still see the JVM's own one-off work (a method being
        // compiled, deoptimised and recompiled allocates a few hundred bytes once); a warm round
        // must see none.
        long allocated = Long.MAX_VALUE;
        for (int round = 0; round < 5 && allocated != 0; round++) {
            long before = mx.getThreadAllocatedBytes(tid);
            long sum = 0;
            for (int i = 0; i < RUNS; i++) {
                sum += c.run(cpu, mem, 256);
            }
            allocated = mx.getThreadAllocatedBytes(tid) - before;
            assertEquals(expected * RUNS, sum);
        }
        assertEquals(0, allocated, what + ": bytes allocated in " + RUNS + " warm runs");
    }

    private static Program program(String what) throws Exception {
        return switch (what) {
            case "fletcher16", "bubble64" -> BenchKernelsJitTest.kernel(what);
            case "empty" -> Program.load(what, Encoder.encode(List.of(
                Insn.of(Op.MOV64_K, 0, 0, 0, 0), Insn.of(Op.EXIT, 0, 0, 0, 0))), Options.defaults());
            case "fault" -> Program.load(what, Encoder.encode(List.of(
                Insn.of(Op.LDX_DW, 0, 1, 4096, 0), Insn.of(Op.EXIT, 0, 0, 0, 0))), Options.defaults());
            case "budget" -> {
                byte[] text = Resources.section(Resources.bytes("/bench/fletcher16.bpf.o"), ".text");
                yield Program.load(what, text, Options.defaults().withCpuVersion(1).withBudget(300));
            }
            default -> GoldenBytecodeTest.program("calls");
        };
    }
}

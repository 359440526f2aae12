package dev.sonde.bpf.jit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.sonde.bpf.testing.Resources;
import dev.sonde.bpf.vm.Cpu;
import dev.sonde.bpf.vm.Interpreter;
import dev.sonde.bpf.vm.Options;
import dev.sonde.bpf.vm.Program;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The benchmark kernels of bench/ give the interpreter's results through the JIT. */
class BenchKernelsJitTest {
    private static final byte[] INPUT = Resources.benchInput();

    static Program kernel(String name) throws Exception {
        byte[] text = Resources.section(Resources.bytes("/bench/" + name + ".bpf.o"), ".text");
        return Program.load(name, text, Options.defaults().withCpuVersion(1));
    }

    @ParameterizedTest(name = "{0} over {1} bytes")
    @CsvSource({"fletcher16, 80", "fletcher16, 2560", "fletcher16, 0", "fnv1a64, 80", "fnv1a64, 2560",
        "bubble64, 256", "bubble64, 255"})
    void agreesWithTheInterpreter(String name, int len) throws Exception {
        Program p = kernel(name);
        CompiledProgram c = JitCompiler.compile(p);
        Cpu icpu = new Cpu(0);
        long expected = Interpreter.run(p, icpu, icpu.bindCaller(0, INPUT, 0, len, false), len);
        assertFalse(icpu.faulted(), icpu::describeFault);
        Cpu cpu = new Cpu(0);
        long mem = cpu.bindCaller(0, INPUT, 0, len, false);
        for (int k = 0; k < 3; k++) {
            assertEquals(expected, c.run(cpu, mem, len));
            assertFalse(cpu.faulted(), cpu::describeFault);
        }
    }

    @ParameterizedTest(name = "{0} with a budget of {1}")
    @CsvSource({"fletcher16, 1000", "fletcher16, 17", "fnv1a64, 5000", "bubble64, 23293", "bubble64, 23294"})
    void exhaustsTheBudgetWhereTheInterpreterDoes(String name, long budget) throws Exception {
        byte[] text = Resources.section(Resources.bytes("/bench/" + name + ".bpf.o"), ".text");
        Program p = Program.load(name, text, Options.defaults().withCpuVersion(1).withBudget(budget));
        int len = name.equals("bubble64") ? 256 : 2560;
        Cpu icpu = new Cpu(0);
        long expected = Interpreter.run(p, icpu, icpu.bindCaller(0, INPUT, 0, len, false), len);
        Cpu cpu = new Cpu(0);
        long got = JitCompiler.compile(p).run(cpu, cpu.bindCaller(0, INPUT, 0, len, false), len);
        assertEquals(expected, got);
        assertEquals(icpu.faulted(), cpu.faulted());
        assertEquals(icpu.describeFault(), cpu.describeFault());
    }
}

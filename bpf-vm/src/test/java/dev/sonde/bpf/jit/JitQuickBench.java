package dev.sonde.bpf.jit;

import dev.sonde.bpf.testing.Resources;
import dev.sonde.bpf.vm.Cpu;
import dev.sonde.bpf.vm.Program;

/**
 * A rough timing of the bench kernels through the JIT, until a JMH JitBench exists in the tests
 * module: {@code java -cp bpf-vm/target/classes:bpf-vm/target/test-classes:<byte-buddy.jar>
 * dev.sonde.bpf.jit.JitQuickBench fletcher16 2560}. Prints ten rounds of 20,000 runs; read the last.
 */
public final class JitQuickBench {
    public static void main(String[] a) throws Exception {
        String name = a[0];
        int len = Integer.parseInt(a[1]);
        Program p = BenchKernelsJitTest.kernel(name);
        CompiledProgram c = JitCompiler.compile(p);
        Cpu cpu = new Cpu(0);
        long mem = cpu.bindCaller(0, Resources.benchInput(), 0, len, false);
        for (int round = 0; round < 10; round++) {
            long t0 = System.nanoTime();
            long s = 0;
            int n = 20000;
            for (int i = 0; i < n; i++) {
                s += c.run(cpu, mem, len);
            }
            long dt = System.nanoTime() - t0;
            System.out.printf("%s %d: %.1f ns/call %.3f ns/byte (%d)%n", name, len, dt / (double) n, dt / (double) n / len, s);
        }
    }
}

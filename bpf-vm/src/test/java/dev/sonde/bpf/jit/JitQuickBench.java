package dev.sonde.bpf.jit;

import dev.sonde.bpf.mem.RegionTable;
import dev.sonde.bpf.object.Verification;
import dev.sonde.bpf.testing.Resources;
import dev.sonde.bpf.verifier.Verifier;
import dev.sonde.bpf.verifier.VerifierConfig;
import dev.sonde.bpf.vm.Cpu;
import dev.sonde.bpf.vm.Program;
import java.util.List;

/**
 * A rough timing of the bench kernels through the JIT, for quick looks with -XX:+PrintInlining
 * (the JMH numbers are tests' KernelBench): {@code java -cp bpf-vm/target/classes:bpf-vm/target/test-classes:<byte-buddy.jar>
 * dev.sonde.bpf.jit.JitQuickBench fletcher16 2560 [verified]}. Prints ten rounds of 20,000 runs and the best.
 * With {@code verified}, the program is verified as RAW with {@code len} bytes of caller memory
 * and compiled with the proof's facts, as a loader does.
 */
public final class JitQuickBench {
    public static void main(String[] a) throws Exception {
        String name = a[0];
        int len = Integer.parseInt(a[1]);
        boolean verified = a.length > 2 && a[2].equals("verified");
        Program p = BenchKernelsJitTest.kernel(name);
        AccessProofs proofs = AccessProofs.none();
        if (verified) {
            VerifierConfig cfg = VerifierConfig.raw(len).withCpuVersion(1);
            proofs = Verification.accessProofs(Verifier.verify(p.insns(), cfg), List.of(), cfg);
        }
        CompiledProgram c = JitCompiler.compile(p, proofs, RegionTable.global());
        Cpu cpu = new Cpu(0);
        long mem = cpu.bindCaller(0, Resources.benchInput(), 0, len, false);
        double best = Double.MAX_VALUE;
        for (int round = 0; round < 10; round++) {
            long t0 = System.nanoTime();
            long s = 0;
            int n = 20000;
            for (int i = 0; i < n; i++) {
                s += c.run(cpu, mem, len);
            }
            long dt = System.nanoTime() - t0;
            System.out.printf("%s %d: %.1f ns/call %.3f ns/byte (%d)%n", name, len, dt / (double) n, dt / (double) n / len, s);
            best = Math.min(best, dt / (double) n);
        }
        System.out.printf("best %.1f ns/call%n", best);
    }
}

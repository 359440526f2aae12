package dev.sonde.bpf.jit;

import dev.sonde.bpf.vm.Cpu;

/**
 * What a generated class implements: the run of one program, r1..r5 given. It may throw the Cpu's
 * fault signal (with the fault already recorded); {@link CompiledProgram} turns that into r0 = 0.
 */
interface JitCode {
    long run(Cpu cpu, long r1, long r2, long r3, long r4, long r5);
}

package dev.sonde.bpf.jit;

import dev.sonde.bpf.vm.Cpu;
import dev.sonde.bpf.vm.Program;

/**
 * A program compiled to JVM bytecode. {@link #run} has exactly the contract of
 * {@link dev.sonde.bpf.vm.Interpreter#run}: it returns r0, or 0 when the run faulted, with the
 * fault's kind and slot recorded on the Cpu; nothing is thrown to the caller.
 *
 * <p>Differences that only show outside that contract: registers live in JVM locals, so
 * {@link Cpu#reg} does not show the run's final registers; and the calling-convention details
 * in {@link CallGen} that a verifier rejects anyway.
 *
 * <p>Release: drop every reference to this object; its generated class is then unloadable.
 * Thread safety: like the interpreter, any number of threads, each with its own Cpu.
 */
public final class CompiledProgram {
    private final Program program;
    private final JitCode code;

    CompiledProgram(Program program, JitCode code) {
        this.program = program;
        this.code = code;
    }

    public Program program() {
        return program;
    }

    public long run(Cpu cpu, long r1, long r2) {
        return run(cpu, r1, r2, 0, 0, 0);
    }

    public long run(Cpu cpu, long r1, long r2, long r3, long r4, long r5) {
        cpu.beginRun(program);
        try {
            return code.run(cpu, r1, r2, r3, r4, r5);
        } catch (RuntimeException | StackOverflowError e) {
            if (!Cpu.isFaultSignal(e)) {
                // Not from a helper (JitRuntime wraps those) but from the generated code itself,
                // e.g. a StackOverflowError on entry: the slot is unknown.
                cpu.helperError(e, -1);
            }
            return 0;
        } finally {
            cpu.endRun();
        }
    }

    /** The generated class, for tests (unloading). */
    Class<?> codeClass() {
        return code.getClass();
    }
}

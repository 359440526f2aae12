package dev.sonde.bpf.exec;

import dev.sonde.bpf.jit.AccessProofs;
import dev.sonde.bpf.jit.CompiledProgram;
import dev.sonde.bpf.jit.JitCompiler;
import dev.sonde.bpf.jit.JitException;
import dev.sonde.bpf.mem.RegionTable;
import dev.sonde.bpf.vm.Cpu;
import dev.sonde.bpf.vm.Interpreter;
import dev.sonde.bpf.vm.Program;

/**
 * A program ready to run in the mode its owner chose. The JIT is used where it applies; a program
 * the JIT declines runs on the interpreter, and {@link #declined} says why. Either way {@link #run}
 * keeps the interpreter's contract: r0, or 0 after a fault recorded on the Cpu, nothing thrown.
 */
public final class Executable {
    private final Program program;
    private final ExecMode requested;
    private final CompiledProgram compiled;
    private final String declined;

    private Executable(Program program, ExecMode requested, CompiledProgram compiled, String declined) {
        this.program = program;
        this.requested = requested;
        this.compiled = compiled;
        this.declined = declined;
    }

    /** Prepares {@code p} for {@code mode}, with no proofs (every access checked). */
    public static Executable of(Program p, ExecMode mode) {
        return of(p, mode, AccessProofs.none(), RegionTable.global());
    }

    /** Prepares {@code p}; in {@link ExecMode#JIT} the given proofs let proven accesses skip checks. */
    public static Executable of(Program p, ExecMode mode, AccessProofs proofs, RegionTable regions) {
        if (mode == ExecMode.INTERPRET) {
            return new Executable(p, mode, null, null);
        }
        try {
            AccessProofs use = mode == ExecMode.JIT ? proofs : AccessProofs.none();
            return new Executable(p, mode, JitCompiler.compile(p, use, regions), null);
        } catch (JitException e) {
            return new Executable(p, mode, null, e.getMessage());
        }
    }

    public long run(Cpu cpu, long r1, long r2) {
        return compiled != null ? compiled.run(cpu, r1, r2) : Interpreter.run(program, cpu, r1, r2);
    }

    public long run(Cpu cpu, long r1, long r2, long r3, long r4, long r5) {
        return compiled != null ? compiled.run(cpu, r1, r2, r3, r4, r5) : Interpreter.run(program, cpu, r1, r2, r3, r4, r5);
    }

    public Program program() {
        return program;
    }

    /** The mode asked for. */
    public ExecMode requested() {
        return requested;
    }

    /** The mode in effect: the interpreter when the JIT declined. */
    public ExecMode mode() {
        return compiled != null ? requested : ExecMode.INTERPRET;
    }

    /** Why the JIT declined this program, or null. */
    public String declined() {
        return declined;
    }
}

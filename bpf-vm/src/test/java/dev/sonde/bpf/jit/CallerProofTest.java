package dev.sonde.bpf.jit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonde.bpf.isa.Insn;
import dev.sonde.bpf.isa.Op;
import dev.sonde.bpf.mem.Addr;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Caller-memory facts (AccessProofs.Kind.CALLER) of RAW programs verified with
 * {@code VerifierConfig.raw(len)}: unchecked when the run meets the proof's entry state, and the
 * interpreter's results (faults included) when it does not.
 */
class CallerProofTest {
    private static final byte[] INPUT = Resources.benchInput();

    private static CompiledProgram verified(Program p, int len) throws Exception {
        VerifierConfig cfg = VerifierConfig.raw(len).withCpuVersion(p.options().cpuVersion());
        AccessProofs proofs = Verification.accessProofs(Verifier.verify(p.insns(), cfg), List.of(), cfg);
        assertEquals(len, proofs.rawEntryLength());
        return JitCompiler.compile(p, proofs, RegionTable.global());
    }

    /** Runs both engines on r1 = region + off over {@code bound} bytes of INPUT, r2 = r2; compares r0 and fault. */
    private static void same(Program p, CompiledProgram c, int bound, int off, long r2, boolean writable) {
        byte[] a = INPUT.clone();
        byte[] b = INPUT.clone();
        Cpu icpu = new Cpu(0);
        long expected = Interpreter.run(p, icpu, icpu.bindCaller(0, a, 0, bound, writable) + off, r2);
        Cpu cpu = new Cpu(0);
        long mem = cpu.bindCaller(0, b, 0, bound, writable) + off;
        for (int k = 0; k < 3; k++) {
            assertEquals(expected, c.run(cpu, mem, r2));
            assertEquals(icpu.describeFault(), cpu.describeFault());
        }
        assertEquals(java.util.Arrays.toString(a), java.util.Arrays.toString(b));
    }

    @ParameterizedTest(name = "{0}/{1}: memory {2}, r1 + {3}, r2 = {4}")
    @CsvSource({
        "fnv1a64, 2560, 2560, 0, 2560",      // the proof's entry state: unchecked
        "fnv1a64, 2560, 4000, 0, 2560",      // more memory than proven: still unchecked
        "fnv1a64, 2560, 2560, 0, 80",        // another r2: interpreter
        "fnv1a64, 2560, 100, 0, 2560",       // less memory: interpreter, OUT_OF_BOUNDS where it faults
        "fnv1a64, 2560, 2560, 4, 2560",      // r1 not at the start: interpreter, faults at the end
        "fletcher16, 2560, 2560, 0, 2560",
        "bubble64, 256, 256, 0, 256",
        "bubble64, 256, 255, 0, 256",
        "bubble64, 256, 256, 0, 255"})
    void agreesWithTheInterpreter(String name, int len, int bound, int off, long r2) throws Exception {
        Program p = BenchKernelsJitTest.kernel(name);
        same(p, verified(p, len), bound, off, r2, false);
    }

    @Test
    void aStoreNeedsWritableMemory() throws Exception {
        // *(u8 *)(r1 + 3) = 7; r0 = *(u32 *)(r1 + 0); exit
        Program p = Program.load("store", new Insn[] {
            Insn.of(Op.ST_B, 1, 0, 3, 7),
            Insn.of(Op.LDX_W, 0, 1, 0, 0),
            Insn.of(Op.EXIT, 0, 0, 0, 0)}, Options.defaults());
        CompiledProgram c = verified(p, 8);
        same(p, c, 8, 0, 8, true);
        same(p, c, 8, 0, 8, false);                 // read-only memory: READ_ONLY, as in the interpreter
        Cpu cpu = new Cpu(0);
        cpu.bindCaller(0, new byte[8], 0, 8, false);
        c.run(cpu, Addr.of(Addr.CALLER_0, 0), 8);
        assertTrue(cpu.faulted(), "store into read-only caller memory must fault");
    }

    @Test
    void withoutTheEntryAssumptionCallerFactsAreIgnored() {
        AccessProofs p = AccessProofs.none().withCaller(0, false);
        assertEquals(AccessProofs.Kind.NONE, p.kind(0));
        assertEquals(AccessProofs.Kind.CALLER, p.withRawEntry(4).kind(0));
        assertFalse(p.rawEntryLength() >= 0);
    }
}

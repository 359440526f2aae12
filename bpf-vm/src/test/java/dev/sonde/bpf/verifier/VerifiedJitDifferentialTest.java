package dev.sonde.bpf.verifier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonde.bpf.exec.ExecMode;
import dev.sonde.bpf.exec.Executable;
import dev.sonde.bpf.isa.Insn;
import dev.sonde.bpf.jit.AccessProofs;
import dev.sonde.bpf.mem.RegionTable;
import dev.sonde.bpf.object.Verification;
import dev.sonde.bpf.vm.Cpu;
import dev.sonde.bpf.vm.Interpreter;
import dev.sonde.bpf.vm.Options;
import dev.sonde.bpf.vm.Program;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Programs the verifier accepts, run through the interpreter (every access checked) and through
 * the JIT with the proof's checks dropped (stack, and caller memory of the proven length): r0, the
 * memory and the fault record agree on random inputs. With the memory the proof was made for and
 * with a shorter one (where the JIT must fall back to checked execution).
 */
class VerifiedJitDifferentialTest {
    @Test
    void tenThousandVerifiedPrograms() throws Exception {
        run(7_000_000, 10_000);
    }

    @Tag("long")
    @Test
    void twoHundredThousandVerifiedPrograms() throws Exception {
        int accepted = run(9_000_000, 360_000);
        assertTrue(accepted >= 200_000, "at least 200,000 accepted programs compared: " + accepted);
    }

    /** Returns how many of the {@code count} generated programs the verifier accepted (and were compared). */
    private static int run(long firstSeed, int count) throws Exception {
        int accepted = 0;
        for (int k = 0; k < count; k++) {
            long seed = firstSeed + k;
            SplittableRandom rnd = new SplittableRandom(seed * 0x9e3779b97f4a7c15L);
            int len = 1 + rnd.nextInt(64);
            Insn[] prog = new ProgramGenerator(seed, len).generate();
            VerifierConfig cfg = VerifierConfig.raw(len).withLimits(200_000, 100_000);
            Proof proof;
            try {
                proof = Verifier.verify(prog, cfg);
            } catch (VerifierException e) {
                continue;
            }
            accepted++;
            Program p = Program.load("gen" + seed, prog, Options.defaults());
            AccessProofs proofs = Verification.accessProofs(proof, List.of(), cfg);
            Executable jit = Executable.of(p, ExecMode.JIT, proofs, RegionTable.global());
            assertEquals(ExecMode.JIT, jit.mode(), () -> "seed " + seed + ": the JIT declined: " + jit.declined());
            for (int trial = 0; trial < 3; trial++) {
                int memLen = trial == 2 && len > 1 ? len - 1 : len;
                byte[] mem = new byte[memLen];
                rnd.nextBytes(mem);
                byte[] imem = mem.clone();
                byte[] jmem = mem.clone();
                Cpu icpu = new Cpu(0);
                Cpu jcpu = new Cpu(0);
                long want = Interpreter.run(p, icpu, icpu.bindCaller(0, imem, 0, memLen, true), len);
                long got = jit.run(jcpu, jcpu.bindCaller(0, jmem, 0, memLen, true), len);
                String where = "seed " + seed + " len " + len + " memory " + memLen;
                assertEquals(icpu.describeFault(), jcpu.describeFault(), where);
                assertEquals(want, got, where);
                assertArrayEquals(imem, jmem, where);
                if (memLen == len) {
                    assertFalse(icpu.faulted(), () -> where + ": accepted but faulted: " + icpu.describeFault());
                }
            }
        }
        assertTrue(accepted > count / 5, "the generator makes mostly verifiable programs: " + accepted);
        return accepted;
    }
}

package dev.sonde.bpf.verifier;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.sonde.bpf.isa.Insn;
import dev.sonde.bpf.vm.Cpu;
import dev.sonde.bpf.vm.Interpreter;
import dev.sonde.bpf.vm.Options;
import dev.sonde.bpf.vm.Program;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Whatever the verifier accepts runs in the interpreter (which checks every access) without a
 * memory fault and within the instruction budget, on random inputs.
 */
class DifferentialTest {
    static final long VERIFY_LIMIT = 200_000;

    @Test
    void fiveThousandRandomPrograms() throws Exception {
        run(0, 5_000);
    }

    @Tag("long")
    @Test
    void hundredThousandRandomPrograms() throws Exception {
        run(1_000_000, 100_000);
    }

    static void run(long firstSeed, int count) throws Exception {
        int accepted = 0, rejected = 0;
        Cpu cpu = new Cpu(0);
        for (int k = 0; k < count; k++) {
            long seed = firstSeed + k;
            SplittableRandom rnd = new SplittableRandom(seed * 0x9e3779b97f4a7c15L);
            int len = 1 + rnd.nextInt(64);
            Insn[] prog = new ProgramGenerator(seed, len).generate();
            if (!verifies(prog, len)) {
                rejected++;
                continue;
            }
            accepted++;
            Program p = Program.load("gen" + seed, prog, Options.defaults());
            for (int trial = 0; trial < 4; trial++) {
                byte[] mem = new byte[len];
                rnd.nextBytes(mem);
                long addr = cpu.bindCaller(0, mem, 0, len, true);
                Interpreter.run(p, cpu, addr, len);
                if (cpu.faulted()) {
                    fail("seed " + seed + " (len " + len + ") was accepted but faulted: " + cpu.describeFault() + "\n"
                        + dump(prog));
                }
            }
        }
        System.out.println("differential: " + accepted + " accepted, " + rejected + " rejected of " + count);
        assertTrue(accepted > count / 5, "the generator should make mostly verifiable programs: " + accepted);
    }

    static boolean verifies(Insn[] prog, int len) {
        try {
            Verifier.verify(prog, VerifierConfig.raw(len).withLimits(VERIFY_LIMIT, 100_000));
            return true;
        } catch (VerifierException e) {
            return false;
        }
    }

    static String dump(Insn[] prog) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < prog.length; i++) {
            if (prog[i] != null) {
                sb.append(VerifierLog.line(prog, VerifierConfig.raw(0), i)).append('\n');
            }
        }
        return sb.toString();
    }
}

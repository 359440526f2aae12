package dev.sonde.bpf.jit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonde.bpf.isa.Decoder;
import dev.sonde.bpf.isa.Insn;
import dev.sonde.bpf.vm.Cpu;
import dev.sonde.bpf.vm.Interpreter;
import dev.sonde.bpf.vm.Options;
import dev.sonde.bpf.vm.Program;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Random programs ({@link RandomProgram}) through the interpreter and the JIT with the same
 * inputs must agree on r0, on every byte of caller memory, and on the fault: kind, slot and
 * details ({@link Cpu#describeFault}). The JIT's budget accounting is exact, so the fault slot is
 * compared too. Reproduce one case with {@code -Dfuzz.seed=<seed>}.
 */
class DifferentialFuzzTest {
    private static final long SEED = Long.getLong("fuzz.seed", 0x5eed_50deL);

    @Test
    void tenThousandProgramsAgree() throws Exception {
        run(Long.getLong("fuzz.count", 10_000));
    }

    @Test
    @Tag("long")
    void twoHundredThousandProgramsAgree() throws Exception {
        run(200_000);
    }

    private static void run(long count) throws Exception {
        SplittableRandom seeds = new SplittableRandom(SEED);
        int declined = 0;
        java.util.Map<String, Integer> outcomes = new java.util.TreeMap<>();
        for (long n = 0; n < count; n++) {
            long seed = seeds.nextLong();
            String outcome = oneProgram(seed);
            outcomes.merge(outcome, 1, Integer::sum);
            if (outcome.equals("declined")) {
                declined++;
            }
        }
        // The mix of outcomes shows that the generator reaches every kind of fault.
        System.err.println("fuzz outcomes over " + count + " programs (2 runs each): " + outcomes);
        assertTrue(declined < count / 100, "JIT declined " + declined + " of " + count);
    }

    /** Returns the first run's outcome (a fault kind or "ok"), or "declined" when the JIT declined. */
    static String oneProgram(long seed) throws Exception {
        SplittableRandom rnd = new SplittableRandom(seed);
        int len = 8 + rnd.nextInt(RandomProgram.MEM_MAX - 7);
        byte[] text = new RandomProgram(rnd, len).generate();
        long budget = rnd.nextInt(4) == 0 ? 1 + rnd.nextInt(300) : 10_000;
        Options o = Options.defaults().withHelpers(RandomProgram.HELPERS).withBudget(budget);
        Program p = Program.load("fuzz", text, o);
        CompiledProgram c;
        try {
            c = JitCompiler.compile(p);
        } catch (JitException e) {
            return "declined";
        }
        String outcome = null;
        for (int round = 0; round < 2; round++) {
            byte[] mem = RandomProgram.memory(rnd, len);
            long r2 = rnd.nextLong();
            long r3 = rnd.nextLong();
            long r4 = rnd.nextInt(100);
            long r5 = rnd.nextLong();
            boolean writable = rnd.nextInt(10) != 0;
            byte[] imem = mem.clone();
            Cpu icpu = RandomProgram.freshCpu();
            long expected = Interpreter.run(p, icpu, icpu.bindCaller(0, imem, 0, len, writable), r2, r3, r4, r5);
            byte[] jmem = mem.clone();
            Cpu jcpu = RandomProgram.freshCpu();
            long got = c.run(jcpu, jcpu.bindCaller(0, jmem, 0, len, writable), r2, r3, r4, r5);
            String where = "seed " + seed + " round " + round + "\n" + listing(text);
            assertEquals(icpu.describeFault(), jcpu.describeFault(), where);
            assertEquals(expected, got, where);
            assertArrayEquals(imem, jmem, where);
            if (outcome == null) {
                outcome = icpu.faulted() ? icpu.faultKind().name() : "ok";
            }
        }
        return outcome;
    }

    static String listing(byte[] text) throws Exception {
        Insn[] insns = Decoder.decode(text);
        return java.util.stream.IntStream.range(0, insns.length).filter(i -> insns[i] != null)
            .mapToObj(i -> i + ": " + insns[i]).collect(Collectors.joining("\n"));
    }
}

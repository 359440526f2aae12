package dev.sonde.bpf.verifier;

import static dev.sonde.bpf.isa.Op.*;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonde.bpf.isa.Insn;
import org.junit.jupiter.api.Test;

/**
 * A 1,000-instruction probe verifies well inside the 50 ms target (checked against a generous
 * 500 ms so a busy shared machine cannot make it flaky; JMH measures the real figure).
 */
class PerformanceTest {

    /** Branchy straight-line probe code: ctx loads, stack traffic, map lookups with null checks. */
    static Insn[] thousandInsns() {
        Prog p = Prog.of().movr(6, 1).st(ST_W, 10, -4, 0);
        int k = 0;
        while (p.size() < 1000) {
            String l = "l" + k++;
            p.ldx(LDX_DW, 7, 6, 8 * (k % 21))
                .alu(AND64_K, 7, 0xff)
                .stx(STX_DW, 10, -8 - 8 * (k % 30), 7)
                .jmp(JGT64_K, 7, 100, l)
                .movr(2, 10).add(2, -4).ldmap(1, 0).call(1)
                .jmp(JEQ64_K, 0, 0, l)
                .ldx(LDX_DW, 8, 10, -8 - 8 * (k % 30))
                .atomic(ATOMIC64_ADD, 0, 0, 8)
                .label(l);
        }
        return p.ret0().build();
    }

    @Test
    void thousandInstructionProbeVerifiesQuickly() throws Exception {
        Insn[] prog = thousandInsns();
        assertTrue(prog.length >= 1000, "program has " + prog.length + " slots");
        for (int i = 0; i < 5; i++) {
            Verifier.verify(prog, TestHelpers.kprobe());   // warm-up
        }
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            long t0 = System.nanoTime();
            Verifier.verify(prog, TestHelpers.kprobe());
            best = Math.min(best, System.nanoTime() - t0);
        }
        System.out.printf("1000-insn probe: %.2f ms%n", best / 1e6);
        assertTrue(best < 500_000_000L, "took " + best / 1_000_000 + " ms");
    }
}

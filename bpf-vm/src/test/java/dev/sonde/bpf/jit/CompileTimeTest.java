package dev.sonde.bpf.jit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonde.bpf.isa.Encoder;
import dev.sonde.bpf.isa.Insn;
import dev.sonde.bpf.isa.Op;
import dev.sonde.bpf.vm.Cpu;
import dev.sonde.bpf.vm.Interpreter;
import dev.sonde.bpf.vm.Options;
import dev.sonde.bpf.vm.Program;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Compile time of a 1,000-instruction program in 10 functions (the target is 20 ms; asserted
 * loosely here because CI machines are shared, and printed for the record).
 */
class CompileTimeTest {
    @Test
    void aThousandInstructionsCompileQuickly() throws Exception {
        Program p = thousand();
        Cpu icpu = new Cpu(0);
        long expected = Interpreter.run(p, icpu, 3, 4);
        for (int i = 0; i < 20; i++) {
            JitCompiler.compile(p);                                   // warm the generator up
        }
        long[] ns = new long[21];
        for (int i = 0; i < ns.length; i++) {
            long t0 = System.nanoTime();
            CompiledProgram c = JitCompiler.compile(p);
            ns[i] = System.nanoTime() - t0;
            assertEquals(expected, c.run(new Cpu(0), 3, 4));
        }
        Arrays.sort(ns);
        double medianMs = ns[ns.length / 2] / 1e6;
        System.err.printf("compile of %d slots: median %.2f ms%n", p.slots(), medianMs);
        assertTrue(medianMs < 100, "median compile time " + medianMs + " ms");
    }

    /** f0 calls f1..f9 in turn; each function is 100 slots of ALU, stack and branch code. */
    static Program thousand() throws Exception {
        List<Insn> code = new ArrayList<>();
        for (int f = 0; f < 10; f++) {
            int start = code.size();
            if (f == 0) {
                for (int k = 1; k < 10; k++) {
                    code.add(Insn.of(Op.CALL_LOCAL, 0, 0, 0, 0));         // patched below
                    code.add(Insn.of(Op.ADD64_X, 6, 0, 0, 0));
                }
            }
            code.add(Insn.of(Op.MOV64_K, 0, 0, 0, f));
            code.add(Insn.of(Op.MOV64_K, 3, 0, 0, 0));        // r3 after a call is the callee's: write before use
            while (code.size() - start < (f == 0 ? 98 : 99)) {
                int n = code.size();
                switch (n % 7) {
                    case 0 -> code.add(Insn.of(Op.ADD64_X, 0, 1, 0, 0));
                    case 1 -> code.add(Insn.of(Op.STX_DW, 10, 0, -8 * (1 + n % 60), 0));
                    case 2 -> code.add(Insn.of(Op.LDX_DW, 3, 10, -8 * (1 + n % 60), 0));
                    case 3 -> code.add(Insn.of(Op.XOR32_X, 0, 3, 0, 0));
                    case 4 -> code.add(Insn.of(Op.JGT64_K, 0, 0, 0, 1000));   // a branch to the next slot
                    case 5 -> code.add(Insn.of(Op.MUL64_K, 0, 0, 0, 31));
                    default -> code.add(Insn.of(Op.DIV64_K, 0, 0, 0, 7));
                }
            }
            if (f == 0) {
                code.add(Insn.of(Op.ADD64_X, 0, 6, 0, 0));
            }
            code.add(Insn.of(Op.EXIT, 0, 0, 0, 0));
        }
        // Patch the calls: function k starts at slot 100 * k.
        for (int k = 1; k < 10; k++) {
            int at = 2 * (k - 1);
            code.set(at, Insn.of(Op.CALL_LOCAL, 0, 0, 0, 100 * k - at - 1));
        }
        return Program.load("thousand", Encoder.encode(code), Options.defaults());
    }
}

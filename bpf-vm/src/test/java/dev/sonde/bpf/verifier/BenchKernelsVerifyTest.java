package dev.sonde.bpf.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonde.bpf.isa.Decoder;
import dev.sonde.bpf.isa.Insn;
import dev.sonde.bpf.testing.Resources;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The three benchmark kernels verify unmodified, at the lengths the benchmark runs them. */
class BenchKernelsVerifyTest {

    static Insn[] kernel(String name) throws Exception {
        byte[] text = Resources.section(Resources.bytes("/bench/" + name + ".bpf.o"), ".text");
        return Decoder.decode(text);
    }

    @ParameterizedTest(name = "{0} over {1} bytes verifies")
    @CsvSource({"fletcher16, 80", "fletcher16, 2560", "fnv1a64, 80", "fnv1a64, 2560", "bubble64, 256", "bubble64, 2560",
        "bubble64, 100", "fletcher16, 0"})
    void verifies(String kernel, int len) throws Exception {
        Insn[] insns = kernel(kernel);
        long t0 = System.nanoTime();
        Proof p = Verifier.verify(insns, VerifierConfig.raw(len).withCpuVersion(1));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.println(kernel + "/" + len + ": " + p.insnsVisited() + " insns visited, " + p.statesKept()
            + " states, " + ms + " ms");
        for (int i = 0; i < insns.length; i++) {
            if (insns[i] != null && p.access(i) != null) {
                assertTrue(p.access(i).inBounds(), "insn " + i);
            }
        }
    }

    @ParameterizedTest(name = "bubble64 stack accesses have constant offsets")
    @CsvSource({"bubble64, 256"})
    void bubbleFacts(String kernel, int len) throws Exception {
        Insn[] insns = kernel(kernel);
        Proof p = Verifier.verify(insns, VerifierConfig.raw(len).withCpuVersion(1));
        assertEquals(PointerKind.CALLER_MEM, p.access(3).kind());
        assertEquals(PointerKind.STACK, p.access(7).kind());
        assertTrue(p.access(7).constantOffset());
        assertEquals(512 - 272, p.access(7).minOff());
    }
}

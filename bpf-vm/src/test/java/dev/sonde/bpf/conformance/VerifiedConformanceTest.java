package dev.sonde.bpf.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonde.bpf.tools.ConformanceHelpers;
import dev.sonde.bpf.verifier.ProgramType;
import dev.sonde.bpf.verifier.Verifier;
import dev.sonde.bpf.verifier.VerifierConfig;
import dev.sonde.bpf.verifier.VerifierException;
import dev.sonde.bpf.vm.Cpu;
import dev.sonde.bpf.vm.Interpreter;
import dev.sonde.bpf.vm.Program;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The conformance suite through the verifier, as {@code sonde-bpf-plugin --verify} runs it (r1 =
 * read-write memory of exactly the test's length, r2 = that length). Every accepted program gives
 * the expected result; every rejected one has a reason, and the list of rejections is written to
 * target/verifier-conformance.txt for the notes. Rejections are allowed (the suite was written
 * for run-time semantics, not for a verifier), but they must stay few and explained: today two, call_unwind_fail (reads r3 after a call) and
 * callx (a call through a register cannot be verified).
 */
class VerifiedConformanceTest {
    @Test
    void acceptedProgramsPassAndRejectionsGiveAReason() throws Exception {
        List<String> rejected = new ArrayList<>();
        int accepted = 0;
        for (String name : ConformanceSuite.names()) {
            DataFile t = ConformanceSuite.load(name);
            Program p = Program.load(name, t.program(), ConformanceSuiteTest.OPTIONS);
            byte[] mem = t.mem();
            VerifierConfig cfg = (mem != null ? VerifierConfig.raw(mem.length) : VerifierConfig.of(ProgramType.RAW))
                .withHelpers(ConformanceHelpers.table());
            try {
                Verifier.verify(p.insns(), cfg);
            } catch (VerifierException e) {
                assertFalse(e.getMessage().isBlank(), name);
                rejected.add(name + ": " + e.getMessage());
                continue;
            }
            accepted++;
            Cpu cpu = new Cpu(0);
            long r1 = mem == null ? 0 : cpu.bindCaller(0, mem, 0, mem.length, true);
            long r0 = Interpreter.run(p, cpu, r1, mem == null ? 0 : mem.length);
            assertFalse(cpu.faulted(), () -> name + " was verified but faulted: " + cpu.describeFault());
            assertEquals(t.result(), r0, name);
        }
        write(accepted, rejected);
        assertEquals(ConformanceSuite.SIZE, accepted + rejected.size());
        assertTrue(rejected.size() <= 2, () -> rejected.size() + " rejections:\n" + String.join("\n", rejected));
    }

    private static void write(int accepted, List<String> rejected) throws IOException {
        Path out = Path.of("target/verifier-conformance.txt");
        Files.createDirectories(out.getParent());
        Files.writeString(out, "accepted " + accepted + ", rejected " + rejected.size() + "\n"
            + String.join("\n", rejected) + "\n");
    }
}

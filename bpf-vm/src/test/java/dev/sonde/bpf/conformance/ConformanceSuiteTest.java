package dev.sonde.bpf.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonde.bpf.tools.ConformanceHelpers;
import dev.sonde.bpf.vm.Cpu;
import dev.sonde.bpf.exec.ExecMode;
import dev.sonde.bpf.exec.Executable;
import dev.sonde.bpf.vm.LoadException;
import dev.sonde.bpf.vm.Options;
import dev.sonde.bpf.vm.Program;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every bpf_conformance test on the interpreter, as the suite's runner would drive a plugin: the
 * program assembled from {@code -- asm} (or taken from {@code -- raw}), {@code -- mem} as writable
 * memory at r1 with its length in r2 (r1 = r2 = 0 without it), r0 compared with
 * {@code -- result}. Unlike the runner, which compares the low 32 bits, all 64 must match.
 */
class ConformanceSuiteTest {
    /** cpu v4 and every group (callx included), plus helper 5 that two tests call. */
    static final Options OPTIONS = Options.defaults().withHelpers(ConformanceHelpers.table());

    static List<String> tests() {
        return ConformanceSuite.names();
    }

    @Test
    void theWholeSuiteIsThere() {
        assertEquals(ConformanceSuite.SIZE, tests().size());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tests")
    void passes(String name) throws Exception {
        check(name, ExecMode.INTERPRET);
    }

    @ParameterizedTest(name = "{0} (JIT)")
    @MethodSource("tests")
    void passesOnTheJit(String name) throws Exception {
        check(name, ExecMode.JIT);
    }

    private static void check(String name, ExecMode mode) throws Exception {
        DataFile t = ConformanceSuite.load(name);
        Program program;
        try {
            program = Program.load(name, t.program(), OPTIONS);
        } catch (LoadException e) {
            assertNotNull(t.error(), () -> name + " was rejected: " + e.getMessage());
            return;
        }
        Cpu cpu = new Cpu(0);
        byte[] mem = t.mem();
        long r1 = mem == null ? 0 : cpu.bindCaller(0, mem, 0, mem.length, true);
        long r2 = mem == null ? 0 : mem.length;
        Executable exe = Executable.of(program, mode);
        assertEquals(mode, exe.mode(), () -> name + ": the JIT declined: " + exe.declined());
        long r0 = exe.run(cpu, r1, r2);
        if (t.error() != null) {
            assertTrue(cpu.faulted(), () -> name + " expects error '" + t.error() + "' but returned 0x" + Long.toHexString(r0));
            return;
        }
        assertFalse(cpu.faulted(), () -> name + " faulted: " + cpu.describeFault());
        assertNotNull(t.result(), name + " has no -- result");
        assertEquals(t.result(), r0, () -> name + ": r0 = 0x" + Long.toHexString(r0)
            + ", expected 0x" + Long.toHexString(t.result()));
    }
}

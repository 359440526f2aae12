package dev.sonde.bpf.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonde.bpf.asm.Assembler;
import dev.sonde.bpf.conformance.PluginProcess.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code bin/sonde-bpf-plugin} launched for real, one process per case, fed as the bpf_conformance
 * runner feeds it. A sample of the suite here (each run starts a JVM); all of it with
 * {@code -Plong}.
 */
class ConformancePluginTest {

    /** Memory or not, lddw, raw words, helper and register calls, local calls, atomics, v4 ops. */
    static List<String> sample() {
        return List.of("add.data", "lddw.data", "mem-len.data", "ldxh-all.data", "subnet.data", "stxb-chain.data",
            "callx.data", "call_unwind_fail.data", "call_local.data", "lock_cmpxchg.data", "prime.data",
            "rfc9669_ja32.data", "movsx832-reg.data", "sdiv64-intmin-by-negone-reg.data");
    }

    static List<String> all() {
        return ConformanceSuite.names();
    }

    static void assertPasses(String name, String engine) throws Exception {
        DataFile t = ConformanceSuite.load(name);
        List<String> args = new java.util.ArrayList<>();
        if (t.mem() != null) {
            args.add(PluginProcess.runnerHex(t.mem()));
        }
        args.add(engine);
        Result r = PluginProcess.run(args, PluginProcess.runnerHex(t.program()) + "\n");
        assertEquals(0, r.status(), () -> name + ": " + r.stderr());
        assertEquals("", r.stderr(), name);
        assertEquals(Long.toHexString(t.result()), r.stdout().strip(), name);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sample")
    void runsConformanceTests(String name) throws Exception {
        assertPasses(name, "--interpret");
    }

    @ParameterizedTest(name = "{0} --jit")
    @MethodSource("sample")
    void runsConformanceTestsOnTheJit(String name) throws Exception {
        assertPasses(name, "--jit");
    }

    @Tag("long")
    @ParameterizedTest(name = "{0}")
    @MethodSource("all")
    void runsTheWholeSuite(String name) throws Exception {
        assertPasses(name, "--interpret");
        assertPasses(name, "--jit");
    }

    @Test
    void acceptsTheOldRunnersArgumentsAndCompactUpperCaseHex() throws Exception {
        // Older runners pass argv[1] even when empty, and every option in one argv[2].
        Result r = PluginProcess.run(List.of("", "--interpret --cpu v4"), "B70000002A000000950000000000000");
        assertEquals(1, r.status(), "31 hex digits are not whole bytes");
        r = PluginProcess.run(List.of("", "--interpret --cpu v4"), "B70000002A0000009500000000000000\n");
        assertEquals(0, r.status(), r.stderr());
        assertEquals("2a\n", r.stdout());
    }

    @Test
    void aBadOpcodeIsALoadErrorNamingTheInstruction() throws Exception {
        byte[] program = Assembler.assembleBytes("mov %r0, 1\nmov %r0, 2\nexit");
        program[8] = (byte) 0xff;
        Result r = PluginProcess.run(List.of(), PluginProcess.runnerHex(program) + "\n");
        assertEquals(1, r.status());
        assertEquals("", r.stdout());
        assertEquals("sonde-bpf-plugin: load error: insn 1: unknown opcode 0xff\n", r.stderr());
    }

    @Test
    void anOutOfBoundsLoadIsAFaultLine() throws Exception {
        byte[] program = Assembler.assembleBytes("ldxw %r0, [%r1+8]\nexit");
        Result r = PluginProcess.run(List.of("11 22 33 44 "), PluginProcess.runnerHex(program) + "\n");
        assertEquals(1, r.status());
        assertEquals("", r.stdout());
        String line = r.stderr();
        assertEquals(1, line.lines().count(), line);
        assertTrue(line.startsWith("sonde-bpf-plugin: fault: insn 0: access outside its region: 4-byte access"), line);
        assertTrue(line.contains("caller memory 0"), line);
    }

    @Test
    void withoutMemoryR1AndR2AreZero() throws Exception {
        byte[] program = Assembler.assembleBytes("mov %r0, %r1\nor %r0, %r2\nadd %r0, 7\nexit");
        Result r = PluginProcess.run(List.of(), PluginProcess.runnerHex(program) + "\n");
        assertEquals("7\n", r.stdout(), r.stderr());
    }

    @Test
    void anOlderCpuRejectsNewerInstructions() throws Exception {
        byte[] program = Assembler.assembleBytes("mov %r0, 7\nsdiv %r0, 7\nexit");
        Result r = PluginProcess.run(List.of("--cpu", "v3"), PluginProcess.runnerHex(program) + "\n");
        assertEquals(1, r.status());
        assertTrue(r.stderr().startsWith("sonde-bpf-plugin: load error: insn 1: sdiv needs -mcpu=v4"), r.stderr());
    }

    @Test
    void anExhaustedBudgetIsAFault() throws Exception {
        byte[] program = Assembler.assembleBytes("top: ja top");
        Result r = PluginProcess.run(List.of("--budget", "1000"), PluginProcess.runnerHex(program) + "\n");
        assertEquals(1, r.status());
        assertEquals("sonde-bpf-plugin: fault: insn 0: instruction budget exhausted\n", r.stderr());
    }

    @Test
    void verifyRunsASafeProgramAndRejectsAnUnsafeOneWithTheReason() throws Exception {
        byte[] safe = Assembler.assembleBytes("ldxb %r0, [%r1+3]\nexit");
        Result ok = PluginProcess.run(List.of("01 02 03 04", "--verify"), PluginProcess.runnerHex(safe) + "\n");
        assertEquals("4\n", ok.stdout(), ok.stderr());
        byte[] unsafe = Assembler.assembleBytes("ldxb %r0, [%r1+4]\nexit");
        Result bad = PluginProcess.run(List.of("01 02 03 04", "--verify"), PluginProcess.runnerHex(unsafe) + "\n");
        assertEquals(1, bad.status());
        assertEquals("", bad.stdout());
        assertTrue(bad.stderr().startsWith("sonde-bpf-plugin: load error: insn 0: rejected by the verifier: "), bad.stderr());
        Result unverified = PluginProcess.run(List.of("01 02 03 04"), PluginProcess.runnerHex(unsafe) + "\n");
        assertTrue(unverified.stderr().startsWith("sonde-bpf-plugin: fault: insn 0: access outside its region"),
            unverified.stderr());
    }

    @Test
    void verifyAppliesToElfObjectsToo() throws Exception {
        String hex = PluginProcess.runnerHex(dev.sonde.bpf.testing.Resources.bytes("/bpf/sum_input.bpf.o"));
        Result r = PluginProcess.run(List.of("01 02 03 02", "--elf", "--verify", "--jit"), hex);
        assertEquals(Long.toHexString(7 + 1 + 2 + 3 + 2 + (3L << 16)) + "\n", r.stdout(), r.stderr());
    }

    @Test
    void elfObjectsRunWithTheirMapsGlobalDataAndCalls() throws Exception {
        // sum_input.bpf.c: bias 7 (.rodata) + the bytes, plus distinct byte values (a hash map) << 16.
        String hex = PluginProcess.runnerHex(dev.sonde.bpf.testing.Resources.bytes("/bpf/sum_input.bpf.o"));
        Result r = PluginProcess.run(List.of("01 02 03 02", "--elf"), hex);
        assertEquals("", r.stderr());
        assertEquals(0, r.status());
        assertEquals(Long.toHexString(7 + 1 + 2 + 3 + 2 + (3L << 16)) + "\n", r.stdout());
        Result named = PluginProcess.run(List.of("ff", "--elf", "--section", "sonde/sum"), hex);
        assertEquals(Long.toHexString(7 + 255 + (1L << 16)) + "\n", named.stdout());
    }

    @Test
    void elfErrorsNameTheProblem() throws Exception {
        byte[] obj = dev.sonde.bpf.testing.Resources.bytes("/bpf/sum_input.bpf.o");
        Result missing = PluginProcess.run(List.of("01", "--elf", "--section", "kprobe/nothing"), PluginProcess.runnerHex(obj));
        assertEquals(1, missing.status());
        assertEquals("sonde-bpf-plugin: load error: no program in section kprobe/nothing (the object has: sonde/sum)\n",
            missing.stderr());
        byte[] cut = java.util.Arrays.copyOf(obj, 100);
        Result truncated = PluginProcess.run(List.of("01", "--elf"), PluginProcess.runnerHex(cut));
        assertEquals(1, truncated.status());
        assertTrue(truncated.stderr().startsWith("sonde-bpf-plugin: load error: stdin.o: "), truncated.stderr());
    }

    @Test
    void unknownOptionsPrintTheUsage() throws Exception {
        Result r = PluginProcess.run(List.of("--fast"), "");
        assertEquals(2, r.status());
        assertTrue(r.stderr().startsWith("sonde-bpf-plugin: unknown option '--fast'\nusage: sonde-bpf-plugin"), r.stderr());
    }

    @Test
    void helpGoesToStdout() throws Exception {
        Result r = PluginProcess.run(List.of("--help"), "");
        assertEquals(0, r.status());
        assertTrue(r.stdout().startsWith("usage: sonde-bpf-plugin [MEMORY-HEX] [options]"), r.stdout());
        assertTrue(r.stdout().contains("--section NAME"), r.stdout());
    }

    @Test
    void withoutCompiledClassesTheScriptSaysHowToBuildThem(@TempDir Path dir) throws Exception {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path copy = Files.copy(PluginProcess.script(), bin.resolve("sonde-bpf-plugin"));
        Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rwxr-xr-x"));
        Result r = PluginProcess.run(copy, List.of(), "");
        assertEquals(2, r.status());
        assertTrue(r.stderr().contains("mvn -q -pl bpf-vm compile"), r.stderr());
        assertTrue(r.stderr().contains(dir.toRealPath().resolve("bpf-vm/target/classes").toString()), r.stderr());
    }

    @Test
    void theScriptIsExecutable() {
        assertTrue(Files.isExecutable(PluginProcess.script()));
    }
}

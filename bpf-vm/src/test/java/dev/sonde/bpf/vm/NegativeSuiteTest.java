package dev.sonde.bpf.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.sonde.bpf.asm.Assembler;
import dev.sonde.bpf.isa.Op;
import dev.sonde.bpf.tools.Hex;
import java.util.EnumSet;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Malformed and faulting programs, each with its verdict beside it, in the manner of the kernel's
 * verifier selftests: a load error (the instruction it names and words of the reason) or a run-time
 * fault (its kind and instruction). None may end in anything else: not a result, not an exception
 * other than {@link LoadException}.
 *
 * <p>Programs are assembler text, or {@code raw:} hex when the encoding itself is the point. At run
 * time r1 is 16 bytes of caller memory (writable unless the case says {@code ro}) and r2 = 16.
 */
class NegativeSuiteTest {
    /** What a case must end in. */
    record Verdict(boolean load, int insn, String words, FaultKind kind) {
        static Verdict load(int insn, String words) {
            return new Verdict(true, insn, words, null);
        }

        static Verdict fault(int insn, FaultKind kind) {
            return new Verdict(false, insn, null, kind);
        }
    }

    record Case(String name, String program, Verdict verdict, Options options, boolean readOnly) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static Case c(String name, String program, Verdict v) {
        return new Case(name, program, v, OPTIONS, false);
    }

    private static Case c(String name, String program, Verdict v, Options o) {
        return new Case(name, program, v, o, false);
    }

    private static Case ro(String name, String program, Verdict v) {
        return new Case(name, program, v, OPTIONS, true);
    }

    private static final HelperTable HELPERS = HelperTable.empty()
        .with(5, "ktime_get_ns", (cpu, a, b, c, d, e) -> System.nanoTime())
        .with(200, "broken_helper", (cpu, a, b, c, d, e) -> {
            throw new IllegalStateException("helper bug");
        });
    private static final Options OPTIONS = Options.defaults().withHelpers(HELPERS);

    static Stream<Case> cases() {
        return Stream.of(
            // ---- encodings the decoder refuses -------------------------------------------------
            c("unknown opcode", "raw: ff00000000000000 9500000000000000", Verdict.load(0, "unknown opcode 0xff")),
            c("legacy packet load LD_ABS", "raw: b700000000000000 2000000000000000 9500000000000000",
                Verdict.load(1, "legacy packet load")),
            c("legacy packet load LD_IND", "raw: 4000000000000000 9500000000000000", Verdict.load(0, "legacy packet load")),
            c("may_goto", "raw: e500000000000000 9500000000000000", Verdict.load(0, "may_goto")),
            c("destination register r11", "raw: b70b000000000000 9500000000000000", Verdict.load(0, "invalid destination register r11")),
            c("source register r12", "raw: 0fc0000000000000 9500000000000000", Verdict.load(0, "invalid source register r12")),
            c("immediate in a register-form ALU op", "raw: 0f10000001000000 9500000000000000",
                Verdict.load(0, "unused immediate field")),
            c("offset in an immediate-form ALU op", "raw: 0700010001000000 9500000000000000", Verdict.load(0, "unused offset field")),
            c("source register in exit", "raw: 9510000000000000", Verdict.load(0, "unused source field")),
            c("MOVSX with offset 4", "raw: bf10040000000000 9500000000000000", Verdict.load(0, "invalid offset 4")),
            c("addr_space_cast", "raw: bf10010001000000 9500000000000000", Verdict.load(0, "addr_space_cast")),
            c("byte swap of width 24", "raw: dc00000018000000 9500000000000000", Verdict.load(0, "invalid immediate 0x18")),
            c("atomic with operation 0x02", "raw: db1a f8ff 02000000 9500000000000000", Verdict.load(0, "invalid immediate 0x2")),
            c("call of a kernel function by BTF id", "raw: 8520000001000000 9500000000000000", Verdict.load(0, "kfunc")),
            c("lddw without its second slot", "raw: b700000000000000 1800000001000000", Verdict.load(1, "missing its second slot")),
            c("lddw whose second slot has an opcode", "raw: 1800000001000000 9500000000000000 9500000000000000",
                Verdict.load(1, "second slot of lddw")),
            c("length not a multiple of 8", "raw: 95000000000000", Verdict.load(-1, "not a multiple of 8")),
            c("empty program", "raw: ", Verdict.load(-1, "no instructions")),
            // ---- structure Program.load refuses ------------------------------------------------
            c("jump past the end", "ja +5\nexit", Verdict.load(0, "jump out of range")),
            c("jump before the start", "mov %r0, 0\njeq %r0, 0, -3\nexit", Verdict.load(1, "jump out of range")),
            c("jump into the middle of lddw", "ja +1\nlddw %r0, 0x100000000\nexit", Verdict.load(0, "middle of lddw at insn 1")),
            c("ja32 past the end", "ja32 +100\nexit", Verdict.load(0, "jump out of range")),
            c("local call past the end", "call local +7\nexit", Verdict.load(0, "call out of range")),
            c("code address past the end", "lddw %r1, func:+9\nmov %r0, 0\nexit", Verdict.load(0, "code address out of range")),
            c("mov into r10", "mov %r10, 1\nexit", Verdict.load(0, "writes r10")),
            c("load into r10", "ldxdw %r10, [%r1]\nexit", Verdict.load(0, "writes r10")),
            c("lddw into r10", "lddw %r10, 1\nexit", Verdict.load(0, "writes r10")),
            c("atomic fetch into r10", "lock fetch add [%r1], %r10\nexit", Verdict.load(0, "writes r10")),
            c("unknown helper", "call 999\nexit", Verdict.load(0, "unknown helper 999")),
            c("v4 instruction in a v1 program", "movsx864 %r0, %r1\nexit", Verdict.load(0, "needs -mcpu=v4"),
                OPTIONS.withCpuVersion(1)),
            c("callx with its group disabled", "mov %r2, 5\ncall %r2\nexit", Verdict.load(1, "group callx"),
                OPTIONS.withGroups(EnumSet.complementOf(EnumSet.of(Op.Group.CALLX)))),
            c("map reference in a bare program", "lddw %r1, map_fd:0\nexit", Verdict.load(0, "without an object")),
            // ---- faults at run time ---------------------------------------------------------------
            c("falling off the end", "mov %r0, 1\njeq %r0, 0, +1\nmov %r0, 2\nmov %r0, 3", Verdict.fault(4, FaultKind.FELL_OFF_END)),
            c("load through NULL", "mov %r1, 0\nldxw %r0, [%r1]\nexit", Verdict.fault(1, FaultKind.NULL_POINTER)),
            c("load through a small integer", "mov %r1, 0x1234\nldxb %r0, [%r1+8]\nexit", Verdict.fault(1, FaultKind.NULL_POINTER)),
            c("load from no region", "lddw %r1, 0x7fff00000000\nldxdw %r0, [%r1]\nexit", Verdict.fault(2, FaultKind.NO_REGION)),
            c("stack read at the frame pointer", "ldxb %r0, [%r10]\nexit", Verdict.fault(0, FaultKind.OUT_OF_BOUNDS)),
            // Below frame 0 the offset borrows from the region id: region 0, which is never valid.
            c("stack read below the first frame", "ldxb %r0, [%r10-513]\nexit", Verdict.fault(0, FaultKind.NULL_POINTER)),
            c("stack read below a callee's frame", "call local f\nexit\nf:\nldxb %r0, [%r10-513]\nexit",
                Verdict.fault(2, FaultKind.OUT_OF_BOUNDS)),
            c("stack 8-byte read across the top", "ldxdw %r0, [%r10-4]\nexit", Verdict.fault(0, FaultKind.OUT_OF_BOUNDS)),
            c("stack store above the frame", "stdw [%r10+8], 1\nexit", Verdict.fault(0, FaultKind.OUT_OF_BOUNDS)),
            c("caller memory read past the end", "ldxw %r0, [%r1+13]\nexit", Verdict.fault(0, FaultKind.OUT_OF_BOUNDS)),
            c("caller memory read before the start", "ldxb %r0, [%r1-1]\nexit", Verdict.fault(0, FaultKind.OUT_OF_BOUNDS)),
            c("caller memory at a computed offset", "mov %r3, 100\nadd %r1, %r3\nldxb %r0, [%r1]\nexit",
                Verdict.fault(2, FaultKind.OUT_OF_BOUNDS)),
            ro("store into read-only memory", "stb [%r1], 1\nexit", Verdict.fault(0, FaultKind.READ_ONLY)),
            ro("atomic on read-only memory", "mov %r2, 1\nlock add [%r1], %r2\nexit", Verdict.fault(1, FaultKind.READ_ONLY)),
            c("load through a code address", "lddw %r1, func:+2\nldxb %r0, [%r1]\nexit\nexit",
                Verdict.fault(2, FaultKind.NO_REGION)),
            c("misaligned 64-bit atomic", "stdw [%r10-16], 0\nmov %r2, 1\nlock add [%r10-12], %r2\nexit",
                Verdict.fault(2, FaultKind.MISALIGNED_ATOMIC)),
            c("misaligned 32-bit cmpxchg", "mov %r0, 0\nmov %r2, 1\nlock cmpxchg32 [%r1+2], %r2\nexit",
                Verdict.fault(2, FaultKind.MISALIGNED_ATOMIC)),
            c("endless loop exhausts the budget", "mov %r0, 0\nloop:\nadd %r0, 1\nja loop", Verdict.fault(-1, FaultKind.BUDGET_EXHAUSTED)),
            c("small budget runs out in a long loop", "mov %r0, 0\nloop:\nadd %r0, 1\njlt %r0, 1000, loop\nexit",
                Verdict.fault(-1, FaultKind.BUDGET_EXHAUSTED), OPTIONS.withBudget(500)),
            c("recursion past 8 frames", "f:\ncall local f\nexit", Verdict.fault(0, FaultKind.CALL_DEPTH)),
            c("callx of an unknown helper", "mov %r2, 77\ncall %r2\nexit", Verdict.fault(1, FaultKind.BAD_HELPER)),
            c("callx of a negative helper id", "mov %r2, -1\ncall %r2\nexit", Verdict.fault(1, FaultKind.BAD_HELPER)),
            c("helper that throws", "call 200\nexit", Verdict.fault(0, FaultKind.HELPER_ERROR)),
            c("fault in a callee names the callee's insn", "call local f\nexit\nf:\nmov %r1, 0\nldxb %r0, [%r1]\nexit",
                Verdict.fault(3, FaultKind.NULL_POINTER)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void endsInTheExpectedErrorOrFault(Case k) throws Exception {
        byte[] code = k.program().startsWith("raw:")
            ? Hex.parse(k.program().substring(4)) : Assembler.assembleBytes(k.program());
        Verdict v = k.verdict();
        if (v.load()) {
            LoadException e = assertThrows(LoadException.class, () -> Program.load(k.name(), code, k.options()));
            assertEquals(v.insn(), e.insn(), e::getMessage);
            assertTrue(e.getMessage().contains(v.words()), () -> "message: " + e.getMessage());
            if (v.insn() >= 0) {
                assertTrue(e.getMessage().startsWith("insn " + v.insn() + ": "), e::getMessage);
            }
            return;
        }
        Program p = Program.load(k.name(), code, k.options());
        Cpu cpu = new Cpu(0);
        long mem = cpu.bindCaller(0, new byte[16], 0, 16, !k.readOnly());
        long r0;
        try {
            r0 = Interpreter.run(p, cpu, mem, 16);
        } catch (Throwable t) {
            fail("the run threw " + t);
            return;
        }
        assertTrue(cpu.faulted(), () -> "no fault, r0 = " + r0);
        assertEquals(0, r0);
        assertEquals(v.kind(), cpu.faultKind(), cpu::describeFault);
        if (v.insn() >= 0) {
            assertEquals(v.insn(), cpu.faultPc(), cpu::describeFault);
        }
        assertTrue(cpu.describeFault().startsWith("insn " + cpu.faultPc() + ": " + v.kind().description),
            cpu::describeFault);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("divisionEdges")
    void divisionEdgesAreDefinedNotFaults(String name, String program, long expected) throws Exception {
        Program p = Program.load(name, Assembler.assembleBytes(program), OPTIONS);
        Cpu cpu = new Cpu(0);
        assertEquals(expected, Interpreter.run(p, cpu, 0, 0));
        assertFalse(cpu.faulted(), cpu::describeFault);
    }

    static Stream<org.junit.jupiter.params.provider.Arguments> divisionEdges() {
        return Stream.of(
            List.of("udiv64 by zero register is 0", "mov %r0, 7\nmov %r1, 0\ndiv %r0, %r1\nexit", 0L),
            List.of("umod64 by zero keeps the dividend", "mov %r0, -7\nmov %r1, 0\nmod %r0, %r1\nexit", -7L),
            List.of("umod32 by zero keeps the low half", "mov %r0, -7\nmov %r1, 0\nmod32 %r0, %r1\nexit", 0xfffffff9L),
            List.of("sdiv64 INT_MIN by -1 wraps", "lddw %r0, 0x8000000000000000\nmov %r1, -1\nsdiv %r0, %r1\nexit", Long.MIN_VALUE),
            List.of("smod64 INT_MIN by -1 is 0", "lddw %r0, 0x8000000000000000\nmov %r1, -1\nsmod %r0, %r1\nexit", 0L),
            List.of("udiv64 of a negative dividend", "mov %r0, -1\ndiv %r0, 3\nexit", Long.divideUnsigned(-1, 3)),
            List.of("sdiv32 by zero immediate is 0", "mov32 %r0, 9\nsdiv32 %r0, 0\nexit", 0L))
            .map(l -> org.junit.jupiter.params.provider.Arguments.of(l.toArray()));
    }
}

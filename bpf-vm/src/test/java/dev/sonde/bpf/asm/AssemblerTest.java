package dev.sonde.bpf.asm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonde.bpf.conformance.ConformanceSuite;
import dev.sonde.bpf.conformance.DataFile;
import dev.sonde.bpf.isa.Insn;
import dev.sonde.bpf.isa.Op;
import java.util.List;
import org.junit.jupiter.api.Test;

class AssemblerTest {

    static Insn one(String line) throws AsmException {
        List<Insn> out = Assembler.assemble(line);
        assertEquals(1, out.size(), line);
        return out.get(0);
    }

    @Test
    void aRegisterSecondOperandSelectsTheXForm() throws Exception {
        assertEquals(Insn.of(Op.MOV64_K, 1, 0, 0, 5), one("mov %r1, 5"));
        assertEquals(Insn.of(Op.MOV64_X, 1, 2, 0, 0), one("mov %r1, %r2"));
        assertEquals(Insn.of(Op.JGT32_K, 1, 0, 1, 7), one("jgt32 %r1, 7, +1"));
        assertEquals(Insn.of(Op.JGT32_X, 1, 9, -1, 0), one("jgt32 %r1, %r9, -1"));
    }

    @Test
    void immediatesAreDecimalHexOrNegativeAndWrapAt32Bits() throws Exception {
        assertEquals(-1, one("mov %r0, 0xffffffff").imm());
        assertEquals(-1, one("mov %r0, -1").imm());
        assertEquals(0x2a, one("mov %r0, 0X2A").imm());
        assertEquals(-16, one("add %r0, -0x10").imm());
        assertEquals(Integer.MIN_VALUE, one("mov32 %r0, -2147483648").imm());
        assertEquals(0x1122334455667788L, one("lddw %r0, 0x1122334455667788").imm());
        assertEquals(-1L, one("lddw %r0, 0xFFFFFFFFFFFFFFFF").imm());
        assertEquals(Long.MIN_VALUE, one("lddw %r0, -9223372036854775808").imm());
    }

    @Test
    void memoryOperandsTakeSignedDecimalOrHexOffsets() throws Exception {
        assertEquals(Insn.of(Op.LDX_B, 0, 1, 2, 0), one("ldxb %r0, [%r1+0x2]"));
        assertEquals(Insn.of(Op.LDX_DW, 0, 10, -8, 0), one("ldxdw %r0, [%r10-8]"));
        assertEquals(Insn.of(Op.LDX_H, 0, 1, 0, 0), one("ldxh %r0, [%r1]"));
        assertEquals(Insn.of(Op.ST_W, 10, 0, -4, 0x44332211), one("stw [%r10 - 4], 0x44332211"));
        assertEquals(Insn.of(Op.STX_DW, 1, 2, 32767, 0), one("stxdw [%r1+32767], %r2"));
        assertEquals(Insn.of(Op.LDXS_W, 0, 10, -32768, 0), one("ldxsw %r0, [%r10-32768]"));
    }

    @Test
    void atomicsAreSpelledWithLockAndSelectedByImm() throws Exception {
        assertEquals(Insn.of(Op.ATOMIC64_ADD, 10, 1, -8, 0x00), one("lock add [%r10-8], %r1"));
        assertEquals(Insn.of(Op.ATOMIC32_FETCH_ADD, 10, 1, -4, 0x01), one("lock fetch add32 [%r10-4], %r1"));
        assertEquals(Insn.of(Op.ATOMIC64_FETCH_XOR, 10, 3, -8, 0xa1), one("lock fetch xor [%r10-8], %r3"));
        assertEquals(Insn.of(Op.ATOMIC64_XCHG, 10, 1, -8, 0xe1), one("lock xchg [%r10-8], %r1"));
        assertEquals(Insn.of(Op.ATOMIC32_CMPXCHG, 10, 1, -8, 0xf1), one("lock cmpxchg32 [%r10-8], %r1"));
        assertEquals(Insn.of(Op.LOAD_ACQ_DW, 0, 1, 8, 0x100), one("load_acquiredw %r0, [%r1+8]"));
    }

    @Test
    void callsSelectTheirKindByOperand() throws Exception {
        assertEquals(Insn.of(Op.CALL, 0, 0, 0, 5), one("call 5"));
        assertEquals(Insn.of(Op.CALLX, 2, 0, 0, 0), one("call %r2"));
        assertEquals(Insn.of(Op.CALLX, 2, 0, 0, 0), one("callx %r2"));
        assertEquals(Insn.of(Op.CALL_LOCAL, 0, 1, 0, 1), Assembler.assemble("call local f\nexit\nf: exit").get(0));
        assertEquals(Insn.of(Op.CALL_LOCAL, 0, 1, 0, -3), one("call local -3"));
    }

    @Test
    void aliasesAndDiscriminatedRows() throws Exception {
        assertEquals(Insn.of(Op.BSWAP16, 1, 0, 0, 16), one("swap16 %r1"));
        assertEquals(Insn.of(Op.BSWAP16, 1, 0, 0, 16), one("bswap16 %r1"));
        assertEquals(Insn.of(Op.BE64, 1, 0, 0, 64), one("be64 %r1"));
        assertEquals(Insn.of(Op.JA32, 0, 0, 0, 2), one("gotol +2"));
        assertEquals(Insn.of(Op.MOVSX32_8, 0, 1, 8, 0), one("movsx832 %r0, %r1"));
        assertEquals(Insn.of(Op.SDIV64_K, 0, 0, 1, 3), one("sdiv %r0, 3"));
        assertEquals(Insn.of(Op.NEG32, 2, 0, 0, 0), one("NEG32 %r2"));
    }

    @Test
    void labelsCountSlotsWithLddwTakingTwo() throws Exception {
        List<Insn> p = Assembler.assemble(String.join("\n",
            "  jeq %r1, 0, end   # forward, over an lddw",
            "lddw %r0, 1",
            "top:",
            "add %r0, 1",
            "jlt %r0, 9, top",
            "ja32 end",
            "end: exit"));
        assertEquals(5, p.get(0).off());
        assertEquals(-2, p.get(3).off());
        assertEquals(0, p.get(4).imm());
    }

    @Test
    void exitNamesTheFirstExitUnlessDefined() throws Exception {
        List<Insn> implicit = Assembler.assemble("jne %r0, 0, exit\nmov %r0, 1\nexit\nexit");
        assertEquals(1, implicit.get(0).off());
        List<Insn> explicit = Assembler.assemble("jne %r0, 0, exit\nexit\nexit:\nexit");
        assertEquals(1, explicit.get(0).off());
    }

    @Test
    void pseudoLddwSourcesAreWrittenKindColonImm() throws Exception {
        assertEquals(Insn.of(Op.LDDW_MAP_FD, 1, 1, 0, 3), one("lddw %r1, map_fd:3"));
        assertEquals(Insn.of(Op.LDDW_MAP_VALUE, 1, 2, 0, 16L << 32 | 3), one("lddw %r1, map_value:3:16"));
        assertEquals(Insn.of(Op.LDDW_BTF_ID, 1, 3, 0, 7), one("lddw %r1, btf_id:7"));
        assertEquals(Insn.of(Op.LDDW_MAP_IDX, 1, 5, 0, 0), one("lddw %r1, map_idx:0"));
        assertEquals(Insn.of(Op.LDDW_MAP_IDX_VALUE, 1, 6, 0, 8L << 32), one("lddw %r1, map_idx_value:0:8"));
        assertEquals(Insn.of(Op.LDDW_FUNC, 1, 4, 0, 2), Assembler.assemble("lddw %r1, func:cb\nexit\ncb: exit").get(0));
    }

    @Test
    void commentsBlankLinesAndCrlfAreIgnored() throws Exception {
        assertArrayEquals(Assembler.assembleBytes("mov %r0, 2\nexit"),
            Assembler.assembleBytes("# header\r\n\r\n   mov %r0, 2   # two\r\nexit # done\r\n"));
    }

    @Test
    void lddwDataAsmMatchesItsRawSection() throws Exception {
        DataFile t = ConformanceSuite.load("lddw.data");
        assertArrayEquals(t.raw(), Assembler.assembleBytes(t.asm()));
    }

    // ---- errors: each names the line, quotes it and says what is wrong ---------------------------

    static AsmException error(String source) {
        return assertThrows(AsmException.class, () -> Assembler.assemble(source));
    }

    static void assertError(String source, int line, String text, String problemPart) {
        AsmException e = error(source);
        assertEquals(line, e.line(), e::getMessage);
        assertEquals(text, e.text(), e::getMessage);
        assertTrue(e.problem().contains(problemPart), () -> "'" + e.getMessage() + "' should mention '" + problemPart + "'");
        assertTrue(e.getMessage().startsWith("line " + line + ": \"" + text.strip() + "\": "), e::getMessage);
    }

    @Test
    void reportsUnknownMnemonics() {
        assertError("mov %r0, 1\naddd %r0, 1", 2, "addd %r0, 1", "unknown mnemonic 'addd'");
        assertError("lock nand [%r1], %r2", 1, "lock nand [%r1], %r2", "unknown mnemonic 'lock nand'");
    }

    @Test
    void reportsBadRegistersAndOperands() {
        assertError("mov %r11, 1", 1, "mov %r11, 1", "bad register '%r11'");
        assertError("mov r1, 1", 1, "mov r1, 1", "bad operands for 'mov' (expected mov %rD, imm | mov %rD, %rS)");
        assertError("mov %r1, r2", 1, "mov %r1, r2", "registers are written %rN");
        assertError("exit %r0", 1, "exit %r0", "bad operands for 'exit'");
        assertError("add %r0,", 1, "add %r0,", "empty operand");
        assertError("ldxw %r0, [%r1*4]", 1, "ldxw %r0, [%r1*4]", "bad memory operand");
        assertError("ldxw %r0, [%r12+4]", 1, "ldxw %r0, [%r12+4]", "bad register '%r12'");
        assertError("mov %r0, 12abc", 1, "mov %r0, 12abc", "bad immediate '12abc'");
        assertError("lddw %r1, map:3", 1, "lddw %r1, map:3", "map_fd:imm[:next]");
    }

    @Test
    void reportsValuesOutOfRange() {
        assertError("mov %r0, 0x100000000", 1, "mov %r0, 0x100000000", "does not fit in 32 bits");
        assertError("lddw %r0, 0x10000000000000000", 1, "lddw %r0, 0x10000000000000000", "does not fit in 64 bits");
        assertError("ldxb %r0, [%r1+32768]", 1, "ldxb %r0, [%r1+32768]", "out of 16-bit range");
        assertError("ja +40000", 1, "ja +40000", "out of 16-bit range");
    }

    @Test
    void reportsLabelProblems() {
        assertError("ja nowhere\nexit", 1, "ja nowhere", "undefined label 'nowhere'");
        assertError("a:\nexit\na: exit", 3, "a: exit", "duplicate label 'a' (first defined on line 1)");
        assertError("ja 3\nexit", 1, "ja 3", "bad jump target '3'");
        String far = "ja end\n" + "mov %r0, 0\n".repeat(40_000) + "end: exit";
        assertError(far, 1, "ja end", "jump offset 40000 out of 16-bit range");
    }

    @Test
    void errorLineNumbersCanStartInsideALargerFile() {
        AsmException e = assertThrows(AsmException.class, () -> Assembler.assemble("exit\nbogus", 10));
        assertEquals(11, e.line());
    }
}

package dev.sonde.bpf.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonde.bpf.asm.AsmException;
import dev.sonde.bpf.asm.Assembler;
import org.junit.jupiter.api.Test;

class DataFileTest {

    @Test
    void readsEverySectionItKnowsAndIgnoresTheOthers() throws Exception {
        DataFile t = DataFile.parse("t.data", String.join("\n",
            "# Copyright header",
            "-- asm",
            "mov %r0, %r2 # length",
            "exit",
            "-- mem",
            "00 01 02 03  # first word",
            "FF fe",
            "-- no register offset",
            "call instruction",
            "-- c",
            "int main() { return 0; }",
            "-- result",
            "0x6",
            ""));
        assertEquals("mov %r0, %r2 # length\nexit", t.asm());
        assertEquals(3, t.asmLine());
        assertArrayEquals(new byte[] {0, 1, 2, 3, (byte) 0xff, (byte) 0xfe}, t.mem());
        assertEquals(6L, t.result());
        assertNull(t.raw());
        assertNull(t.error());
        assertArrayEquals(Assembler.assembleBytes("mov %r0, %r2\nexit"), t.program());
    }

    @Test
    void rawWordsOverrideTheAssemblerTextAndKeepTheOpcodeFirst() throws Exception {
        DataFile t = DataFile.parse("t.data", "-- asm\nmov %r0, 1\nexit\n-- raw\n0x00000007000000b7\n0x0000000000000095\n-- result\n7\n");
        assertArrayEquals(Assembler.assembleBytes("mov %r0, 7\nexit"), t.program());
        assertEquals(7L, t.result());
    }

    @Test
    void resultsAreHexWithOrWithoutPrefixAndMayUseAll64Bits() {
        assertEquals(0x10L, DataFile.parse("t", "-- result\n10\n").result());
        assertEquals(-1L, DataFile.parse("t", "-- result\n0xffffffffffffffff\n").result());
    }

    @Test
    void anErrorSectionIsItsText() {
        assertEquals("division by zero", DataFile.parse("t", "-- asm\nexit\n-- error\ndivision by zero\n").error());
    }

    @Test
    void noMemSectionMeansNoMemory() {
        assertNull(DataFile.parse("t", "-- asm\nexit\n-- result\n0\n").mem());
    }

    @Test
    void assemblerErrorsNameTheLineOfTheFile() {
        DataFile t = DataFile.parse("t.data", "# one\n# two\n-- asm\nmov %r0, 1\nbogus\n-- result\n0\n");
        AsmException e = assertThrows(AsmException.class, t::program);
        assertEquals(5, e.line());
    }

    @Test
    void malformedSectionsNameTheFile() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> DataFile.parse("bad.data", "-- mem\n0g\n"));
        assertTrue(e.getMessage().startsWith("bad.data: -- mem (from line 2)"), e.getMessage());
    }
}

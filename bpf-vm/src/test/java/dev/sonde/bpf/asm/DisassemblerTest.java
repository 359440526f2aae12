package dev.sonde.bpf.asm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sonde.bpf.isa.Decoder;
import dev.sonde.bpf.isa.Encoder;
import dev.sonde.bpf.isa.Insn;
import dev.sonde.bpf.isa.Op;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class DisassemblerTest {

    /** An instruction of row {@code op} with every operand field it uses set to something non-trivial. */
    static Insn sample(Op op) {
        Op.Shape s = op.shape;
        int dst = s.usesDst ? 3 : 0;
        int src = op.discr == Op.Discr.SRC ? op.discrValue : s.usesSrc ? 7 : 0;
        int off = op.discr == Op.Discr.OFF ? op.discrValue : s.usesOff ? -12 : 0;
        long imm = switch (s) {
            case LDDW -> op == Op.LDDW ? 0x8877665544332211L : (long) 16 << 32 | 5;
            case JA32, CALL_LOCAL -> -4;
            default -> op.discr == Op.Discr.IMM ? op.discrValue : s.usesImm ? -100_000 : 0;
        };
        return Insn.of(op, dst, src, off, imm);
    }

    @ParameterizedTest
    @EnumSource(Op.class)
    void everyRowReadsBackAsItself(Op op) throws Exception {
        Insn insn = sample(op);
        byte[] bytes = Encoder.encode(List.of(insn));
        assertEquals(insn, Decoder.decode(bytes)[0], "the sample must be what the decoder produces");
        String line = Disassembler.line(insn);
        assertEquals(List.of(insn), Assembler.assemble(line), line);
        assertArrayEquals(bytes, Assembler.assembleBytes(line), line);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "MOV64_K   | 1 | 0 | 0    | -1          | mov %r1, -1",
        "ADD32_X   | 1 | 2 | 0    | 0           | add32 %r1, %r2",
        "OR64_K    | 1 | 0 | 0    | 0x10000     | or %r1, 0x10000",
        "ST_W      | 10| 0 | -4   | -2147483647 | stw [%r10-4], 0x80000001",
        "LDX_W     | 0 | 1 | 4    | 0           | ldxw %r0, [%r1+4]",
        "LDX_DW    | 0 | 1 | 0    | 0           | ldxdw %r0, [%r1]",
        "STX_B     | 1 | 9 | 32767| 0           | stxb [%r1+32767], %r9",
        "JEQ64_K   | 1 | 0 | 2    | 3           | jeq %r1, 3, +2",
        "JNE32_X   | 1 | 2 | -2   | 0           | jne32 %r1, %r2, -2",
        "JA        | 0 | 0 | 0    | 0           | ja +0",
        "JA32      | 0 | 0 | 0    | -70000      | ja32 -70000",
        "CALL      | 0 | 0 | 0    | 5           | call 5",
        "CALL_LOCAL| 0 | 1 | 0    | 3           | call local +3",
        "CALLX     | 2 | 0 | 0    | 0           | call %r2",
        "EXIT      | 0 | 0 | 0    | 0           | exit",
        "NEG64     | 4 | 0 | 0    | 0           | neg %r4",
        "BE16      | 1 | 0 | 0    | 16          | be16 %r1",
        "MOVSX64_8 | 1 | 2 | 8    | 0           | movsx864 %r1, %r2",
        "ATOMIC32_FETCH_ADD | 1 | 2 | 0  | 1    | lock fetch add32 [%r1], %r2",
        "ATOMIC64_CMPXCHG   | 10| 1 | -8 | 241  | lock cmpxchg [%r10-8], %r1",
        "LDDW      | 0 | 0 | 0    | -1          | lddw %r0, 0xffffffffffffffff",
        "LDDW_MAP_FD | 1 | 1 | 0  | 3           | lddw %r1, map_fd:3",
        "LDDW_MAP_VALUE | 1 | 2 | 0 | 68719476739 | lddw %r1, map_value:3:16",
        "LDDW_FUNC | 1 | 4 | 0    | -2          | lddw %r1, func:-2:-1",
    })
    void writesTheSuiteSyntax(Op op, int dst, int src, int off, long imm, String expected) {
        assertEquals(expected, Disassembler.line(Insn.of(op, dst, src, off, imm)));
    }

    @Test
    void writesOneLinePerInstructionAndSkipsTheSecondLddwSlot() throws Exception {
        byte[] bytes = Assembler.assembleBytes("lddw %r0, 0x1122334455667788\nexit");
        assertEquals("lddw %r0, 0x1122334455667788\nexit\n", Disassembler.disassemble(bytes));
        assertEquals("lddw %r0, 0x1122334455667788\nexit\n", Disassembler.disassemble(Decoder.decode(bytes)));
    }
}

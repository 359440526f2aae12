package dev.sonde.bpf.isa;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The instruction table: one row per operation of the eBPF instruction set (RFC 9669), plus the
 * load-acquire/store-release extension of Linux 6.15 that clang 21+ emits with {@code -mcpu=v4}.
 *
 * <p>This is the only place that knows encodings. The decoder, the encoder, the assembler, the
 * disassembler, the interpreter (through {@link #code}), the verifier and the JIT all read it.
 *
 * <p>Several operations share one opcode byte and differ in another field (the <em>discriminator</em>):
 * signed division and MOVSX by {@code off}, byte swaps and atomics by {@code imm}, call and
 * {@code lddw} kinds by {@code src}. Each such operation gets a distinct {@code variant}, and
 * {@link #code} = {@code opcode | variant << 8} is the dense internal code that the pre-decoded
 * program and the interpreter's switch use, so that no run-time step looks at a discriminator again.
 */
public enum Op {
    ADD32_K(0x04, 0, Discr.NONE, 0, Shape.ALU_K, Group.BASE32, 1, "add32"),  // code 0x004
    ADD32_X(0x0c, 0, Discr.NONE, 0, Shape.ALU_X, Group.BASE32, 1, "add32"),  // code 0x00c
    SUB32_K(0x14, 0, Discr.NONE, 0, Shape.ALU_K, Group.BASE32, 1, "sub32"),  // code 0x014
    SUB32_X(0x1c, 0, Discr.NONE, 0, Shape.ALU_X, Group.BASE32, 1, "sub32"),  // code 0x01c
    MUL32_K(0x24, 0, Discr.NONE, 0, Shape.ALU_K, Group.DIVMUL32, 1, "mul32"),  // code 0x024
    MUL32_X(0x2c, 0, Discr.NONE, 0, Shape.ALU_X, Group.DIVMUL32, 1, "mul32"),  // code 0x02c
    DIV32_K(0x34, 0, Discr.OFF, 0, Shape.ALU_K, Group.DIVMUL32, 1, "div32"),  // code 0x034
    DIV32_X(0x3c, 0, Discr.OFF, 0, Shape.ALU_X, Group.DIVMUL32, 1, "div32"),  // code 0x03c
    SDIV32_K(0x34, 1, Discr.OFF, 1, Shape.ALU_K, Group.DIVMUL32, 4, "sdiv32"),  // code 0x134
    SDIV32_X(0x3c, 1, Discr.OFF, 1, Shape.ALU_X, Group.DIVMUL32, 4, "sdiv32"),  // code 0x13c
    OR32_K(0x44, 0, Discr.NONE, 0, Shape.ALU_K, Group.BASE32, 1, "or32"),  // code 0x044
    OR32_X(0x4c, 0, Discr.NONE, 0, Shape.ALU_X, Group.BASE32, 1, "or32"),  // code 0x04c
    AND32_K(0x54, 0, Discr.NONE, 0, Shape.ALU_K, Group.BASE32, 1, "and32"),  // code 0x054
    AND32_X(0x5c, 0, Discr.NONE, 0, Shape.ALU_X, Group.BASE32, 1, "and32"),  // code 0x05c
    LSH32_K(0x64, 0, Discr.NONE, 0, Shape.ALU_K, Group.BASE32, 1, "lsh32"),  // code 0x064
    LSH32_X(0x6c, 0, Discr.NONE, 0, Shape.ALU_X, Group.BASE32, 1, "lsh32"),  // code 0x06c
    RSH32_K(0x74, 0, Discr.NONE, 0, Shape.ALU_K, Group.BASE32, 1, "rsh32"),  // code 0x074
    RSH32_X(0x7c, 0, Discr.NONE, 0, Shape.ALU_X, Group.BASE32, 1, "rsh32"),  // code 0x07c
    MOD32_K(0x94, 0, Discr.OFF, 0, Shape.ALU_K, Group.DIVMUL32, 1, "mod32"),  // code 0x094
    MOD32_X(0x9c, 0, Discr.OFF, 0, Shape.ALU_X, Group.DIVMUL32, 1, "mod32"),  // code 0x09c
    SMOD32_K(0x94, 1, Discr.OFF, 1, Shape.ALU_K, Group.DIVMUL32, 4, "smod32"),  // code 0x194
    SMOD32_X(0x9c, 1, Discr.OFF, 1, Shape.ALU_X, Group.DIVMUL32, 4, "smod32"),  // code 0x19c
    XOR32_K(0xa4, 0, Discr.NONE, 0, Shape.ALU_K, Group.BASE32, 1, "xor32"),  // code 0x0a4
    XOR32_X(0xac, 0, Discr.NONE, 0, Shape.ALU_X, Group.BASE32, 1, "xor32"),  // code 0x0ac
    MOV32_K(0xb4, 0, Discr.OFF, 0, Shape.ALU_K, Group.BASE32, 1, "mov32"),  // code 0x0b4
    MOV32_X(0xbc, 0, Discr.OFF, 0, Shape.ALU_X, Group.BASE32, 1, "mov32"),  // code 0x0bc
    MOVSX32_8(0xbc, 1, Discr.OFF, 8, Shape.MOVSX, Group.BASE32, 4, "movsx832"),  // code 0x1bc
    MOVSX32_16(0xbc, 2, Discr.OFF, 16, Shape.MOVSX, Group.BASE32, 4, "movsx1632"),  // code 0x2bc
    ARSH32_K(0xc4, 0, Discr.NONE, 0, Shape.ALU_K, Group.BASE32, 1, "arsh32"),  // code 0x0c4
    ARSH32_X(0xcc, 0, Discr.NONE, 0, Shape.ALU_X, Group.BASE32, 1, "arsh32"),  // code 0x0cc
    NEG32(0x84, 0, Discr.NONE, 0, Shape.UNARY, Group.BASE32, 1, "neg32"),  // code 0x084
    ADD64_K(0x07, 0, Discr.NONE, 0, Shape.ALU_K, Group.BASE64, 1, "add"),  // code 0x007
    ADD64_X(0x0f, 0, Discr.NONE, 0, Shape.ALU_X, Group.BASE64, 1, "add"),  // code 0x00f
    SUB64_K(0x17, 0, Discr.NONE, 0, Shape.ALU_K, Group.BASE64, 1, "sub"),  // code 0x017
    SUB64_X(0x1f, 0, Discr.NONE, 0, Shape.ALU_X, Group.BASE64, 1, "sub"),  // code 0x01f
    MUL64_K(0x27, 0, Discr.NONE, 0, Shape.ALU_K, Group.DIVMUL64, 1, "mul"),  // code 0x027
    MUL64_X(0x2f, 0, Discr.NONE, 0, Shape.ALU_X, Group.DIVMUL64, 1, "mul"),  // code 0x02f
    DIV64_K(0x37, 0, Discr.OFF, 0, Shape.ALU_K, Group.DIVMUL64, 1, "div"),  // code 0x037
    DIV64_X(0x3f, 0, Discr.OFF, 0, Shape.ALU_X, Group.DIVMUL64, 1, "div"),  // code 0x03f
    SDIV64_K(0x37, 1, Discr.OFF, 1, Shape.ALU_K, Group.DIVMUL64, 4, "sdiv"),  // code 0x137
    SDIV64_X(0x3f, 1, Discr.OFF, 1, Shape.ALU_X, Group.DIVMUL64, 4, "sdiv"),  // code 0x13f
    OR64_K(0x47, 0, Discr.NONE, 0, Shape.ALU_K, Group.BASE64, 1, "or"),  // code 0x047
    OR64_X(0x4f, 0, Discr.NONE, 0, Shape.ALU_X, Group.BASE64, 1, "or"),  // code 0x04f
    AND64_K(0x57, 0, Discr.NONE, 0, Shape.ALU_K, Group.BASE64, 1, "and"),  // code 0x057
    AND64_X(0x5f, 0, Discr.NONE, 0, Shape.ALU_X, Group.BASE64, 1, "and"),  // code 0x05f
    LSH64_K(0x67, 0, Discr.NONE, 0, Shape.ALU_K, Group.BASE64, 1, "lsh"),  // code 0x067
    LSH64_X(0x6f, 0, Discr.NONE, 0, Shape.ALU_X, Group.BASE64, 1, "lsh"),  // code 0x06f
    RSH64_K(0x77, 0, Discr.NONE, 0, Shape.ALU_K, Group.BASE64, 1, "rsh"),  // code 0x077
    RSH64_X(0x7f, 0, Discr.NONE, 0, Shape.ALU_X, Group.BASE64, 1, "rsh"),  // code 0x07f
    MOD64_K(0x97, 0, Discr.OFF, 0, Shape.ALU_K, Group.DIVMUL64, 1, "mod"),  // code 0x097
    MOD64_X(0x9f, 0, Discr.OFF, 0, Shape.ALU_X, Group.DIVMUL64, 1, "mod"),  // code 0x09f
    SMOD64_K(0x97, 1, Discr.OFF, 1, Shape.ALU_K, Group.DIVMUL64, 4, "smod"),  // code 0x197
    SMOD64_X(0x9f, 1, Discr.OFF, 1, Shape.ALU_X, Group.DIVMUL64, 4, "smod"),  // code 0x19f
    XOR64_K(0xa7, 0, Discr.NONE, 0, Shape.ALU_K, Group.BASE64, 1, "xor"),  // code 0x0a7
    XOR64_X(0xaf, 0, Discr.NONE, 0, Shape.ALU_X, Group.BASE64, 1, "xor"),  // code 0x0af
    MOV64_K(0xb7, 0, Discr.OFF, 0, Shape.ALU_K, Group.BASE64, 1, "mov"),  // code 0x0b7
    MOV64_X(0xbf, 0, Discr.OFF, 0, Shape.ALU_X, Group.BASE64, 1, "mov"),  // code 0x0bf
    MOVSX64_8(0xbf, 1, Discr.OFF, 8, Shape.MOVSX, Group.BASE64, 4, "movsx864"),  // code 0x1bf
    MOVSX64_16(0xbf, 2, Discr.OFF, 16, Shape.MOVSX, Group.BASE64, 4, "movsx1664"),  // code 0x2bf
    MOVSX64_32(0xbf, 3, Discr.OFF, 32, Shape.MOVSX, Group.BASE64, 4, "movsx3264"),  // code 0x3bf
    ARSH64_K(0xc7, 0, Discr.NONE, 0, Shape.ALU_K, Group.BASE64, 1, "arsh"),  // code 0x0c7
    ARSH64_X(0xcf, 0, Discr.NONE, 0, Shape.ALU_X, Group.BASE64, 1, "arsh"),  // code 0x0cf
    NEG64(0x87, 0, Discr.NONE, 0, Shape.UNARY, Group.BASE64, 1, "neg"),  // code 0x087
    LE16(0xd4, 1, Discr.IMM, 16, Shape.END, Group.BASE32, 1, "le16"),  // code 0x1d4
    LE32(0xd4, 2, Discr.IMM, 32, Shape.END, Group.BASE32, 1, "le32"),  // code 0x2d4
    LE64(0xd4, 3, Discr.IMM, 64, Shape.END, Group.BASE64, 1, "le64"),  // code 0x3d4
    BE16(0xdc, 1, Discr.IMM, 16, Shape.END, Group.BASE32, 1, "be16"),  // code 0x1dc
    BE32(0xdc, 2, Discr.IMM, 32, Shape.END, Group.BASE32, 1, "be32"),  // code 0x2dc
    BE64(0xdc, 3, Discr.IMM, 64, Shape.END, Group.BASE64, 1, "be64"),  // code 0x3dc
    BSWAP16(0xd7, 1, Discr.IMM, 16, Shape.END, Group.BASE32, 4, "bswap16", "swap16"),  // code 0x1d7
    BSWAP32(0xd7, 2, Discr.IMM, 32, Shape.END, Group.BASE32, 4, "bswap32", "swap32"),  // code 0x2d7
    BSWAP64(0xd7, 3, Discr.IMM, 64, Shape.END, Group.BASE64, 4, "bswap64", "swap64"),  // code 0x3d7
    JA(0x05, 0, Discr.NONE, 0, Shape.JA, Group.BASE32, 1, "ja"),  // code 0x005
    JA32(0x06, 0, Discr.NONE, 0, Shape.JA32, Group.BASE32, 4, "ja32", "gotol"),  // code 0x006
    JEQ64_K(0x15, 0, Discr.NONE, 0, Shape.JMP_K, Group.BASE64, 1, "jeq"),  // code 0x015
    JEQ64_X(0x1d, 0, Discr.NONE, 0, Shape.JMP_X, Group.BASE64, 1, "jeq"),  // code 0x01d
    JGT64_K(0x25, 0, Discr.NONE, 0, Shape.JMP_K, Group.BASE64, 1, "jgt"),  // code 0x025
    JGT64_X(0x2d, 0, Discr.NONE, 0, Shape.JMP_X, Group.BASE64, 1, "jgt"),  // code 0x02d
    JGE64_K(0x35, 0, Discr.NONE, 0, Shape.JMP_K, Group.BASE64, 1, "jge"),  // code 0x035
    JGE64_X(0x3d, 0, Discr.NONE, 0, Shape.JMP_X, Group.BASE64, 1, "jge"),  // code 0x03d
    JSET64_K(0x45, 0, Discr.NONE, 0, Shape.JMP_K, Group.BASE64, 1, "jset"),  // code 0x045
    JSET64_X(0x4d, 0, Discr.NONE, 0, Shape.JMP_X, Group.BASE64, 1, "jset"),  // code 0x04d
    JNE64_K(0x55, 0, Discr.NONE, 0, Shape.JMP_K, Group.BASE64, 1, "jne"),  // code 0x055
    JNE64_X(0x5d, 0, Discr.NONE, 0, Shape.JMP_X, Group.BASE64, 1, "jne"),  // code 0x05d
    JSGT64_K(0x65, 0, Discr.NONE, 0, Shape.JMP_K, Group.BASE64, 1, "jsgt"),  // code 0x065
    JSGT64_X(0x6d, 0, Discr.NONE, 0, Shape.JMP_X, Group.BASE64, 1, "jsgt"),  // code 0x06d
    JSGE64_K(0x75, 0, Discr.NONE, 0, Shape.JMP_K, Group.BASE64, 1, "jsge"),  // code 0x075
    JSGE64_X(0x7d, 0, Discr.NONE, 0, Shape.JMP_X, Group.BASE64, 1, "jsge"),  // code 0x07d
    JLT64_K(0xa5, 0, Discr.NONE, 0, Shape.JMP_K, Group.BASE64, 2, "jlt"),  // code 0x0a5
    JLT64_X(0xad, 0, Discr.NONE, 0, Shape.JMP_X, Group.BASE64, 2, "jlt"),  // code 0x0ad
    JLE64_K(0xb5, 0, Discr.NONE, 0, Shape.JMP_K, Group.BASE64, 2, "jle"),  // code 0x0b5
    JLE64_X(0xbd, 0, Discr.NONE, 0, Shape.JMP_X, Group.BASE64, 2, "jle"),  // code 0x0bd
    JSLT64_K(0xc5, 0, Discr.NONE, 0, Shape.JMP_K, Group.BASE64, 2, "jslt"),  // code 0x0c5
    JSLT64_X(0xcd, 0, Discr.NONE, 0, Shape.JMP_X, Group.BASE64, 2, "jslt"),  // code 0x0cd
    JSLE64_K(0xd5, 0, Discr.NONE, 0, Shape.JMP_K, Group.BASE64, 2, "jsle"),  // code 0x0d5
    JSLE64_X(0xdd, 0, Discr.NONE, 0, Shape.JMP_X, Group.BASE64, 2, "jsle"),  // code 0x0dd
    JEQ32_K(0x16, 0, Discr.NONE, 0, Shape.JMP_K, Group.BASE32, 3, "jeq32"),  // code 0x016
    JEQ32_X(0x1e, 0, Discr.NONE, 0, Shape.JMP_X, Group.BASE32, 3, "jeq32"),  // code 0x01e
    JGT32_K(0x26, 0, Discr.NONE, 0, Shape.JMP_K, Group.BASE32, 3, "jgt32"),  // code 0x026
    JGT32_X(0x2e, 0, Discr.NONE, 0, Shape.JMP_X, Group.BASE32, 3, "jgt32"),  // code 0x02e
    JGE32_K(0x36, 0, Discr.NONE, 0, Shape.JMP_K, Group.BASE32, 3, "jge32"),  // code 0x036
    JGE32_X(0x3e, 0, Discr.NONE, 0, Shape.JMP_X, Group.BASE32, 3, "jge32"),  // code 0x03e
    JSET32_K(0x46, 0, Discr.NONE, 0, Shape.JMP_K, Group.BASE32, 3, "jset32"),  // code 0x046
    JSET32_X(0x4e, 0, Discr.NONE, 0, Shape.JMP_X, Group.BASE32, 3, "jset32"),  // code 0x04e
    JNE32_K(0x56, 0, Discr.NONE, 0, Shape.JMP_K, Group.BASE32, 3, "jne32"),  // code 0x056
    JNE32_X(0x5e, 0, Discr.NONE, 0, Shape.JMP_X, Group.BASE32, 3, "jne32"),  // code 0x05e
    JSGT32_K(0x66, 0, Discr.NONE, 0, Shape.JMP_K, Group.BASE32, 3, "jsgt32"),  // code 0x066
    JSGT32_X(0x6e, 0, Discr.NONE, 0, Shape.JMP_X, Group.BASE32, 3, "jsgt32"),  // code 0x06e
    JSGE32_K(0x76, 0, Discr.NONE, 0, Shape.JMP_K, Group.BASE32, 3, "jsge32"),  // code 0x076
    JSGE32_X(0x7e, 0, Discr.NONE, 0, Shape.JMP_X, Group.BASE32, 3, "jsge32"),  // code 0x07e
    JLT32_K(0xa6, 0, Discr.NONE, 0, Shape.JMP_K, Group.BASE32, 3, "jlt32"),  // code 0x0a6
    JLT32_X(0xae, 0, Discr.NONE, 0, Shape.JMP_X, Group.BASE32, 3, "jlt32"),  // code 0x0ae
    JLE32_K(0xb6, 0, Discr.NONE, 0, Shape.JMP_K, Group.BASE32, 3, "jle32"),  // code 0x0b6
    JLE32_X(0xbe, 0, Discr.NONE, 0, Shape.JMP_X, Group.BASE32, 3, "jle32"),  // code 0x0be
    JSLT32_K(0xc6, 0, Discr.NONE, 0, Shape.JMP_K, Group.BASE32, 3, "jslt32"),  // code 0x0c6
    JSLT32_X(0xce, 0, Discr.NONE, 0, Shape.JMP_X, Group.BASE32, 3, "jslt32"),  // code 0x0ce
    JSLE32_K(0xd6, 0, Discr.NONE, 0, Shape.JMP_K, Group.BASE32, 3, "jsle32"),  // code 0x0d6
    JSLE32_X(0xde, 0, Discr.NONE, 0, Shape.JMP_X, Group.BASE32, 3, "jsle32"),  // code 0x0de
    CALL(0x85, 0, Discr.SRC, 0, Shape.CALL, Group.BASE32, 1, "call"),  // code 0x085
    CALL_LOCAL(0x85, 1, Discr.SRC, 1, Shape.CALL_LOCAL, Group.BASE32, 1, "call"),  // code 0x185
    CALLX(0x8d, 0, Discr.NONE, 0, Shape.CALLX, Group.CALLX, 1, "call", "callx"),  // code 0x08d
    EXIT(0x95, 0, Discr.NONE, 0, Shape.EXIT, Group.BASE32, 1, "exit"),  // code 0x095
    LDX_W(0x61, 0, Discr.NONE, 0, Shape.LDX, Group.BASE32, 1, "ldxw"),  // code 0x061
    LDX_H(0x69, 0, Discr.NONE, 0, Shape.LDX, Group.BASE32, 1, "ldxh"),  // code 0x069
    LDX_B(0x71, 0, Discr.NONE, 0, Shape.LDX, Group.BASE32, 1, "ldxb"),  // code 0x071
    LDX_DW(0x79, 0, Discr.NONE, 0, Shape.LDX, Group.BASE64, 1, "ldxdw"),  // code 0x079
    LDXS_W(0x81, 0, Discr.NONE, 0, Shape.LDX, Group.BASE32, 4, "ldxsw"),  // code 0x081
    LDXS_H(0x89, 0, Discr.NONE, 0, Shape.LDX, Group.BASE32, 4, "ldxsh"),  // code 0x089
    LDXS_B(0x91, 0, Discr.NONE, 0, Shape.LDX, Group.BASE32, 4, "ldxsb"),  // code 0x091
    ST_W(0x62, 0, Discr.NONE, 0, Shape.ST, Group.BASE32, 1, "stw"),  // code 0x062
    ST_H(0x6a, 0, Discr.NONE, 0, Shape.ST, Group.BASE32, 1, "sth"),  // code 0x06a
    ST_B(0x72, 0, Discr.NONE, 0, Shape.ST, Group.BASE32, 1, "stb"),  // code 0x072
    ST_DW(0x7a, 0, Discr.NONE, 0, Shape.ST, Group.BASE64, 1, "stdw"),  // code 0x07a
    STX_W(0x63, 0, Discr.NONE, 0, Shape.STX, Group.BASE32, 1, "stxw"),  // code 0x063
    STX_H(0x6b, 0, Discr.NONE, 0, Shape.STX, Group.BASE32, 1, "stxh"),  // code 0x06b
    STX_B(0x73, 0, Discr.NONE, 0, Shape.STX, Group.BASE32, 1, "stxb"),  // code 0x073
    STX_DW(0x7b, 0, Discr.NONE, 0, Shape.STX, Group.BASE64, 1, "stxdw"),  // code 0x07b
    ATOMIC32_ADD(0xc3, 1, Discr.IMM, 0, Shape.ATOMIC, Group.ATOMIC32, 1, "lock add32"),  // code 0x1c3
    ATOMIC32_OR(0xc3, 2, Discr.IMM, 64, Shape.ATOMIC, Group.ATOMIC32, 3, "lock or32"),  // code 0x2c3
    ATOMIC32_AND(0xc3, 3, Discr.IMM, 80, Shape.ATOMIC, Group.ATOMIC32, 3, "lock and32"),  // code 0x3c3
    ATOMIC32_XOR(0xc3, 4, Discr.IMM, 160, Shape.ATOMIC, Group.ATOMIC32, 3, "lock xor32"),  // code 0x4c3
    ATOMIC32_FETCH_ADD(0xc3, 5, Discr.IMM, 1, Shape.ATOMIC, Group.ATOMIC32, 3, "lock fetch add32"),  // code 0x5c3
    ATOMIC32_FETCH_OR(0xc3, 6, Discr.IMM, 65, Shape.ATOMIC, Group.ATOMIC32, 3, "lock fetch or32"),  // code 0x6c3
    ATOMIC32_FETCH_AND(0xc3, 7, Discr.IMM, 81, Shape.ATOMIC, Group.ATOMIC32, 3, "lock fetch and32"),  // code 0x7c3
    ATOMIC32_FETCH_XOR(0xc3, 8, Discr.IMM, 161, Shape.ATOMIC, Group.ATOMIC32, 3, "lock fetch xor32"),  // code 0x8c3
    ATOMIC32_XCHG(0xc3, 9, Discr.IMM, 225, Shape.ATOMIC, Group.ATOMIC32, 3, "lock xchg32"),  // code 0x9c3
    ATOMIC32_CMPXCHG(0xc3, 10, Discr.IMM, 241, Shape.ATOMIC, Group.ATOMIC32, 3, "lock cmpxchg32"),  // code 0xac3
    ATOMIC64_ADD(0xdb, 1, Discr.IMM, 0, Shape.ATOMIC, Group.ATOMIC64, 1, "lock add"),  // code 0x1db
    ATOMIC64_OR(0xdb, 2, Discr.IMM, 64, Shape.ATOMIC, Group.ATOMIC64, 3, "lock or"),  // code 0x2db
    ATOMIC64_AND(0xdb, 3, Discr.IMM, 80, Shape.ATOMIC, Group.ATOMIC64, 3, "lock and"),  // code 0x3db
    ATOMIC64_XOR(0xdb, 4, Discr.IMM, 160, Shape.ATOMIC, Group.ATOMIC64, 3, "lock xor"),  // code 0x4db
    ATOMIC64_FETCH_ADD(0xdb, 5, Discr.IMM, 1, Shape.ATOMIC, Group.ATOMIC64, 3, "lock fetch add"),  // code 0x5db
    ATOMIC64_FETCH_OR(0xdb, 6, Discr.IMM, 65, Shape.ATOMIC, Group.ATOMIC64, 3, "lock fetch or"),  // code 0x6db
    ATOMIC64_FETCH_AND(0xdb, 7, Discr.IMM, 81, Shape.ATOMIC, Group.ATOMIC64, 3, "lock fetch and"),  // code 0x7db
    ATOMIC64_FETCH_XOR(0xdb, 8, Discr.IMM, 161, Shape.ATOMIC, Group.ATOMIC64, 3, "lock fetch xor"),  // code 0x8db
    ATOMIC64_XCHG(0xdb, 9, Discr.IMM, 225, Shape.ATOMIC, Group.ATOMIC64, 3, "lock xchg"),  // code 0x9db
    ATOMIC64_CMPXCHG(0xdb, 10, Discr.IMM, 241, Shape.ATOMIC, Group.ATOMIC64, 3, "lock cmpxchg"),  // code 0xadb
    LOAD_ACQ_B(0xd3, 11, Discr.IMM, 256, Shape.LOAD_ACQ, Group.ATOMIC32, 4, "load_acquireb"),  // code 0xbd3
    STORE_REL_B(0xd3, 12, Discr.IMM, 272, Shape.STORE_REL, Group.ATOMIC32, 4, "store_releaseb"),  // code 0xcd3
    LOAD_ACQ_H(0xcb, 11, Discr.IMM, 256, Shape.LOAD_ACQ, Group.ATOMIC32, 4, "load_acquireh"),  // code 0xbcb
    STORE_REL_H(0xcb, 12, Discr.IMM, 272, Shape.STORE_REL, Group.ATOMIC32, 4, "store_releaseh"),  // code 0xccb
    LOAD_ACQ_W(0xc3, 11, Discr.IMM, 256, Shape.LOAD_ACQ, Group.ATOMIC32, 4, "load_acquirew"),  // code 0xbc3
    STORE_REL_W(0xc3, 12, Discr.IMM, 272, Shape.STORE_REL, Group.ATOMIC32, 4, "store_releasew"),  // code 0xcc3
    LOAD_ACQ_DW(0xdb, 11, Discr.IMM, 256, Shape.LOAD_ACQ, Group.ATOMIC64, 4, "load_acquiredw"),  // code 0xbdb
    STORE_REL_DW(0xdb, 12, Discr.IMM, 272, Shape.STORE_REL, Group.ATOMIC64, 4, "store_releasedw"),  // code 0xcdb
    LDDW(0x18, 0, Discr.SRC, 0, Shape.LDDW, Group.BASE64, 1, "lddw"),  // code 0x018
    LDDW_MAP_FD(0x18, 1, Discr.SRC, 1, Shape.LDDW, Group.BASE64, 1, "lddw"),  // code 0x118
    LDDW_MAP_VALUE(0x18, 2, Discr.SRC, 2, Shape.LDDW, Group.BASE64, 1, "lddw"),  // code 0x218
    LDDW_BTF_ID(0x18, 3, Discr.SRC, 3, Shape.LDDW, Group.BASE64, 1, "lddw"),  // code 0x318
    LDDW_FUNC(0x18, 4, Discr.SRC, 4, Shape.LDDW, Group.BASE64, 1, "lddw"),  // code 0x418
    LDDW_MAP_IDX(0x18, 5, Discr.SRC, 5, Shape.LDDW, Group.BASE64, 1, "lddw"),  // code 0x518
    LDDW_MAP_IDX_VALUE(0x18, 6, Discr.SRC, 6, Shape.LDDW, Group.BASE64, 1, "lddw");  // code 0x618

    /** Which field, besides the opcode byte, selects the row. */
    public enum Discr { NONE, OFF, IMM, SRC }

    /** Operand form: which fields carry operands (the others must be zero) and how assembly spells them. */
    public enum Shape {
        /** {@code op dst, imm}. */
        ALU_K(true, false, false, true),
        /** {@code op dst, src}. */
        ALU_X(true, true, false, false),
        /** {@code neg dst}. */
        UNARY(true, false, false, false),
        /** {@code movsxNW dst, src}; off is the discriminator. */
        MOVSX(true, true, false, false),
        /** {@code be16 dst}; imm is the discriminator. */
        END(true, false, false, false),
        /** {@code op dst, imm, target}. */
        JMP_K(true, false, true, true),
        /** {@code op dst, src, target}. */
        JMP_X(true, true, true, false),
        /** {@code ja target} with a 16-bit offset. */
        JA(false, false, true, false),
        /** {@code ja32 target}: the offset is in imm. */
        JA32(false, false, false, true),
        /** {@code call helper-id}. */
        CALL(false, false, false, true),
        /** {@code call local target}: pc-relative in imm. */
        CALL_LOCAL(false, false, false, true),
        /** {@code call %rN}: helper id in a register, named by dst. */
        CALLX(true, false, false, false),
        /** {@code exit}. */
        EXIT(false, false, false, false),
        /** {@code ldxw dst, [src+off]}. */
        LDX(true, true, true, false),
        /** {@code stw [dst+off], imm}. */
        ST(true, false, true, true),
        /** {@code stxw [dst+off], src}. */
        STX(true, true, true, false),
        /** {@code lock add [dst+off], src}; imm is the discriminator. */
        ATOMIC(true, true, true, false),
        /** {@code load_acquirew dst, [src+off]}. */
        LOAD_ACQ(true, true, true, false),
        /** {@code store_releasew [dst+off], src}. */
        STORE_REL(true, true, true, false),
        /** {@code lddw dst, imm64}: two slots; src is the discriminator. */
        LDDW(true, false, false, true);

        public final boolean usesDst;
        public final boolean usesSrc;
        public final boolean usesOff;
        public final boolean usesImm;

        Shape(boolean usesDst, boolean usesSrc, boolean usesOff, boolean usesImm) {
            this.usesDst = usesDst;
            this.usesSrc = usesSrc;
            this.usesOff = usesOff;
            this.usesImm = usesImm;
        }
    }

    /** The conformance groups of RFC 9669 (the historical packet group is never accepted). */
    public enum Group { BASE32, BASE64, ATOMIC32, ATOMIC64, DIVMUL32, DIVMUL64, CALLX }

    /** The RFC opcode byte. */
    public final int opcode;
    /** Distinguishes the rows that share {@link #opcode}; 0 for the plain one. */
    public final int variant;
    /** Internal dense code: {@code opcode | variant << 8}, unique per row. */
    public final int code;
    public final Discr discr;
    /** The value the discriminating field must hold. */
    public final int discrValue;
    public final Shape shape;
    public final Group group;
    /** The first clang {@code -mcpu} level that emits it. */
    public final int minCpu;
    /** The assembler mnemonic; for atomics it includes {@code lock}. */
    public final String mnemonic;
    /** Other spellings the assembler accepts. */
    public final List<String> aliases;

    Op(int opcode, int variant, Discr discr, int discrValue, Shape shape, Group group, int minCpu,
       String mnemonic, String... aliases) {
        this.opcode = opcode;
        this.variant = variant;
        this.code = opcode | variant << 8;
        this.discr = discr;
        this.discrValue = discrValue;
        this.shape = shape;
        this.group = group;
        this.minCpu = minCpu;
        this.mnemonic = mnemonic;
        this.aliases = List.of(aliases);
    }

    /** Internal codes are below this. */
    public static final int CODE_LIMIT = 1 << 12;

    private static final List<List<Op>> BY_OPCODE;
    private static final Op[] BY_CODE = new Op[CODE_LIMIT];

    static {
        List<List<Op>> byOpcode = new ArrayList<>(256);
        for (int i = 0; i < 256; i++) {
            byOpcode.add(new ArrayList<>(2));
        }
        for (Op op : values()) {
            byOpcode.get(op.opcode).add(op);
            if (BY_CODE[op.code] != null) {
                throw new AssertionError("duplicate code " + op + " " + BY_CODE[op.code]);
            }
            BY_CODE[op.code] = op;
        }
        for (int i = 0; i < 256; i++) {
            byOpcode.set(i, Collections.unmodifiableList(byOpcode.get(i)));
        }
        BY_OPCODE = Collections.unmodifiableList(byOpcode);
    }

    /** The rows with this opcode byte (empty when the byte is no instruction). */
    public static List<Op> withOpcode(int opcode) {
        return BY_OPCODE.get(opcode & 0xff);
    }

    /** The row with this internal code, or null. */
    public static Op ofCode(int code) {
        return code >= 0 && code < CODE_LIMIT ? BY_CODE[code] : null;
    }

    /**
     * The row that the given fields select, or null if the opcode byte is no instruction or the
     * discriminating field holds a value that no row has.
     */
    public static Op lookup(int opcode, int src, int off, int imm) {
        for (Op op : withOpcode(opcode)) {
            int field = switch (op.discr) {
                case NONE -> op.discrValue;
                case OFF -> off;
                case IMM -> imm;
                case SRC -> src;
            };
            if (field == op.discrValue) {
                return op;
            }
        }
        return null;
    }

    /** Access width in bytes of a load, store or atomic; 0 for other operations. */
    public int accessSize() {
        return switch (shape) {
            case LDX, ST, STX, ATOMIC, LOAD_ACQ, STORE_REL -> switch ((opcode >> 3) & 3) {
                case 0 -> 4;
                case 1 -> 2;
                case 2 -> 1;
                default -> 8;
            };
            default -> 0;
        };
    }

    /** True for conditional and unconditional jumps (not calls, not exit). */
    public boolean isJump() {
        return shape == Shape.JMP_K || shape == Shape.JMP_X || shape == Shape.JA || shape == Shape.JA32;
    }

    /** True for the instructions that occupy two slots. */
    public boolean isWide() {
        return shape == Shape.LDDW;
    }
}

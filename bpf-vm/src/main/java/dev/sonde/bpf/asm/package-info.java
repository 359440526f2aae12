/**
 * The eBPF assembler and disassembler, in the text syntax of the bpf_conformance suite's
 * {@code -- asm} sections.
 *
 * <h2>Syntax</h2>
 * <pre>
 * line      := [label ':']... [instruction] ['#' comment]
 * operand   := %rN                 register, N = 0..10
 *            | [%rN] | [%rN+off] | [%rN-off]   memory, off a signed 16-bit number
 *            | number              immediate: decimal or 0x hex, optional '-'
 *            | label | +n | -n     jump target: a label, or n slots after the next instruction
 *            | local target        a program-local call target
 * </pre>
 * Mnemonics and aliases are those of {@link dev.sonde.bpf.isa.Op} (lower case; several words for
 * atomics: {@code lock fetch add32}). The operand forms follow the row's shape:
 * <pre>
 * add %r1, 5         add %r1, %r2         neg %r1            be16 %r1     bswap64 %r1
 * movsx832 %r1, %r2  ldxw %r0, [%r1+4]    stw [%r10-4], 7    stxdw [%r10-8], %r1
 * lock add [%r10-8], %r1       lock fetch xor32 [%r1], %r2   lock cmpxchg [%r1+8], %r3
 * jeq %r1, 3, done   jne32 %r1, %r2, -2   ja +1              ja32 far     (alias gotol)
 * call 5             call local func      call %r2 (callx, register in dst; alias callx)
 * exit               lddw %r0, 0x1122334455667788
 * </pre>
 * A second operand that is a register selects the X form; anything else selects the K form.
 * 32-bit immediates accept -2^31..2^32-1 (so {@code -1} and {@code 0xffffffff} are the same
 * field); {@code lddw} accepts any 64-bit value, signed or unsigned.
 *
 * <p><b>Labels.</b> A label names the slot of the next instruction. As in the bpf_conformance
 * assembler, the name {@code exit}, if not defined, names the first {@code exit} instruction.
 * Offsets are counted in 8-byte slots; an {@code lddw} takes two.
 *
 * <p><b>Pseudo {@code lddw}.</b> The sources a loader writes (see the ISA digest §1.5) are written
 * {@code kind:imm[:next]}, {@code kind} being the row's name after {@code LDDW_} in lower case:
 * <pre>
 * lddw %r1, map_fd:3             src 1, imm 3
 * lddw %r1, map_value:3:16       src 2, imm 3, next_imm 16
 * lddw %r1, btf_id:7             src 3
 * lddw %r1, func:callback        src 4, imm = offset of the label (or func:+5)
 * lddw %r1, map_idx:0            src 5
 * lddw %r1, map_idx_value:0:8    src 6
 * </pre>
 *
 * <p><b>Disassembly</b> writes the same syntax, targets as {@code +n}/{@code -n} (never labels),
 * memory offsets of 0 as {@code [%rN]}, and immediates in decimal when below 2^16 in magnitude,
 * else as unsigned hex; {@code Assembler.assemble(Disassembler.disassemble(x))} encodes to exactly
 * the bytes of {@code x}.
 */
package dev.sonde.bpf.asm;

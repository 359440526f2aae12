package dev.sonde.bpf.elf;

/**
 * One {@code Elf64_Rel} entry (BPF objects use REL, never RELA: the addend is whatever the
 * relocated field already holds, e.g. the {@code lddw} immediate).
 *
 * @param index  position within its relocation section, for error messages
 * @param offset byte offset in the relocated section
 * @param symbol the symbol it refers to, already checked to exist
 */
record ElfRelocation(int index, long offset, int type, ElfSymbol symbol) {
}

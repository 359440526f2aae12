package dev.sonde.bpf.elf;

/**
 * A function's start and BTF type ({@code .BTF.ext} func_info).
 *
 * @param slot   the function's first slot within its ELF section
 * @param typeId the BTF FUNC describing it
 */
public record FuncInfo(int slot, int typeId) {
}

package dev.sonde.bpf.elf;

/**
 * One symbol-table entry.
 *
 * @param shndx the defining section's index, or one of the special {@code SHN_*} values
 */
record ElfSymbol(int index, String name, int bind, int type, int shndx, long value, long size) {

    boolean isGlobal() {
        return bind == ElfLayout.STB_GLOBAL || bind == ElfLayout.STB_WEAK;
    }

    boolean isFunction() {
        return type == ElfLayout.STT_FUNC;
    }

    boolean isSection() {
        return type == ElfLayout.STT_SECTION;
    }

    /** True if it names a place in a real section (not undefined, absolute or common). */
    boolean isDefined() {
        return shndx != ElfLayout.SHN_UNDEF && shndx < ElfLayout.SHN_LORESERVE;
    }

    String describe() {
        return "symbol #" + index + (name.isEmpty() ? "" : " '" + name + "'");
    }
}

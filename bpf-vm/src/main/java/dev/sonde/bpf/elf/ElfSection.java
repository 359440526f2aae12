package dev.sonde.bpf.elf;

/**
 * One section header, already checked: for every type but NOBITS, {@code [offset, offset+size)}
 * lies inside the file, so {@link ElfFile#data} can always be taken.
 *
 * @param index  position in the section header table (what symbols and relocations refer to)
 * @param name   from the section-name string table
 */
record ElfSection(int index, String name, int type, long flags, long offset, long size,
                  int link, int info, long entsize) {

    boolean isExecutable() {
        return (flags & ElfLayout.SHF_EXECINSTR) != 0 && type == ElfLayout.SHT_PROGBITS;
    }

    boolean isNobits() {
        return type == ElfLayout.SHT_NOBITS;
    }

    /** How error messages name a section: index and name, since names need not be unique. */
    String describe() {
        return "section [" + index + "] '" + name + "'";
    }
}

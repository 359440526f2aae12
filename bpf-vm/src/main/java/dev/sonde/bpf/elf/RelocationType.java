package dev.sonde.bpf.elf;

/** The BPF relocation types (llvm {@code ELFRelocs/BPF.def}), with the names llvm-readelf prints. */
enum RelocationType {
    R_BPF_NONE(0),
    /** {@code lddw} of a map, global data or code address: the 64-bit immediate pair. */
    R_BPF_64_64(1),
    /** 64-bit data word: {@code .values} initialisers in {@code .rel.maps}, DWARF. */
    R_BPF_64_ABS64(2),
    /** 32-bit data word (DWARF). */
    R_BPF_64_ABS32(3),
    /** 32-bit data word that a dynamic loader must not touch (.BTF, .BTF.ext): resolved by name. */
    R_BPF_64_NODYLD32(4),
    /** {@code call} of a bpf-to-bpf function: the 32-bit immediate. */
    R_BPF_64_32(10);

    final int code;

    RelocationType(int code) {
        this.code = code;
    }

    /** The type with this ELF code, or null when there is none. */
    static RelocationType of(long code) {
        for (RelocationType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        return null;
    }
}

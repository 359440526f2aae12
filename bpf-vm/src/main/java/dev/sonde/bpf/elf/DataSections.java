package dev.sonde.bpf.elf;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Recognises global-data sections and reads them into {@link DataSpec}s (libbpf
 * {@code bpf_object__init_global_data_maps}).
 */
final class DataSections {
    private DataSections() {
    }

    /**
     * A NOBITS header can claim any size without the file holding a byte of it. Linux caps an
     * array map's value at KMALLOC_MAX_SIZE (4 MiB on x86-64); four times that is generous and
     * still keeps a bogus header from turning into a huge allocation later.
     */
    static final long MAX_DATA_SIZE = 16L << 20;

    /** {@code .data}, {@code .rodata}, {@code .bss} and their dotted sub-sections, not executable. */
    static boolean isDataSection(ElfSection s) {
        if (s.isExecutable() || (s.type() != ElfLayout.SHT_PROGBITS && s.type() != ElfLayout.SHT_NOBITS)) {
            return false;
        }
        for (String p : new String[] {".data", ".rodata", ".bss"}) {
            if (s.name().equals(p) || s.name().startsWith(p + ".")) {
                return true;
            }
        }
        return false;
    }

    static DataSpec read(ElfFile elf, ElfSection s) throws ObjectFormatException {
        if (s.size() > MAX_DATA_SIZE) {
            throw new ObjectFormatException(s.describe() + ": sh_size " + s.size() + " exceeds the " + MAX_DATA_SIZE
                + "-byte limit for global data");
        }
        byte[] contents = s.isNobits() ? new byte[0] : elf.data(s).bytes(0, s.size());
        List<DataSpec.Variable> vars = new ArrayList<>();
        for (ElfSymbol sym : elf.symbols()) {
            if (sym.shndx() != s.index() || sym.type() != ElfLayout.STT_OBJECT || sym.name().isEmpty()) {
                continue;
            }
            if (sym.value() < 0 || sym.size() < 0 || sym.value() > s.size() || sym.size() > s.size() - sym.value()) {
                throw new ObjectFormatException(String.format("%s: %s at offset 0x%x, size %d extends past the section's %d bytes",
                    s.describe(), sym.describe(), sym.value(), sym.size(), s.size()));
            }
            vars.add(new DataSpec.Variable(sym.name(), (int) sym.value(), (int) sym.size()));
        }
        vars.sort(Comparator.comparingInt(DataSpec.Variable::offset).thenComparing(DataSpec.Variable::name));
        return new DataSpec(s.name(), s.index(), (int) s.size(), s.name().startsWith(".rodata"), vars, contents);
    }
}

package dev.sonde.bpf.elf;

import static dev.sonde.bpf.elf.ElfLayout.*;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The ELF layer of a BPF object: header, section headers and names, the symbol table, and
 * relocation sections on request. It knows nothing about BPF beyond {@code EM_BPF}; what the
 * sections mean is decided by {@link BpfObjectFile}.
 *
 * <p>Everything read from the file is checked before use: every section's bytes lie inside the
 * file (NOBITS excepted), every name is a NUL-terminated string inside its string table, every
 * symbol's section index is a real section or a special index, every relocation names an
 * existing symbol. Counts are derived from section sizes that were checked against the file
 * length, so no allocation here can exceed the file's size.
 */
final class ElfFile {
    private final ByteView file;
    private final List<ElfSection> sections;
    private final List<ElfSymbol> symbols;
    private final ElfSection symtab;

    private ElfFile(ByteView file, List<ElfSection> sections, ElfSection symtab, List<ElfSymbol> symbols) {
        this.file = file;
        this.sections = sections;
        this.symtab = symtab;
        this.symbols = symbols;
    }

    static ElfFile parse(byte[] bytes) throws ObjectFormatException {
        ByteView file = ByteView.of(bytes, "ELF file");
        if (bytes.length < EHDR_SIZE) {
            throw new ObjectFormatException("ELF header: file has " + bytes.length + " bytes, the header needs " + EHDR_SIZE);
        }
        checkIdent(file);
        expect(file.u16(E_TYPE), ET_REL, "e_type (must be ET_REL, a relocatable object)");
        expect(file.u16(E_MACHINE), EM_BPF, "e_machine (must be EM_BPF)");
        expect(file.u32(E_VERSION), EV_CURRENT, "e_version");
        long shoff = file.u64(E_SHOFF);
        int shentsize = file.u16(E_SHENTSIZE);
        if (shentsize != SHDR_SIZE) {
            throw new ObjectFormatException("ELF header: e_shentsize is " + shentsize + ", expected " + SHDR_SIZE);
        }
        long shnum = file.u16(E_SHNUM);
        long shstrndx = file.u16(E_SHSTRNDX);
        if (shoff == 0 || shoff < EHDR_SIZE) {
            throw new ObjectFormatException(String.format("ELF header: e_shoff 0x%x does not point past the header", shoff));
        }
        // Extended numbering (gABI): counts that do not fit 16 bits live in section 0's header.
        if (shnum == 0) {
            file.check(shoff, SHDR_SIZE, "ELF header: section header 0 (e_shoff)");
            shnum = file.u64(shoff + SH_SIZE);
        }
        if (shstrndx == SHN_XINDEX) {
            file.check(shoff, SHDR_SIZE, "ELF header: section header 0 (e_shoff)");
            shstrndx = file.u32(shoff + SH_LINK);
        }
        if (shnum < 1 || shnum > (bytes.length - shoff) / SHDR_SIZE) {
            throw new ObjectFormatException(String.format(
                "ELF header: %d section headers at e_shoff 0x%x do not fit in the %d-byte file", shnum, shoff, bytes.length));
        }
        if (shstrndx == 0 || shstrndx >= shnum) {
            throw new ObjectFormatException("ELF header: e_shstrndx " + shstrndx + " is not a section (there are " + shnum + ")");
        }
        List<long[]> raw = new ArrayList<>((int) shnum);
        for (int i = 0; i < shnum; i++) {
            raw.add(readHeader(file, i, shoff + (long) i * SHDR_SIZE, bytes.length));
        }
        long[] strHdr = raw.get((int) shstrndx);
        if (strHdr[1] != SHT_STRTAB) {
            throw new ObjectFormatException("section [" + shstrndx + "] (e_shstrndx): type " + strHdr[1] + " is not SHT_STRTAB");
        }
        ByteView names = file.slice(strHdr[3], strHdr[4], "section [" + shstrndx + "] (section names)");
        List<ElfSection> sections = new ArrayList<>((int) shnum);
        for (int i = 0; i < shnum; i++) {
            long[] h = raw.get(i);
            String name = i == 0 ? "" : names.cstring(h[0], "sh_name of section [" + i + "]");
            sections.add(new ElfSection(i, name, (int) h[1], h[2], h[3], h[4], (int) h[5], (int) h[6], h[7]));
        }
        sections = Collections.unmodifiableList(sections);
        ElfSection symtab = findSymtab(sections);
        List<ElfSymbol> symbols = symtab == null ? List.of() : readSymbols(file, sections, symtab);
        return new ElfFile(file, sections, symtab, symbols);
    }

    private static void checkIdent(ByteView file) throws ObjectFormatException {
        if (file.u8(0) != 0x7f || file.u8(1) != 'E' || file.u8(2) != 'L' || file.u8(3) != 'F') {
            throw new ObjectFormatException("ELF header: bad magic at offset 0 (not an ELF file)");
        }
        expect(file.u8(EI_CLASS), ELFCLASS64, "e_ident[EI_CLASS] (must be ELFCLASS64)");
        expect(file.u8(EI_DATA), ELFDATA2LSB, "e_ident[EI_DATA] (must be little-endian; big-endian bpfeb objects are not supported)");
        expect(file.u8(EI_VERSION), EV_CURRENT, "e_ident[EI_VERSION]");
    }

    private static void expect(long actual, long wanted, String field) throws ObjectFormatException {
        if (actual != wanted) {
            throw new ObjectFormatException("ELF header: " + field + " is " + actual + ", expected " + wanted);
        }
    }

    /** {name, type, flags, offset, size, link, info, entsize}, with the file range checked. */
    private static long[] readHeader(ByteView file, int i, long at, int fileLength) throws ObjectFormatException {
        long type = file.u32(at + SH_TYPE);
        long offset = file.u64(at + SH_OFFSET);
        long size = file.u64(at + SH_SIZE);
        if (i > 0 && type != SHT_NOBITS && type != SHT_NULL
                && (offset < 0 || size < 0 || offset > fileLength || size > fileLength - offset)) {
            throw new ObjectFormatException(String.format(
                "section [%d]: sh_offset 0x%x + sh_size 0x%x lies outside the %d-byte file", i, offset, size, fileLength));
        }
        if (size < 0) {
            throw new ObjectFormatException(String.format("section [%d]: sh_size 0x%x is too large", i, size));
        }
        return new long[] {file.u32(at + SH_NAME), type, file.u64(at + SH_FLAGS), offset, size,
            file.u32(at + SH_LINK), file.u32(at + SH_INFO), file.u64(at + SH_ENTSIZE)};
    }

    private static ElfSection findSymtab(List<ElfSection> sections) throws ObjectFormatException {
        ElfSection found = null;
        for (ElfSection s : sections) {
            if (s.type() == SHT_SYMTAB) {
                if (found != null) {
                    throw new ObjectFormatException(s.describe() + ": a second symbol table (the first is " + found.describe() + ")");
                }
                found = s;
            }
        }
        return found;
    }

    private static List<ElfSymbol> readSymbols(ByteView file, List<ElfSection> sections, ElfSection symtab)
            throws ObjectFormatException {
        if (symtab.entsize() != SYM_SIZE || symtab.size() % SYM_SIZE != 0) {
            throw new ObjectFormatException(symtab.describe() + ": sh_entsize " + symtab.entsize() + " / sh_size "
                + symtab.size() + " is not a table of " + SYM_SIZE + "-byte symbols");
        }
        if (symtab.link() <= 0 || symtab.link() >= sections.size() || sections.get(symtab.link()).type() != SHT_STRTAB) {
            throw new ObjectFormatException(symtab.describe() + ": sh_link " + symtab.link() + " is not a string table");
        }
        ElfSection strtab = sections.get(symtab.link());
        ByteView strings = file.slice(strtab.offset(), strtab.size(), strtab.describe());
        ByteView table = file.slice(symtab.offset(), symtab.size(), symtab.describe());
        int count = (int) (symtab.size() / SYM_SIZE);
        List<ElfSymbol> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int at = i * SYM_SIZE;
            long nameOff = table.u32(at + ST_NAME);
            String name = nameOff == 0 ? "" : strings.cstring(nameOff, "st_name of symbol #" + i);
            int info = table.u8(at + ST_INFO);
            int shndx = table.u16(at + ST_SHNDX);
            if (shndx >= sections.size() && shndx < SHN_LORESERVE) {
                throw new ObjectFormatException(String.format("%s: symbol #%d at offset 0x%x: st_shndx %d is not a section",
                    symtab.describe(), i, at, shndx));
            }
            out.add(new ElfSymbol(i, name, info >>> 4, info & 0xf, shndx, table.u64(at + ST_VALUE), table.u64(at + ST_SIZE)));
        }
        return Collections.unmodifiableList(out);
    }

    List<ElfSection> sections() {
        return sections;
    }

    List<ElfSymbol> symbols() {
        return symbols;
    }

    ElfSection section(int index) {
        return sections.get(index);
    }

    /** The bytes of a section that has file contents (not NOBITS), as a checked window. */
    ByteView data(ElfSection s) throws ObjectFormatException {
        if (s.isNobits()) {
            throw new ObjectFormatException(s.describe() + ": is NOBITS and has no contents");
        }
        return file.slice(s.offset(), s.size(), s.describe());
    }

    /**
     * The entries of an SHT_REL section. Its sh_link must be the symbol table and sh_info a real
     * section; each entry's symbol index must exist.
     */
    List<ElfRelocation> relocations(ElfSection rel) throws ObjectFormatException {
        if (rel.entsize() != REL_SIZE || rel.size() % REL_SIZE != 0) {
            throw new ObjectFormatException(rel.describe() + ": sh_entsize " + rel.entsize() + " / sh_size " + rel.size()
                + " is not a table of " + REL_SIZE + "-byte Elf64_Rel entries");
        }
        if (symtab == null || rel.link() != symtab.index()) {
            throw new ObjectFormatException(rel.describe() + ": sh_link " + rel.link() + " is not the symbol table");
        }
        ByteView table = data(rel);
        int count = (int) (rel.size() / REL_SIZE);
        List<ElfRelocation> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int at = i * REL_SIZE;
            long info = table.u64(at + R_INFO);
            long sym = info >>> 32;
            if (sym >= symbols.size()) {
                throw new ObjectFormatException(String.format("%s: relocation #%d at offset 0x%x: symbol index %d out of %d symbols",
                    rel.describe(), i, table.u64(at + R_OFFSET), sym, symbols.size()));
            }
            out.add(new ElfRelocation(i, table.u64(at + R_OFFSET), (int) info, symbols.get((int) sym)));
        }
        return out;
    }
}

package dev.sonde.bpf.elf;

/**
 * The ELF64 structures a BPF relocatable object uses, as field offsets (System V gABI,
 * {@code <elf.h>}). All multi-byte fields are little-endian: EM_BPF objects Sonde loads are
 * {@code -target bpf} on a little-endian host ({@code bpfel}).
 *
 * <pre>
 * Elf64_Ehdr (64 bytes)           Elf64_Shdr (64 bytes)        Elf64_Sym (24 bytes)   Elf64_Rel (16 bytes)
 *  0 e_ident[16]                   0 u32 sh_name                0 u32 st_name          0 u64 r_offset
 * 16 u16 e_type                    4 u32 sh_type                4 u8  st_info          8 u64 r_info
 * 18 u16 e_machine                 8 u64 sh_flags               5 u8  st_other               sym = info >>> 32
 * 20 u32 e_version                16 u64 sh_addr                6 u16 st_shndx               type = info & 0xffffffff
 * 24 u64 e_entry                  24 u64 sh_offset              8 u64 st_value
 * 32 u64 e_phoff                  32 u64 sh_size               16 u64 st_size
 * 40 u64 e_shoff                  40 u32 sh_link
 * 48 u32 e_flags                  44 u32 sh_info
 * 52 u16 e_ehsize                 48 u64 sh_addralign
 * 54 u16 e_phentsize              56 u64 sh_entsize
 * 56 u16 e_phnum
 * 58 u16 e_shentsize
 * 60 u16 e_shnum
 * 62 u16 e_shstrndx
 * </pre>
 */
final class ElfLayout {
    private ElfLayout() {
    }

    // e_ident
    static final int EI_CLASS = 4;
    static final int EI_DATA = 5;
    static final int EI_VERSION = 6;
    static final int ELFCLASS64 = 2;
    static final int ELFDATA2LSB = 1;
    static final int EV_CURRENT = 1;

    // Elf64_Ehdr
    static final int EHDR_SIZE = 64;
    static final int E_TYPE = 16;
    static final int E_MACHINE = 18;
    static final int E_VERSION = 20;
    static final int E_SHOFF = 40;
    static final int E_SHENTSIZE = 58;
    static final int E_SHNUM = 60;
    static final int E_SHSTRNDX = 62;
    static final int ET_REL = 1;
    static final int EM_BPF = 247;

    // Elf64_Shdr
    static final int SHDR_SIZE = 64;
    static final int SH_NAME = 0;
    static final int SH_TYPE = 4;
    static final int SH_FLAGS = 8;
    static final int SH_OFFSET = 24;
    static final int SH_SIZE = 32;
    static final int SH_LINK = 40;
    static final int SH_INFO = 44;
    static final int SH_ADDRALIGN = 48;
    static final int SH_ENTSIZE = 56;

    static final int SHT_NULL = 0;
    static final int SHT_PROGBITS = 1;
    static final int SHT_SYMTAB = 2;
    static final int SHT_STRTAB = 3;
    static final int SHT_RELA = 4;
    static final int SHT_NOBITS = 8;
    static final int SHT_REL = 9;

    static final long SHF_WRITE = 0x1;
    static final long SHF_ALLOC = 0x2;
    static final long SHF_EXECINSTR = 0x4;

    /** Section indices at or above this are special (ABS, COMMON, XINDEX), not real sections. */
    static final int SHN_LORESERVE = 0xff00;
    static final int SHN_UNDEF = 0;
    static final int SHN_ABS = 0xfff1;
    static final int SHN_COMMON = 0xfff2;
    static final int SHN_XINDEX = 0xffff;

    // Elf64_Sym
    static final int SYM_SIZE = 24;
    static final int ST_NAME = 0;
    static final int ST_INFO = 4;
    static final int ST_SHNDX = 6;
    static final int ST_VALUE = 8;
    static final int ST_SIZE = 16;

    static final int STB_LOCAL = 0;
    static final int STB_GLOBAL = 1;
    static final int STB_WEAK = 2;
    static final int STT_NOTYPE = 0;
    static final int STT_OBJECT = 1;
    static final int STT_FUNC = 2;
    static final int STT_SECTION = 3;

    // Elf64_Rel
    static final int REL_SIZE = 16;
    static final int R_OFFSET = 0;
    static final int R_INFO = 8;
}

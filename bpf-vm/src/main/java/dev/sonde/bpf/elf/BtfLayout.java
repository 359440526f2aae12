package dev.sonde.bpf.elf;

/**
 * The binary layout of {@code .BTF} and {@code .BTF.ext} (Linux {@code include/uapi/linux/btf.h},
 * {@code tools/lib/bpf/libbpf_internal.h}). All fields little-endian.
 *
 * <pre>
 * .BTF header (24 bytes)          type record (12 bytes, then kind-specific data)
 *  0 u16 magic 0xEB9F              0 u32 name_off
 *  2 u8  version 1                 4 u32 info: vlen bits 0-15, kind bits 24-28, kind_flag bit 31
 *  3 u8  flags                     8 u32 size or type
 *  4 u32 hdr_len
 *  8 u32 type_off  \ relative to the end of the header (hdr_len)
 * 12 u32 type_len
 * 16 u32 str_off   /
 * 20 u32 str_len
 *
 * .BTF.ext header                 each info subsection: u32 rec_size, then blocks of
 *  0 u16 magic, 2 u8 version,       u32 sec_name_off; u32 num_info; num_info x record
 *  3 u8 flags, 4 u32 hdr_len       func_info record:  u32 insn_off (bytes); u32 type_id
 *  8 u32 func_info_off/len         line_info record:  u32 insn_off; u32 file_name_off;
 * 16 u32 line_info_off/len                            u32 line_off; u32 line_col (line << 10 | col)
 * 24 u32 core_relo_off/len (hdr_len >= 32)
 * </pre>
 */
final class BtfLayout {
    private BtfLayout() {
    }

    static final int MAGIC = 0xEB9F;
    static final int VERSION = 1;

    static final int HDR_MAGIC = 0;
    static final int HDR_VERSION = 2;
    static final int HDR_LEN = 4;
    static final int HDR_TYPE_OFF = 8;
    static final int HDR_TYPE_LEN = 12;
    static final int HDR_STR_OFF = 16;
    static final int HDR_STR_LEN = 20;
    static final int HDR_SIZE = 24;

    static final int TYPE_NAME_OFF = 0;
    static final int TYPE_INFO = 4;
    static final int TYPE_SIZE_OR_TYPE = 8;
    static final int TYPE_RECORD = 12;

    /** STRUCT/UNION member: name_off, type, offset. ENUM64 value: name_off, lo32, hi32. ARRAY: elem, index, nelems. */
    static final int MEMBER_RECORD = 12;
    /** ENUM value: name_off, s32 val. FUNC_PROTO param: name_off, type. */
    static final int ENUM_RECORD = 8;
    static final int PARAM_RECORD = 8;
    /** DATASEC entry: type, offset, size. */
    static final int VARSECINFO_RECORD = 12;

    /** Ids must stay below this (libbpf BTF_MAX_NR_TYPES: a 31-bit id space with kind bits). */
    static final int MAX_TYPE_ID = 0x7fffffff;

    // .BTF.ext
    static final int EXT_FUNC_INFO_OFF = 8;
    static final int EXT_FUNC_INFO_LEN = 12;
    static final int EXT_LINE_INFO_OFF = 16;
    static final int EXT_LINE_INFO_LEN = 20;
    static final int EXT_MIN_HDR = 24;
    static final int FUNC_INFO_MIN_RECORD = 8;
    static final int LINE_INFO_MIN_RECORD = 16;
    static final int LINE_SHIFT = 10;
    static final int COLUMN_MASK = (1 << LINE_SHIFT) - 1;
}

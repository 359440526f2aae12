package dev.sonde.bpf.elf;

import static dev.sonde.bpf.elf.BtfLayout.*;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The func_info and line_info of {@code .BTF.ext}, per code section name. CO-RE relocation
 * records are not read: Sonde has no kernel BTF to relocate against, and clang emits them only
 * for {@code BPF_CORE_READ}/{@code preserve_access_index}, which the loader rejects elsewhere if
 * it ever has to (none of the supported constructs produce them).
 *
 * <p>Offsets in the file are bytes; they are stored here as slots (÷8), checked to be aligned.
 */
public final class BtfExt {
    static final BtfExt EMPTY = new BtfExt(Map.of(), Map.of());

    private final Map<String, List<FuncInfo>> funcInfo;
    private final Map<String, List<LineInfo>> lineInfo;

    private BtfExt(Map<String, List<FuncInfo>> funcInfo, Map<String, List<LineInfo>> lineInfo) {
        this.funcInfo = funcInfo;
        this.lineInfo = lineInfo;
    }

    /** func_info of one code section, in file order. */
    public List<FuncInfo> funcInfo(String section) {
        return funcInfo.getOrDefault(section, List.of());
    }

    /** line_info of one code section, in file order (clang sorts it by offset). */
    public List<LineInfo> lineInfo(String section) {
        return lineInfo.getOrDefault(section, List.of());
    }

    /** The sections that have func_info or line_info. */
    public List<String> sections() {
        List<String> out = new ArrayList<>(funcInfo.keySet());
        for (String s : lineInfo.keySet()) {
            if (!out.contains(s)) {
                out.add(s);
            }
        }
        return out;
    }

    static BtfExt parse(ByteView ext, Btf btf) throws ObjectFormatException {
        String where = ext.where();
        if (ext.length() < EXT_MIN_HDR) {
            throw new ObjectFormatException(where + ": " + ext.length() + " bytes, shorter than the " + EXT_MIN_HDR
                + "-byte header");
        }
        if (ext.u16(HDR_MAGIC) != MAGIC) {
            throw new ObjectFormatException(String.format("%s: bad magic 0x%04x at offset 0", where, ext.u16(HDR_MAGIC)));
        }
        if (ext.u8(HDR_VERSION) != VERSION) {
            throw new ObjectFormatException(where + ": unsupported version " + ext.u8(HDR_VERSION) + " at offset 2");
        }
        long hdrLen = ext.u32(HDR_LEN);
        if (hdrLen < EXT_MIN_HDR || hdrLen > ext.length()) {
            throw new ObjectFormatException(where + ": hdr_len " + hdrLen + " at offset 4 is not within "
                + EXT_MIN_HDR + ".." + ext.length());
        }
        ByteView body = ext.slice(hdrLen, ext.length() - hdrLen, where);
        Map<String, List<FuncInfo>> funcs = new LinkedHashMap<>();
        Map<String, List<LineInfo>> lines = new LinkedHashMap<>();
        ByteView fv = subsection(body, ext.u32(EXT_FUNC_INFO_OFF), ext.u32(EXT_FUNC_INFO_LEN), "func_info");
        ByteView lv = subsection(body, ext.u32(EXT_LINE_INFO_OFF), ext.u32(EXT_LINE_INFO_LEN), "line_info");
        new Blocks(fv, btf, FUNC_INFO_MIN_RECORD) {
            @Override
            void record(String sec, ByteView v, long at, int slot) throws ObjectFormatException {
                funcs.computeIfAbsent(sec, k -> new ArrayList<>()).add(new FuncInfo(slot, v.s32(at + 4)));
            }
        }.run();
        new Blocks(lv, btf, LINE_INFO_MIN_RECORD) {
            @Override
            void record(String sec, ByteView v, long at, int slot) throws ObjectFormatException {
                String file = btf.string(v.u32(at + 4));
                String source = btf.string(v.u32(at + 8));
                long lineCol = v.u32(at + 12);
                lines.computeIfAbsent(sec, k -> new ArrayList<>()).add(
                    new LineInfo(slot, file, (int) (lineCol >>> LINE_SHIFT), (int) (lineCol & COLUMN_MASK), source));
            }
        }.run();
        return new BtfExt(freeze(funcs), freeze(lines));
    }

    private static <T> Map<String, List<T>> freeze(Map<String, List<T>> m) {
        Map<String, List<T>> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(k, List.copyOf(v)));
        return Collections.unmodifiableMap(out);
    }

    private static ByteView subsection(ByteView body, long off, long len, String what) throws ObjectFormatException {
        if (off > body.length() || len > body.length() - off) {
            throw new ObjectFormatException(String.format("%s: %s at 0x%x+0x%x lies outside the %d bytes after the header",
                body.where(), what, off, len, body.length()));
        }
        return body.slice(off, len, body.where() + " " + what);
    }

    /**
     * Walks one info subsection: {@code u32 rec_size}, then blocks of
     * {@code {sec_name_off, num_info, records}} until the subsection ends.
     */
    private abstract static class Blocks {
        private final ByteView v;
        private final Btf btf;
        private final int minRecord;

        Blocks(ByteView v, Btf btf, int minRecord) {
            this.v = v;
            this.btf = btf;
            this.minRecord = minRecord;
        }

        abstract void record(String section, ByteView v, long at, int slot) throws ObjectFormatException;

        void run() throws ObjectFormatException {
            if (v.length() == 0) {
                return;
            }
            long recSize = v.u32(0);
            // libbpf: a record may grow in later versions, but never below the known fields, and stays 4-aligned.
            if (recSize < minRecord || recSize % 4 != 0 || recSize > v.length()) {
                throw new ObjectFormatException(v.where() + ": rec_size " + recSize + " at offset 0 is invalid (minimum "
                    + minRecord + ", multiple of 4)");
            }
            long p = 4;
            while (p < v.length()) {
                v.check(p, 8, "block header");
                String sec = btf.string(v.u32(p));
                long num = v.u32(p + 4);
                if (num == 0) {
                    throw new ObjectFormatException(String.format("%s: block at offset 0x%x for '%s' has no records",
                        v.where(), p, sec));
                }
                p += 8;
                if (num > (v.length() - p) / recSize) {
                    throw new ObjectFormatException(String.format("%s: block for '%s' claims %d records of %d bytes at offset 0x%x,"
                        + " beyond the subsection's end", v.where(), sec, num, recSize, p));
                }
                for (long i = 0; i < num; i++, p += recSize) {
                    long insnOff = v.u32(p);
                    if (insnOff % 8 != 0) {
                        throw new ObjectFormatException(String.format("%s: record at offset 0x%x for '%s': insn_off %d is not"
                            + " a multiple of 8", v.where(), p, sec, insnOff));
                    }
                    record(sec, v, p, (int) (insnOff / 8));
                }
            }
        }
    }
}

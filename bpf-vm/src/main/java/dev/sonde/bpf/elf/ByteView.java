package dev.sonde.bpf.elf;

import java.nio.charset.StandardCharsets;

/**
 * A bounds-checked little-endian window on the object file. Every read of untrusted bytes goes
 * through one of these, so an offset or size taken from a header can never index outside the
 * file: the failure is an {@link ObjectFormatException} naming {@link #where()} and the offset.
 */
final class ByteView {
    private final byte[] data;
    private final int base;
    private final int length;
    private final String where;

    private ByteView(byte[] data, int base, int length, String where) {
        this.data = data;
        this.base = base;
        this.length = length;
        this.where = where;
    }

    static ByteView of(byte[] data, String where) {
        return new ByteView(data, 0, data.length, where);
    }

    int length() {
        return length;
    }

    String where() {
        return where;
    }

    /** A sub-window; {@code off} and {@code len} are checked against this window. */
    ByteView slice(long off, long len, String subWhere) throws ObjectFormatException {
        check(off, len, "window");
        return new ByteView(data, base + (int) off, (int) len, subWhere);
    }

    /** Throws unless {@code [off, off+len)} lies inside this window. */
    void check(long off, long len, String what) throws ObjectFormatException {
        if (off < 0 || len < 0 || off > length || len > length - off) {
            throw new ObjectFormatException(String.format("%s: %s at offset 0x%x, %d bytes, lies outside its %d bytes",
                where, what, off, len, length));
        }
    }

    int u8(long off) throws ObjectFormatException {
        check(off, 1, "byte");
        return data[base + (int) off] & 0xff;
    }

    int u16(long off) throws ObjectFormatException {
        check(off, 2, "u16");
        int p = base + (int) off;
        return (data[p] & 0xff) | (data[p + 1] & 0xff) << 8;
    }

    /** A 32-bit field as a signed int (callers that need it unsigned use {@link #u32}). */
    int s32(long off) throws ObjectFormatException {
        check(off, 4, "u32");
        return rawS32(base + (int) off);
    }

    long u32(long off) throws ObjectFormatException {
        return s32(off) & 0xffffffffL;
    }

    long u64(long off) throws ObjectFormatException {
        check(off, 8, "u64");
        int p = base + (int) off;
        return (rawS32(p) & 0xffffffffL) | (long) rawS32(p + 4) << 32;
    }

    byte[] bytes(long off, long len) throws ObjectFormatException {
        check(off, len, "bytes");
        byte[] out = new byte[(int) len];
        System.arraycopy(data, base + (int) off, out, 0, (int) len);
        return out;
    }

    /** The NUL-terminated string at {@code off}; the NUL must lie inside this window. */
    String cstring(long off, String what) throws ObjectFormatException {
        if (off < 0 || off >= length) {
            throw new ObjectFormatException(String.format("%s: %s offset 0x%x is outside its %d bytes",
                where, what, off, length));
        }
        int start = base + (int) off;
        int end = base + length;
        for (int p = start; p < end; p++) {
            if (data[p] == 0) {
                return new String(data, start, p - start, StandardCharsets.UTF_8);
            }
        }
        throw new ObjectFormatException(String.format("%s: %s at offset 0x%x has no terminating NUL", where, what, off));
    }

    private int rawS32(int p) {
        return (data[p] & 0xff) | (data[p + 1] & 0xff) << 8 | (data[p + 2] & 0xff) << 16 | data[p + 3] << 24;
    }
}

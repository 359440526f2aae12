package dev.sonde.probe.object;

/**
 * A String's UTF-8 bytes exactly as {@code String.getBytes(UTF_8)} gives them, produced on the fly
 * without allocating: a valid surrogate pair is one 4-byte sequence, an unpaired surrogate is
 * {@code '?'} (the JDK encoder's replacement byte), U+0000 is the byte 0.
 *
 * <p>Cost: reading from byte offset {@code from} scans the string from its start (UTF-8 offsets do
 * not map to char indices), so one read is O(from + size) chars.
 */
public final class Utf8 {
    private Utf8() {
    }

    /** The length of {@code s}'s UTF-8 encoding. */
    public static long length(String s) {
        long n = 0;
        int len = s.length();
        for (int i = 0; i < len; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n++;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < len && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else if (Character.isSurrogate(c)) {
                n++;
            } else {
                n += 3;
            }
        }
        return n;
    }

    /**
     * Copies bytes {@code [from, from + max)} of {@code s}'s encoding into {@code dst} at {@code off},
     * fewer if the encoding ends first; with {@code stopAtNul}, stops before the first 0 byte.
     * Returns the number of bytes copied.
     */
    public static int copy(String s, long from, byte[] dst, int off, int max, boolean stopAtNul) {
        int len = s.length();
        long pos = 0;
        int n = 0;
        for (int i = 0; i < len && n < max; i++) {
            char c = s.charAt(i);
            int cp = c;
            int w;
            if (c < 0x80) {
                w = 1;
            } else if (c < 0x800) {
                w = 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < len && Character.isLowSurrogate(s.charAt(i + 1))) {
                cp = Character.toCodePoint(c, s.charAt(++i));
                w = 4;
            } else if (Character.isSurrogate(c)) {
                cp = '?';
                w = 1;
            } else {
                w = 3;
            }
            if (pos + w <= from) {
                pos += w;
                continue;
            }
            for (int k = 0; k < w && n < max; k++, pos++) {
                if (pos < from) {
                    continue;
                }
                byte b = (byte) encodedByte(cp, w, k);
                if (b == 0 && stopAtNul) {
                    return n;
                }
                dst[off + n++] = b;
            }
        }
        return n;
    }

    /**
     * Writes {@code s} as a C string into {@code dst[off, off + size)}: at most size−1 bytes of its
     * encoding (possibly cutting a multi-byte character), then a NUL. Returns the bytes written
     * including the NUL, 0 when size is 0.
     */
    public static int copyStr(String s, byte[] dst, int off, int size) {
        if (size <= 0) {
            return 0;
        }
        int n = copy(s, 0, dst, off, size - 1, true);
        dst[off + n] = 0;
        return n + 1;
    }

    /** Byte {@code k} of the {@code w}-byte sequence of code point {@code cp}. */
    private static int encodedByte(int cp, int w, int k) {
        if (w == 1) {
            return cp;
        }
        if (k == 0) {
            return switch (w) {
                case 2 -> 0xc0 | cp >> 6;
                case 3 -> 0xe0 | cp >> 12;
                default -> 0xf0 | cp >> 18;
            };
        }
        return 0x80 | (cp >> (6 * (w - 1 - k))) & 0x3f;
    }
}

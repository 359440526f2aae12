package dev.sonde.bpf.helper;

import dev.sonde.bpf.vm.Errno;
import dev.sonde.bpf.mem.Region;
import dev.sonde.bpf.vm.Cpu;
import dev.sonde.bpf.vm.Unsigned;

/**
 * printf for bpf_trace_printk, bpf_trace_vprintk and bpf_snprintf, with the kernel's rules:
 * conversions {@code d i u x X o c s p %}, flags {@code - 0 + space #}, width and precision as
 * digits, length modifiers {@code hh h l ll z}; {@code %d}/{@code %u}/{@code %x} without {@code l}
 * take the low 32 bits of the argument (sign-extended for {@code %d}); {@code %s} reads a NUL-
 * terminated string from program memory or a Java String's view; {@code %p} prints 0x and hex
 * ({@code %px %pK %ps %pS} alike). At most 12 arguments. Writes into a caller-supplied byte array and
 * allocates nothing.
 */
public final class TraceFormat {
    private byte[] out;
    private int start;
    private int cap;
    private int len;
    private final byte[] digits = new byte[24];

    TraceFormat() {
    }

    /** Maximum arguments a format may consume, as in Linux (MAX_BPRINTF_VARARGS). */
    public static final int MAX_ARGS = 12;
    /** Longest string a {@code %s} copies. */
    public static final int MAX_STR = 256;

    /**
     * Formats {@code fmt[fmtOff, fmtOff+fmtLen)} (stopping at a NUL) with {@code argc} arguments
     * read as little-endian u64 from {@code args[argOff…]} into {@code out[outOff, outOff+cap)}.
     * Returns the formatted length (which may exceed cap; output is cut at cap) or -EINVAL for a
     * bad format or a wrong argument count. Writes no NUL.
     */
    public int format(Cpu cpu, ProbeEnv env, byte[] fmt, int fmtOff, int fmtLen, byte[] args, int argOff,
                             int argc, byte[] out, int outOff, int cap) {
        TraceFormat s = this;
        this.out = out;
        this.start = outOff;
        this.cap = cap;
        this.len = 0;
        int used = 0;
        int end = fmtOff + fmtLen;
        for (int i = fmtOff; i < end; i++) {
            byte c = fmt[i];
            if (c == 0) {
                break;
            }
            if (c != '%') {
                s.put(c);
                continue;
            }
            if (++i >= end) {
                return -Errno.EINVAL;
            }
            if (fmt[i] == '%') {
                s.put((byte) '%');
                continue;
            }
            boolean left = false;
            boolean zero = false;
            boolean plus = false;
            boolean space = false;
            boolean alt = false;
            for (; i < end; i++) {
                byte f = fmt[i];
                if (f == '-') {
                    left = true;
                } else if (f == '0') {
                    zero = true;
                } else if (f == '+') {
                    plus = true;
                } else if (f == ' ') {
                    space = true;
                } else if (f == '#') {
                    alt = true;
                } else {
                    break;
                }
            }
            int width = 0;
            while (i < end && fmt[i] >= '0' && fmt[i] <= '9') {
                width = Math.min(width * 10 + (fmt[i++] - '0'), 1000);
            }
            int prec = -1;
            if (i < end && fmt[i] == '.') {
                i++;
                prec = 0;
                while (i < end && fmt[i] >= '0' && fmt[i] <= '9') {
                    prec = Math.min(prec * 10 + (fmt[i++] - '0'), 1000);
                }
            }
            int bits = 32;
            if (i < end && fmt[i] == 'h') {
                i++;
                bits = 16;
                if (i < end && fmt[i] == 'h') {
                    i++;
                    bits = 8;
                }
            } else if (i < end && (fmt[i] == 'l' || fmt[i] == 'z')) {
                bits = 64;
                if (fmt[i] == 'l' && i + 1 < end && fmt[i + 1] == 'l') {
                    i++;
                }
                i++;
            }
            if (i >= end) {
                return -Errno.EINVAL;
            }
            byte conv = fmt[i];
            if (used >= argc) {
                return -Errno.EINVAL;
            }
            long arg = le64(args, argOff + 8 * used++);
            switch (conv) {
                case 'd', 'i' -> {
                    long v = bits == 64 ? arg : bits == 32 ? (int) arg : bits == 16 ? (short) arg : (byte) arg;
                    s.number(v < 0 ? -v : v, 10, false, v < 0 ? '-' : plus ? '+' : space ? ' ' : 0, width, left, zero, prec, null);
                }
                case 'u', 'x', 'X', 'o' -> {
                    long v = bits == 64 ? arg : arg & (bits == 32 ? 0xffffffffL : bits == 16 ? 0xffffL : 0xffL);
                    int base = conv == 'o' ? 8 : conv == 'u' ? 10 : 16;
                    String prefix = alt && v != 0 ? (base == 16 ? (conv == 'X' ? "0X" : "0x") : base == 8 ? "0" : null) : null;
                    s.number(v, base, conv == 'X', 0, width, left, zero, prec, prefix);
                }
                case 'c' -> s.padded((byte) arg, width, left);
                case 'p' -> {
                    if (i + 1 < end && (fmt[i + 1] == 'x' || fmt[i + 1] == 'K' || fmt[i + 1] == 's' || fmt[i + 1] == 'S')) {
                        i++;
                    }
                    s.number(arg, 16, false, 0, width, left, zero, -1, "0x");
                }
                case 's' -> string(cpu, env, arg, s, width, left, prec);
                default -> {
                    return -Errno.EINVAL;
                }
            }
        }
        return s.length();
    }

    /** Copies the string at {@code addr}: program memory up to a NUL or the region's end, or a Java String. */
    private static void string(Cpu cpu, ProbeEnv env, long addr, TraceFormat s, int width, boolean left, int prec) {
        int max = prec >= 0 ? Math.min(prec, MAX_STR) : MAX_STR;
        Region r = cpu.regionFor(addr, 1, Region.READ);
        byte[] src;
        int from;
        int n;
        if (r != null) {
            src = r.data();
            from = r.base() + (int) addr;
            int limit = Math.min(r.size() - (int) addr, max);
            n = 0;
            while (n < limit && src[from + n] != 0) {
                n++;
            }
        } else {
            // A Java object handle: read its view into the tail of the scratch buffer.
            src = cpu.scratch;
            from = src.length - MAX_STR - 1;
            long got = env.readObject(cpu, addr, src, from, max + 1, true);
            n = got > 0 ? (int) got - 1 : 0;
        }
        int pad = Math.max(0, width - n);
        if (!left) {
            s.repeat((byte) ' ', pad);
        }
        for (int k = 0; k < n; k++) {
            s.put(src[from + k]);
        }
        if (left) {
            s.repeat((byte) ' ', pad);
        }
    }

    static long le64(byte[] b, int p) {
        long v = 0;
        for (int k = 7; k >= 0; k--) {
            v = v << 8 | (b[p + k] & 0xff);
        }
        return v;
    }

    private void put(byte b) {
        if (len < cap) {
            out[start + len] = b;
        }
        len++;
    }

    private void repeat(byte b, int n) {
        for (int k = 0; k < n; k++) {
            put(b);
        }
    }

    private void padded(byte b, int width, boolean left) {
        if (!left) {
            repeat((byte) ' ', width - 1);
        }
        put(b);
        if (left) {
            repeat((byte) ' ', width - 1);
        }
    }

    /** {@code v} is taken as unsigned; {@code sign} is '-', '+', ' ' or 0. */
    private void number(long v, int base, boolean upper, int sign, int width, boolean left, boolean zero, int prec,
                        String prefix) {
        int n = 0;
        if (v == 0 && prec != 0) {
            digits[n++] = '0';
        }
        while (v != 0) {
            int d = (int) Unsigned.rem(v, base);
            v = Unsigned.div(v, base);
            digits[n++] = (byte) (d < 10 ? '0' + d : (upper ? 'A' : 'a') + d - 10);
        }
        int zeros = Math.max(0, prec - n);
        int prefixLen = (sign != 0 ? 1 : 0) + (prefix != null ? prefix.length() : 0);
        int pad = Math.max(0, width - n - zeros - prefixLen);
        if (zero && !left && prec < 0) {
            zeros += pad;
            pad = 0;
        }
        if (!left) {
            repeat((byte) ' ', pad);
        }
        if (sign != 0) {
            put((byte) sign);
        }
        if (prefix != null) {
            for (int k = 0; k < prefix.length(); k++) {
                put((byte) prefix.charAt(k));
            }
        }
        repeat((byte) '0', zeros);
        while (n > 0) {
            put(digits[--n]);
        }
        if (left) {
            repeat((byte) ' ', pad);
        }
    }

    private int length() {
        return len;
    }
}

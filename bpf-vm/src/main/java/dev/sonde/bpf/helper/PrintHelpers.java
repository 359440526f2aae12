package dev.sonde.bpf.helper;

import dev.sonde.bpf.vm.Errno;
import static dev.sonde.bpf.vm.HelperProto.Arg.MEM;
import static dev.sonde.bpf.vm.HelperProto.Arg.SIZE;
import static dev.sonde.bpf.vm.HelperProto.Arg.SIZE_OR_ZERO;
import static dev.sonde.bpf.vm.HelperProto.Arg.UNINIT_MEM;
import static dev.sonde.bpf.vm.HelperProto.Arg.CONST_STR;
import static dev.sonde.bpf.vm.HelperProto.Ret.INTEGER;

import dev.sonde.bpf.mem.Region;
import dev.sonde.bpf.vm.Cpu;
import dev.sonde.bpf.vm.HelperProto;

/** trace_printk (6), trace_vprintk (177) and snprintf (165), formatted as the kernel does. */
final class PrintHelpers {
    private PrintHelpers() {
    }

    /** Longest message a trace line carries (the kernel's bprintf buffer is 512 bytes too). */
    static final int MAX_LINE = 512;

    /**
     * 6: {@code long bpf_trace_printk(const char *fmt, u32 fmt_size, ...)}: up to three arguments in
     * r3–r5. As in Linux the prototype names only fmt and its size: the variadic registers are read
     * as the format says and are not checked (bpf_printk with one argument leaves r4, r5 unset).
     */
    static final HelperProto TRACE_PRINTK = HelperProto.of(INTEGER, MEM, SIZE);

    static long tracePrintk(Cpu cpu, ProbeEnv env, TracePipe pipe, long fmt, long fmtSize, long a, long b, long c) {
        SlotState st = SlotState.of(cpu);
        le64(st.args, 0, a);
        le64(st.args, 8, b);
        le64(st.args, 16, c);
        return emit(cpu, env, pipe, st, fmt, fmtSize, 3);
    }

    /** 177: {@code long bpf_trace_vprintk(const char *fmt, u32 fmt_size, const void *data, u32 data_len)}. */
    static final HelperProto TRACE_VPRINTK = HelperProto.of(INTEGER, MEM, SIZE, MEM, SIZE_OR_ZERO);

    static long traceVprintk(Cpu cpu, ProbeEnv env, TracePipe pipe, long fmt, long fmtSize, long data, long dataLen) {
        SlotState st = SlotState.of(cpu);
        int argc = copyArgs(cpu, st, data, dataLen);
        if (argc < 0) {
            return argc;
        }
        return emit(cpu, env, pipe, st, fmt, fmtSize, argc);
    }

    private static long emit(Cpu cpu, ProbeEnv env, TracePipe pipe, SlotState st, long fmt, long fmtSize, int argc) {
        Region f = formatRegion(cpu, fmt, fmtSize);
        if (f == null) {
            return -Errno.EINVAL;
        }
        byte[] out = cpu.scratch;
        int n = st.format.format(cpu, env, f.data(), f.base() + (int) fmt, (int) fmtSize, st.args, 0, argc, out, 0, MAX_LINE);
        if (n < 0) {
            return n;
        }
        int len = Math.min(n, MAX_LINE);
        pipe.write(cpu, out, 0, len);
        return len;
    }

    /** 165: {@code long bpf_snprintf(char *str, u32 str_size, const char *fmt, u64 *data, u32 data_len)}. */
    static final HelperProto SNPRINTF = HelperProto.of(INTEGER, UNINIT_MEM, SIZE_OR_ZERO, CONST_STR, MEM, SIZE_OR_ZERO);

    static long snprintf(Cpu cpu, ProbeEnv env, long str, long strSize, long fmt, long data, long dataLen) {
        if (strSize < 0 || strSize > Integer.MAX_VALUE) {
            return -Errno.EINVAL;
        }
        SlotState st = SlotState.of(cpu);
        int argc = copyArgs(cpu, st, data, dataLen);
        if (argc < 0) {
            return argc;
        }
        Region f = cpu.regionFor(fmt, 1, Region.READ);
        if (f == null || f.writable()) {
            return -Errno.EINVAL; // Linux requires the format in read-only data
        }
        int fmtLen = f.size() - (int) fmt;
        int cap = (int) strSize;
        byte[] out;
        int off;
        if (cap > 0) {
            Region d = cpu.resolve(str, cap, Region.WRITE);
            out = d.data();
            off = d.base() + (int) str;
        } else {
            out = cpu.scratch;
            off = 0;
        }
        int n = st.format.format(cpu, env, f.data(), f.base() + (int) fmt, fmtLen, st.args, 0, argc, out, off,
            Math.max(cap - 1, 0));
        if (n < 0) {
            return n;
        }
        if (cap > 0) {
            out[off + Math.min(n, cap - 1)] = 0;
        }
        return n + 1;
    }

    /** The format must be readable for fmt_size bytes and end in a NUL there, as Linux checks. */
    private static Region formatRegion(Cpu cpu, long fmt, long fmtSize) {
        if (fmtSize <= 0 || fmtSize > Integer.MAX_VALUE) {
            return null;
        }
        Region f = cpu.regionFor(fmt, (int) fmtSize, Region.READ);
        if (f == null || f.data()[f.base() + (int) fmt + (int) fmtSize - 1] != 0) {
            return null;
        }
        return f;
    }

    /** Copies a u64 argument array into the slot state; returns the count or -EINVAL. */
    private static int copyArgs(Cpu cpu, SlotState st, long data, long dataLen) {
        if (dataLen == 0) {
            return 0;
        }
        if (dataLen < 0 || dataLen % 8 != 0 || dataLen > 8L * TraceFormat.MAX_ARGS) {
            return -Errno.EINVAL;
        }
        Region r = cpu.regionFor(data, (int) dataLen, Region.READ);
        if (r == null) {
            return -Errno.EFAULT;
        }
        System.arraycopy(r.data(), r.base() + (int) data, st.args, 0, (int) dataLen);
        return (int) (dataLen / 8);
    }

    private static void le64(byte[] b, int p, long v) {
        for (int k = 0; k < 8; k++) {
            b[p + k] = (byte) (v >>> (8 * k));
        }
    }
}

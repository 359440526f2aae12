package dev.sonde.bpf.helper;

import dev.sonde.bpf.vm.Errno;
import static dev.sonde.bpf.vm.HelperProto.Arg.SIZE_OR_ZERO;
import static dev.sonde.bpf.vm.HelperProto.Arg.UNINIT_MEM;
import static dev.sonde.bpf.vm.HelperProto.Arg.UNSAFE_PTR;
import static dev.sonde.bpf.vm.HelperProto.Ret.INTEGER;

import dev.sonde.bpf.mem.Region;
import dev.sonde.bpf.vm.Cpu;
import dev.sonde.bpf.vm.HelperProto;
import java.util.Arrays;

/**
 * probe_read and its string forms (4, 45, 112–115): copy from any address into program memory.
 * The source may be program memory (any readable region) or a Java object handle, read through
 * {@link ProbeEnv#readObject}. A source that is neither, or a read past the end of what it names,
 * returns -EFAULT and zero-fills the destination; the run goes on (DESIGN.md §4). The destination
 * must be writable program memory: a bad destination is a program bug and faults the run.
 * "User" and "kernel" memory are the same thing in a JVM.
 */
final class ReadHelpers {
    private ReadHelpers() {
    }

    /** {@code long (void *dst, u32 size, const void *unsafe_ptr)}. */
    static final HelperProto PROBE_READ = HelperProto.of(INTEGER, UNINIT_MEM, SIZE_OR_ZERO, UNSAFE_PTR);

    static long read(Cpu cpu, ProbeEnv env, long dst, long size, long src) {
        if (size == 0) {
            return 0;
        }
        if (size < 0 || size > Integer.MAX_VALUE) {
            return -Errno.EINVAL;
        }
        int n = (int) size;
        Region d = cpu.resolve(dst, n, Region.WRITE);
        int doff = d.base() + (int) dst;
        Region s = cpu.regionFor(src, n, Region.READ);
        if (s != null) {
            System.arraycopy(s.data(), s.base() + (int) src, d.data(), doff, n);
            return 0;
        }
        long got = env.readObject(cpu, src, d.data(), doff, n, false);
        if (got < 0) {
            Arrays.fill(d.data(), doff, doff + n, (byte) 0);
            return -Errno.EFAULT;
        }
        return 0;
    }

    /** The string forms: at most size−1 bytes and a NUL; returns the bytes written including the NUL. */
    static long readStr(Cpu cpu, ProbeEnv env, long dst, long size, long src) {
        if (size == 0) {
            return 0;
        }
        if (size < 0 || size > Integer.MAX_VALUE) {
            return -Errno.EINVAL;
        }
        int n = (int) size;
        Region d = cpu.resolve(dst, n, Region.WRITE);
        byte[] out = d.data();
        int doff = d.base() + (int) dst;
        Region s = cpu.regionFor(src, 1, Region.READ);
        if (s != null) {
            byte[] in = s.data();
            int soff = s.base() + (int) src;
            int avail = s.size() - (int) src;
            int k = 0;
            while (k < n - 1 && k < avail && in[soff + k] != 0) {
                out[doff + k] = in[soff + k];
                k++;
            }
            if (k < n - 1 && k == avail) {
                // The region ended before a NUL: a read past the end, as a fault would be in Linux.
                Arrays.fill(out, doff, doff + n, (byte) 0);
                return -Errno.EFAULT;
            }
            out[doff + k] = 0;
            return k + 1;
        }
        long got = env.readObject(cpu, src, out, doff, n, true);
        if (got < 0) {
            Arrays.fill(out, doff, doff + n, (byte) 0);
            return -Errno.EFAULT;
        }
        return got;
    }
}

package dev.sonde.probe.hit;

import static dev.sonde.bpf.vm.HelperProto.Arg.ANYTHING;
import static dev.sonde.bpf.vm.HelperProto.Arg.CTX;
import static dev.sonde.bpf.vm.HelperProto.Arg.SIZE;
import static dev.sonde.bpf.vm.HelperProto.Arg.SIZE_OR_ZERO;
import static dev.sonde.bpf.vm.HelperProto.Arg.UNINIT_MEM;
import static dev.sonde.bpf.vm.HelperProto.Ret.INTEGER;

import dev.sonde.bpf.vm.Errno;
import dev.sonde.bpf.helper.Helpers;
import dev.sonde.bpf.helper.ThreadInfo;
import dev.sonde.bpf.helper.TracePipe;
import dev.sonde.bpf.mem.Region;
import dev.sonde.bpf.vm.Cpu;
import dev.sonde.bpf.vm.HelperProto;
import dev.sonde.bpf.vm.HelperTable;
import dev.sonde.probe.object.HandleLayout;
import dev.sonde.probe.object.Utf8;
import dev.sonde.probe.symbol.MethodSymbol;
import java.util.Arrays;

/**
 * Sonde's JVM helpers (ids 0x5300..0x53ff, declared in {@code c-lib-bindings/include/sonde/probe.h}),
 * each beside its prototype. Each copies a NUL-terminated UTF-8 name into {@code buf}: at most
 * size−1 bytes (possibly cutting a multi-byte character) and a NUL, and returns the bytes written
 * including the NUL; size 0 writes nothing and returns 0. On an error {@code buf} is zeroed:
 * -EFAULT for a handle that names no object, -EOPNOTSUPP for a method name asked outside a hit.
 * A {@code buf} that is not writable program memory is a program bug and faults the run, as for
 * probe_read. No helper allocates (a class's name is the JVM's cached String after its first use).
 */
public final class JvmHelpers {
    private JvmHelpers() {
    }

    public static final int GET_CLASS_NAME = 0x5300;
    public static final int GET_METHOD_NAME = 0x5301;
    public static final int GET_THREAD_NAME = 0x5302;
    public static final int GET_OBJECT_CLASS = 0x5303;

    /** {@code long sonde_get_class_name(void *ctx, char *buf, u32 size)}. */
    static final HelperProto CLASS_NAME = HelperProto.of(INTEGER, CTX, UNINIT_MEM, SIZE_OR_ZERO);
    /** {@code long sonde_get_method_name(void *ctx, char *buf, u32 size)}. */
    static final HelperProto METHOD_NAME = HelperProto.of(INTEGER, CTX, UNINIT_MEM, SIZE_OR_ZERO);
    /** {@code long sonde_get_thread_name(char *buf, u32 size)}. */
    static final HelperProto THREAD_NAME = HelperProto.of(INTEGER, UNINIT_MEM, SIZE_OR_ZERO);
    /** {@code long sonde_get_object_class(u64 handle, char *buf, u32 size)}: the handle is any value. */
    static final HelperProto OBJECT_CLASS = HelperProto.of(INTEGER, ANYTHING, UNINIT_MEM, SIZE_OR_ZERO);

    /** {@code u64 bpf_get_current_pid_tgid(void)}, as bpf-vm's, or the sampled thread's. */
    static final HelperProto PID_TGID = HelperProto.of(INTEGER);
    /** {@code long bpf_get_current_comm(void *buf, u32 size)}, as bpf-vm's, or the sampled thread's. */
    static final HelperProto COMM = HelperProto.of(INTEGER, UNINIT_MEM, SIZE);

    /**
     * The generic helpers of {@link Helpers#all} plus the JVM helpers; get_current_pid_tgid and
     * get_current_comm answer for the sampled thread in a {@code timer/<period>/threads} run.
     */
    public static HelperTable all(JvmProbeEnv env, TracePipe pipe) {
        return Helpers.all(env, pipe).withAll(jvm())
            .with(14, "bpf_get_current_pid_tgid", PID_TGID, (cpu, a, b, c, d, e) -> pidTgid(cpu))
            .with(16, "bpf_get_current_comm", COMM, (cpu, buf, size, c, d, e) -> comm(cpu, buf, size));
    }

    static long pidTgid(Cpu cpu) {
        ProbeHit h = ProbeHits.current(cpu);
        return h != null && h.sampled() ? h.sampledPidTgid() : ThreadInfo.pidTgid();
    }

    static long comm(Cpu cpu, long buf, long size) {
        if (size <= 0 || size > Integer.MAX_VALUE) {
            return -Errno.EINVAL;
        }
        Region r = cpu.resolve(buf, (int) size, Region.WRITE);
        int off = r.base() + (int) buf;
        ProbeHit h = ProbeHits.current(cpu);
        if (h == null || !h.sampled()) {
            ThreadInfo.comm(r.data(), off, (int) size);
            return 0;
        }
        // The first 15 bytes of the name, a NUL, zeros to size (DESIGN.md §4), as ThreadInfo.comm.
        int n = Utf8.copyStr(h.sampledThreadName(), r.data(), off, (int) Math.min(size, 16));
        Arrays.fill(r.data(), off + Math.max(0, n), off + (int) size, (byte) 0);
        return 0;
    }

    /** The JVM helpers alone. */
    public static HelperTable jvm() {
        return HelperTable.empty()
            .with(GET_CLASS_NAME, "sonde_get_class_name", CLASS_NAME,
                (cpu, ctx, buf, size, x, y) -> methodName(cpu, buf, size, true))
            .with(GET_METHOD_NAME, "sonde_get_method_name", METHOD_NAME,
                (cpu, ctx, buf, size, x, y) -> methodName(cpu, buf, size, false))
            .with(GET_THREAD_NAME, "sonde_get_thread_name", THREAD_NAME,
                (cpu, buf, size, x, y, z) -> threadName(cpu, buf, size))
            .with(GET_OBJECT_CLASS, "sonde_get_object_class", OBJECT_CLASS,
                (cpu, handle, buf, size, x, y) -> objectClass(cpu, handle, buf, size));
    }

    static long methodName(Cpu cpu, long buf, long size, boolean className) {
        if (size == 0) {
            return 0;
        }
        Region d = destination(cpu, buf, size);
        if (d == null) {
            return -Errno.EINVAL;
        }
        int off = d.base() + (int) buf;
        ProbeHit h = ProbeHits.current(cpu);
        MethodSymbol m = h == null ? null : h.method();
        if (m == null) {
            Arrays.fill(d.data(), off, off + (int) size, (byte) 0);
            return -Errno.EOPNOTSUPP;
        }
        return className ? m.copyClassName(d.data(), off, (int) size) : m.copyMethodName(d.data(), off, (int) size);
    }

    static long threadName(Cpu cpu, long buf, long size) {
        if (size == 0) {
            return 0;
        }
        Region d = destination(cpu, buf, size);
        if (d == null) {
            return -Errno.EINVAL;
        }
        ProbeHit h = ProbeHits.current(cpu);
        String name = h != null && h.sampled() ? h.sampledThreadName() : Thread.currentThread().getName();
        return Utf8.copyStr(name, d.data(), d.base() + (int) buf, (int) size);
    }

    static long objectClass(Cpu cpu, long handle, long buf, long size) {
        if (size == 0) {
            return 0;
        }
        Region d = destination(cpu, buf, size);
        if (d == null) {
            return -Errno.EINVAL;
        }
        int off = d.base() + (int) buf;
        // The handle itself, not an address inside the view: offset 0 only.
        Object o = HandleLayout.offset(handle) == 0 ? JvmProbeEnv.object(cpu, handle) : null;
        if (o == null) {
            Arrays.fill(d.data(), off, off + (int) size, (byte) 0);
            return -Errno.EFAULT;
        }
        return Utf8.copyStr(o.getClass().getName(), d.data(), off, (int) size);
    }

    /** The writable region of {@code buf[0, size)}; faults the run when it is not one. Null for a bad size. */
    private static Region destination(Cpu cpu, long buf, long size) {
        if (size < 0 || size > Integer.MAX_VALUE) {
            return null;
        }
        return cpu.resolve(buf, (int) size, Region.WRITE);
    }
}

package dev.sonde.bpf.helper;

import dev.sonde.bpf.vm.Errno;
import static dev.sonde.bpf.vm.HelperProto.Arg.UNINIT_MEM;
import static dev.sonde.bpf.vm.HelperProto.Arg.SIZE;
import static dev.sonde.bpf.vm.HelperProto.Ret.INTEGER;

import dev.sonde.bpf.mem.Region;
import dev.sonde.bpf.vm.Cpu;
import dev.sonde.bpf.vm.HelperProto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/** Clocks, randomness, the slot number, the current thread: each body beside its prototype. */
final class BaseHelpers {
    private BaseHelpers() {
    }

    /** 5: {@code u64 bpf_ktime_get_ns(void)}: CLOCK_MONOTONIC, which System.nanoTime reads on Linux. */
    static final HelperProto KTIME_GET_NS = HelperProto.of(INTEGER);

    static long ktimeGetNs(Cpu cpu, long a, long b, long c, long d, long e) {
        return System.nanoTime();
    }

    /**
     * 125: {@code u64 bpf_ktime_get_boot_ns(void)}: CLOCK_BOOTTIME. The JVM has no such clock; the
     * monotonic clock plus the offset between /proc/uptime and it, taken once at start-up, gives
     * boot-relative time that agrees with the kernel's as long as the machine does not suspend.
     */
    static final HelperProto KTIME_GET_BOOT_NS = HelperProto.of(INTEGER);
    private static final long BOOT_OFFSET = bootOffset();

    static long ktimeGetBootNs(Cpu cpu, long a, long b, long c, long d, long e) {
        return System.nanoTime() + BOOT_OFFSET;
    }

    private static long bootOffset() {
        try {
            String up = Files.readString(Path.of("/proc/uptime")).trim().split("\\s+")[0];
            long uptimeNs = (long) (Double.parseDouble(up) * 1e9);
            return uptimeNs - System.nanoTime();
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** 7: {@code u32 bpf_get_prandom_u32(void)}. */
    static final HelperProto GET_PRANDOM_U32 = HelperProto.of(INTEGER);

    static long getPrandomU32(Cpu cpu, long a, long b, long c, long d, long e) {
        return ThreadLocalRandom.current().nextInt() & 0xffffffffL;
    }

    /** 8: {@code u32 bpf_get_smp_processor_id(void)}: the execution slot, stable during a run. */
    static final HelperProto GET_SMP_PROCESSOR_ID = HelperProto.of(INTEGER);

    static long getSmpProcessorId(Cpu cpu, long a, long b, long c, long d, long e) {
        return cpu.id;
    }

    /** 14: {@code u64 bpf_get_current_pid_tgid(void)}. */
    static final HelperProto GET_CURRENT_PID_TGID = HelperProto.of(INTEGER);

    static long getCurrentPidTgid(Cpu cpu, long a, long b, long c, long d, long e) {
        return ThreadInfo.pidTgid();
    }

    /** 15: {@code u64 bpf_get_current_uid_gid(void)}. */
    static final HelperProto GET_CURRENT_UID_GID = HelperProto.of(INTEGER);

    static long getCurrentUidGid(Cpu cpu, long a, long b, long c, long d, long e) {
        return ThreadInfo.uidGid();
    }

    /** 16: {@code long bpf_get_current_comm(void *buf, u32 size)}. */
    static final HelperProto GET_CURRENT_COMM = HelperProto.of(INTEGER, UNINIT_MEM, SIZE);

    static long getCurrentComm(Cpu cpu, long buf, long size, long c, long d, long e) {
        if (size <= 0 || size > Integer.MAX_VALUE) {
            return -Errno.EINVAL;
        }
        Region r = cpu.resolve(buf, (int) size, Region.WRITE);
        ThreadInfo.comm(r.data(), r.base() + (int) buf, (int) size);
        return 0;
    }

}

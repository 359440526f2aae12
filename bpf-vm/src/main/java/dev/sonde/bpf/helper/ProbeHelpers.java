package dev.sonde.bpf.helper;

import dev.sonde.bpf.vm.Errno;
import static dev.sonde.bpf.vm.HelperProto.Arg.CTX;
import static dev.sonde.bpf.vm.HelperProto.Arg.FUNC;
import static dev.sonde.bpf.vm.HelperProto.Arg.SCALAR;
import static dev.sonde.bpf.vm.HelperProto.Arg.SIZE_OR_ZERO;
import static dev.sonde.bpf.vm.HelperProto.Arg.STACK_OR_NULL;
import static dev.sonde.bpf.vm.HelperProto.Arg.U64_OUT;
import static dev.sonde.bpf.vm.HelperProto.Arg.UNINIT_MEM;
import static dev.sonde.bpf.vm.HelperProto.Ret.INTEGER;

import dev.sonde.bpf.mem.Region;
import dev.sonde.bpf.vm.Cpu;
import dev.sonde.bpf.vm.HelperProto;
import dev.sonde.bpf.vm.Interpreter;
import java.util.Arrays;

/**
 * Helpers about the traced call (173, 174, 183–185), the stack (67) and bpf_loop (181). The facts
 * come from the {@link ProbeEnv} the probe layer supplies.
 */
final class ProbeHelpers {
    private ProbeHelpers() {
    }

    /** 173: {@code u64 bpf_get_func_ip(void *ctx)}. */
    static final HelperProto GET_FUNC_IP = HelperProto.of(INTEGER, CTX);
    /** 174: {@code u64 bpf_get_attach_cookie(void *ctx)}. */
    static final HelperProto GET_ATTACH_COOKIE = HelperProto.of(INTEGER, CTX);
    /** 185: {@code long bpf_get_func_arg_cnt(void *ctx)}. */
    static final HelperProto GET_FUNC_ARG_CNT = HelperProto.of(INTEGER, CTX);

    /** 183: {@code long bpf_get_func_arg(void *ctx, u32 n, u64 *value)}: 0, or -EINVAL when n is no parameter. */
    static final HelperProto GET_FUNC_ARG = HelperProto.of(INTEGER, CTX, SCALAR, U64_OUT);

    static long getFuncArg(Cpu cpu, ProbeEnv env, long n, long value) {
        long count = env.funcArgCount(cpu);
        if (count < 0) {
            return count;
        }
        if (n < 0 || n >= count) {
            cpu.store64(value, 0);
            return -Errno.EINVAL;
        }
        cpu.store64(value, env.funcArg(cpu, (int) n));
        return 0;
    }

    /** 184: {@code long bpf_get_func_ret(void *ctx, u64 *value)}: 0, or -EOPNOTSUPP at an entry probe. */
    static final HelperProto GET_FUNC_RET = HelperProto.of(INTEGER, CTX, U64_OUT);

    static long getFuncRet(Cpu cpu, ProbeEnv env, long value) {
        if (!env.atReturn(cpu)) {
            return -Errno.EOPNOTSUPP;
        }
        cpu.store64(value, env.funcRet(cpu));
        return 0;
    }

    /** Flags of get_stack / get_stackid. */
    static final long SKIP_MASK = 0xff;
    static final long USER_STACK = 1 << 8;
    static final long USER_BUILD_ID = 1 << 11;

    /**
     * 67: {@code long bpf_get_stack(void *ctx, void *buf, u32 size, u64 flags)}: synthetic frame
     * addresses, innermost first, u64 each; the rest of buf zeroed. Java stacks are "user" and
     * "kernel" stacks at once, so BPF_F_USER_STACK changes nothing; build ids do not exist.
     */
    static final HelperProto GET_STACK = HelperProto.of(INTEGER, CTX, UNINIT_MEM, SIZE_OR_ZERO, SCALAR);

    static long getStack(Cpu cpu, ProbeEnv env, long buf, long size, long flags) {
        if ((flags & ~(SKIP_MASK | USER_STACK)) != 0 || size < 0 || size > Integer.MAX_VALUE) {
            return -Errno.EINVAL;
        }
        if (size == 0) {
            return 0;
        }
        Region d = cpu.resolve(buf, (int) size, Region.WRITE);
        int off = d.base() + (int) buf;
        Arrays.fill(d.data(), off, off + (int) size, (byte) 0);
        SlotState st = SlotState.of(cpu);
        int max = (int) Math.min(size / 8, SlotState.MAX_FRAMES);
        int n = env.stack(cpu, st.frames, max, (int) (flags & SKIP_MASK));
        if (n < 0) {
            return n;
        }
        for (int k = 0; k < n; k++) {
            cpu.store64(buf + 8L * k, st.frames[k]);
        }
        return 8L * n;
    }

    /** 181: {@code long bpf_loop(u32 nr_loops, void *callback_fn, void *callback_ctx, u64 flags)}. */
    static final HelperProto LOOP = HelperProto.of(INTEGER, SCALAR, FUNC, STACK_OR_NULL, SCALAR);
    static final long MAX_LOOPS = 1 << 23;

    static long loop(Cpu cpu, long nr, long fn, long ctx, long flags) {
        if (flags != 0) {
            return -Errno.EINVAL;
        }
        long n = nr & 0xffffffffL;
        if (n > MAX_LOOPS) {
            return -Errno.E2BIG;
        }
        for (long i = 0; i < n; i++) {
            if (Interpreter.callback(cpu, fn, i, ctx, 0, 0, 0) != 0) {
                return i + 1;
            }
        }
        return n;
    }

}

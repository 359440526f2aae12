package dev.sonde.bpf.helper;

import dev.sonde.bpf.vm.HelperTable;

/**
 * Sonde's helper table: Linux numbers and names (as in Debian libbpf-dev's bpf_helper_defs.h), each
 * with the prototype that sits beside its body. A program that calls an id missing here fails to
 * load with the id named ({@link dev.sonde.bpf.vm.Program#load}).
 */
public final class Helpers {
    private Helpers() {
    }

    /**
     * The helpers that need no maps: clocks, threads, reads, printing, the traced call, stacks and
     * bpf_loop. {@code env} answers for the traced call; {@code pipe} receives printk lines.
     */
    public static HelperTable standard(ProbeEnv env, TracePipe pipe) {
        return HelperTable.empty()
            .with(4, "bpf_probe_read", ReadHelpers.PROBE_READ,
                (cpu, d, n, s, x, y) -> ReadHelpers.read(cpu, env, d, n, s))
            .with(5, "bpf_ktime_get_ns", BaseHelpers.KTIME_GET_NS, BaseHelpers::ktimeGetNs)
            .with(6, "bpf_trace_printk", PrintHelpers.TRACE_PRINTK,
                (cpu, f, n, a, b, c) -> PrintHelpers.tracePrintk(cpu, env, pipe, f, n, a, b, c))
            .with(7, "bpf_get_prandom_u32", BaseHelpers.GET_PRANDOM_U32, BaseHelpers::getPrandomU32)
            .with(8, "bpf_get_smp_processor_id", BaseHelpers.GET_SMP_PROCESSOR_ID, BaseHelpers::getSmpProcessorId)
            .with(14, "bpf_get_current_pid_tgid", BaseHelpers.GET_CURRENT_PID_TGID, BaseHelpers::getCurrentPidTgid)
            .with(15, "bpf_get_current_uid_gid", BaseHelpers.GET_CURRENT_UID_GID, BaseHelpers::getCurrentUidGid)
            .with(16, "bpf_get_current_comm", BaseHelpers.GET_CURRENT_COMM, BaseHelpers::getCurrentComm)
            .with(45, "bpf_probe_read_str", ReadHelpers.PROBE_READ,
                (cpu, d, n, s, x, y) -> ReadHelpers.readStr(cpu, env, d, n, s))
            .with(67, "bpf_get_stack", ProbeHelpers.GET_STACK,
                (cpu, ctx, buf, n, flags, y) -> ProbeHelpers.getStack(cpu, env, buf, n, flags))
            .with(112, "bpf_probe_read_user", ReadHelpers.PROBE_READ,
                (cpu, d, n, s, x, y) -> ReadHelpers.read(cpu, env, d, n, s))
            .with(113, "bpf_probe_read_kernel", ReadHelpers.PROBE_READ,
                (cpu, d, n, s, x, y) -> ReadHelpers.read(cpu, env, d, n, s))
            .with(114, "bpf_probe_read_user_str", ReadHelpers.PROBE_READ,
                (cpu, d, n, s, x, y) -> ReadHelpers.readStr(cpu, env, d, n, s))
            .with(115, "bpf_probe_read_kernel_str", ReadHelpers.PROBE_READ,
                (cpu, d, n, s, x, y) -> ReadHelpers.readStr(cpu, env, d, n, s))
            .with(125, "bpf_ktime_get_boot_ns", BaseHelpers.KTIME_GET_BOOT_NS, BaseHelpers::ktimeGetBootNs)
            .with(165, "bpf_snprintf", PrintHelpers.SNPRINTF,
                (cpu, s, n, f, d, dl) -> PrintHelpers.snprintf(cpu, env, s, n, f, d, dl))
            .with(173, "bpf_get_func_ip", ProbeHelpers.GET_FUNC_IP, (cpu, ctx, b, c, d, e) -> env.funcIp(cpu))
            .with(174, "bpf_get_attach_cookie", ProbeHelpers.GET_ATTACH_COOKIE,
                (cpu, ctx, b, c, d, e) -> env.attachCookie(cpu))
            .with(177, "bpf_trace_vprintk", PrintHelpers.TRACE_VPRINTK,
                (cpu, f, n, d, dl, y) -> PrintHelpers.traceVprintk(cpu, env, pipe, f, n, d, dl))
            .with(181, "bpf_loop", ProbeHelpers.LOOP, (cpu, nr, fn, ctx, flags, y) -> ProbeHelpers.loop(cpu, nr, fn, ctx, flags))
            .with(183, "bpf_get_func_arg", ProbeHelpers.GET_FUNC_ARG,
                (cpu, ctx, n, v, d, e) -> ProbeHelpers.getFuncArg(cpu, env, n, v))
            .with(184, "bpf_get_func_ret", ProbeHelpers.GET_FUNC_RET,
                (cpu, ctx, v, c, d, e) -> ProbeHelpers.getFuncRet(cpu, env, v))
            .with(185, "bpf_get_func_arg_cnt", ProbeHelpers.GET_FUNC_ARG_CNT,
                (cpu, ctx, b, c, d, e) -> env.funcArgCount(cpu));
    }
}

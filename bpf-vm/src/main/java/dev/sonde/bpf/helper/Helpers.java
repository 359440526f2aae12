package dev.sonde.bpf.helper;

import dev.sonde.bpf.map.RingBuf;
import dev.sonde.bpf.vm.HelperTable;

/**
 * Sonde's helper table: Linux numbers and names (as in Debian libbpf-dev's bpf_helper_defs.h), each
 * with the prototype that sits beside its body. A program that calls an id missing here fails to
 * load with the id named ({@link dev.sonde.bpf.vm.Program#load}).
 */
public final class Helpers {
    private Helpers() {
    }

    /** Every helper Sonde has: {@link #standard} plus the map helpers. */
    public static HelperTable all(ProbeEnv env, TracePipe pipe) {
        return standard(env, pipe)
            .with(1, "bpf_map_lookup_elem", MapHelpers.LOOKUP,
                (cpu, m, k, x, y, z) -> MapHelpers.map(cpu, m).lookupElem(cpu, k))
            .with(2, "bpf_map_update_elem", MapHelpers.UPDATE,
                (cpu, m, k, v, f, z) -> MapHelpers.map(cpu, m).updateElem(cpu, k, v, f))
            .with(3, "bpf_map_delete_elem", MapHelpers.DELETE,
                (cpu, m, k, x, y, z) -> MapHelpers.map(cpu, m).deleteElem(cpu, k))
            .with(12, "bpf_tail_call", MapHelpers.TAIL_CALL, (cpu, ctx, m, i, y, z) -> MapHelpers.tailCall(cpu, m, i))
            .with(25, "bpf_perf_event_output", MapHelpers.PERF_EVENT_OUTPUT,
                (cpu, ctx, m, f, d, n) -> MapHelpers.perfEventOutput(cpu, m, f, d, n))
            .with(27, "bpf_get_stackid", MapHelpers.GET_STACKID,
                (cpu, ctx, m, f, y, z) -> MapHelpers.getStackId(cpu, env, m, f))
            .with(130, "bpf_ringbuf_output", MapHelpers.RINGBUF_OUTPUT,
                (cpu, m, d, n, f, z) -> MapHelpers.ringbufOutput(cpu, m, d, n, f))
            .with(131, "bpf_ringbuf_reserve", MapHelpers.RINGBUF_RESERVE,
                (cpu, m, n, f, y, z) -> MapHelpers.ringbufReserve(cpu, m, n, f))
            .with(132, "bpf_ringbuf_submit", MapHelpers.RINGBUF_COMMIT, (cpu, d, f, x, y, z) -> {
                RingBuf.submit(cpu, d, f);
                return 0;
            })
            .with(133, "bpf_ringbuf_discard", MapHelpers.RINGBUF_COMMIT, (cpu, d, f, x, y, z) -> {
                RingBuf.discard(cpu, d, f);
                return 0;
            })
            .with(134, "bpf_ringbuf_query", MapHelpers.RINGBUF_QUERY, (cpu, m, f, x, y, z) -> MapHelpers.ringbufQuery(cpu, m, f))
            .with(195, "bpf_map_lookup_percpu_elem", MapHelpers.LOOKUP_PERCPU,
                (cpu, m, k, c, y, z) -> MapHelpers.map(cpu, m).lookupPercpuElem(cpu, k, c & 0xffffffffL));
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

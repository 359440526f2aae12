package dev.sonde.bpf.verifier;

import static dev.sonde.bpf.vm.HelperProto.Arg.*;

import dev.sonde.bpf.vm.HelperProto;
import dev.sonde.bpf.vm.HelperProto.Ret;
import dev.sonde.bpf.vm.HelperTable;
import java.util.List;

/** Helper prototypes as Linux declares them (one body, never run: the verifier reads only the prototypes). */
final class TestHelpers {
    // trace_printk declares only fmt and its size, as Linux does: r3..r5 are not checked.
    private TestHelpers() {
    }

    static final HelperTable TABLE = HelperTable.empty()
        .with(1, "bpf_map_lookup_elem", HelperProto.of(Ret.MAP_VALUE_OR_NULL, MAP, MAP_KEY), TestHelpers::neverRun)
        .with(2, "bpf_map_update_elem", HelperProto.of(Ret.INTEGER, MAP, MAP_KEY, MAP_VALUE, SCALAR), TestHelpers::neverRun)
        .with(3, "bpf_map_delete_elem", HelperProto.of(Ret.INTEGER, MAP, MAP_KEY), TestHelpers::neverRun)
        .with(4, "bpf_probe_read", HelperProto.of(Ret.INTEGER, UNINIT_MEM, SIZE_OR_ZERO, UNSAFE_PTR), TestHelpers::neverRun)
        .with(5, "bpf_ktime_get_ns", HelperProto.of(Ret.INTEGER), TestHelpers::neverRun)
        .with(6, "bpf_trace_printk", HelperProto.of(Ret.INTEGER, MEM, SIZE), TestHelpers::neverRun)
        .with(12, "bpf_tail_call", HelperProto.of(Ret.INTEGER, CTX, MAP, SCALAR), TestHelpers::neverRun)
        .with(14, "bpf_get_current_pid_tgid", HelperProto.of(Ret.INTEGER), TestHelpers::neverRun)
        .with(16, "bpf_get_current_comm", HelperProto.of(Ret.INTEGER, UNINIT_MEM, SIZE), TestHelpers::neverRun)
        .with(112, "bpf_probe_read_user", HelperProto.of(Ret.INTEGER, UNINIT_MEM, SIZE_OR_ZERO, UNSAFE_PTR), TestHelpers::neverRun)
        .with(113, "bpf_probe_read_kernel", HelperProto.of(Ret.INTEGER, UNINIT_MEM, SIZE_OR_ZERO, UNSAFE_PTR), TestHelpers::neverRun)
        .with(114, "bpf_probe_read_user_str", HelperProto.of(Ret.INTEGER, UNINIT_MEM, SIZE_OR_ZERO, UNSAFE_PTR),
            TestHelpers::neverRun)
        .with(130, "bpf_ringbuf_output", HelperProto.of(Ret.INTEGER, MAP, MEM, SIZE_OR_ZERO, SCALAR), TestHelpers::neverRun)
        .with(131, "bpf_ringbuf_reserve", HelperProto.returningMem(1, MAP, SCALAR, SCALAR), TestHelpers::neverRun)
        .with(132, "bpf_ringbuf_submit", HelperProto.of(Ret.VOID, RINGBUF_RECORD, SCALAR), TestHelpers::neverRun)
        .with(133, "bpf_ringbuf_discard", HelperProto.of(Ret.VOID, RINGBUF_RECORD, SCALAR), TestHelpers::neverRun)
        .with(165, "bpf_snprintf", HelperProto.of(Ret.INTEGER, UNINIT_MEM, SIZE_OR_ZERO, CONST_STR, MEM, SIZE_OR_ZERO),
            TestHelpers::neverRun)
        .with(173, "bpf_get_func_ip", HelperProto.of(Ret.INTEGER, CTX), TestHelpers::neverRun)
        .with(181, "bpf_loop", HelperProto.of(Ret.INTEGER, SCALAR, FUNC, STACK_OR_NULL, SCALAR), TestHelpers::neverRun)
        .with(183, "bpf_get_func_arg", HelperProto.of(Ret.INTEGER, CTX, SCALAR, U64_OUT), TestHelpers::neverRun);

    /** The body behind every prototype: verification never calls a helper, so none runs. */
    private static long neverRun(dev.sonde.bpf.vm.Cpu cpu, long a, long b, long c, long d, long e) {
        return 0;
    }

    /** Maps of the probe tests: 0 hash counts (u32 → u64), 1 ring buffer, 2 .rodata, 3 .bss, 4 array, 5 prog array. */
    static final List<MapInfo> MAPS = List.of(
        MapInfo.of("counts", MapInfo.HASH, 4, 8, 1024),
        MapInfo.of("events", MapInfo.RINGBUF, 0, 0, 256 * 1024),
        MapInfo.globalData(".rodata", 16, "hello %d\n\0\0\0\0\0\0\0".getBytes(java.nio.charset.StandardCharsets.US_ASCII)),
        MapInfo.globalData(".bss", 16, null),
        MapInfo.of("stats", MapInfo.ARRAY, 4, 16, 4),
        MapInfo.of("jumps", MapInfo.PROG_ARRAY, 4, 4, 8));

    static VerifierConfig kprobe() {
        return VerifierConfig.of(ProgramType.KPROBE).withHelpers(TABLE).withMaps(MAPS);
    }
}

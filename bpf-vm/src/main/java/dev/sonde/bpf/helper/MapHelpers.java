package dev.sonde.bpf.helper;

import dev.sonde.bpf.vm.Errno;
import static dev.sonde.bpf.vm.HelperProto.Arg.CTX;
import static dev.sonde.bpf.vm.HelperProto.Arg.MAP;
import static dev.sonde.bpf.vm.HelperProto.Arg.MAP_KEY;
import static dev.sonde.bpf.vm.HelperProto.Arg.MAP_VALUE;
import static dev.sonde.bpf.vm.HelperProto.Arg.MEM;
import static dev.sonde.bpf.vm.HelperProto.Arg.RINGBUF_RECORD;
import static dev.sonde.bpf.vm.HelperProto.Arg.SCALAR;
import static dev.sonde.bpf.vm.HelperProto.Arg.SIZE_OR_ZERO;
import static dev.sonde.bpf.vm.HelperProto.Ret.INTEGER;
import static dev.sonde.bpf.vm.HelperProto.Ret.MAP_VALUE_OR_NULL;
import static dev.sonde.bpf.vm.HelperProto.Ret.VOID;

import dev.sonde.bpf.map.BpfMap;
import dev.sonde.bpf.map.PerfEventArray;
import dev.sonde.bpf.map.ProgArray;
import dev.sonde.bpf.map.RingBuf;
import dev.sonde.bpf.map.StackTraceMap;
import dev.sonde.bpf.mem.Region;
import dev.sonde.bpf.vm.Cpu;
import dev.sonde.bpf.vm.FaultKind;
import dev.sonde.bpf.vm.HelperProto;
import dev.sonde.bpf.vm.Program;

/**
 * The helpers that take a map: element operations (1–3, 195), tail calls (12), perf output (25),
 * stack ids (27) and the ring buffer (130–134). The map argument is the address
 * {@link BpfMap#address} gives; anything else is a program bug and faults the run.
 */
final class MapHelpers {
    private MapHelpers() {
    }

    static BpfMap map(Cpu cpu, long addr) {
        Region r = cpu.regionOf(addr);
        if (r == null || r.kind != Region.Kind.MAP || !(r.owner() instanceof BpfMap m)) {
            throw cpu.fault(FaultKind.NOT_A_MAP, addr, 0);
        }
        return m;
    }

    private static <T> T map(Cpu cpu, long addr, Class<T> type) {
        BpfMap m = map(cpu, addr);
        if (!type.isInstance(m)) {
            throw cpu.fault(FaultKind.NOT_A_MAP, addr, 0);
        }
        return type.cast(m);
    }

    /** 1: {@code void *bpf_map_lookup_elem(void *map, const void *key)}. */
    static final HelperProto LOOKUP = HelperProto.of(MAP_VALUE_OR_NULL, MAP, MAP_KEY);
    /** 2: {@code long bpf_map_update_elem(void *map, const void *key, const void *value, u64 flags)}. */
    static final HelperProto UPDATE = HelperProto.of(INTEGER, MAP, MAP_KEY, MAP_VALUE, SCALAR);
    /** 3: {@code long bpf_map_delete_elem(void *map, const void *key)}. */
    static final HelperProto DELETE = HelperProto.of(INTEGER, MAP, MAP_KEY);
    /** 195: {@code void *bpf_map_lookup_percpu_elem(void *map, const void *key, u32 cpu)}. */
    static final HelperProto LOOKUP_PERCPU = HelperProto.of(MAP_VALUE_OR_NULL, MAP, MAP_KEY, SCALAR);

    /** 12: {@code long bpf_tail_call(void *ctx, void *prog_array, u32 index)}. */
    static final HelperProto TAIL_CALL = HelperProto.of(INTEGER, CTX, MAP, SCALAR);

    static long tailCall(Cpu cpu, long progArray, long index) {
        Object p = map(cpu, progArray, ProgArray.class).get(index & 0xffffffffL);
        if (!(p instanceof Program prog)) {
            return -Errno.ENOENT;
        }
        return cpu.requestTailCall(prog) ? 0 : -Errno.E2BIG;
    }

    /** 25: {@code long bpf_perf_event_output(void *ctx, void *map, u64 flags, void *data, u64 size)}. */
    static final HelperProto PERF_EVENT_OUTPUT = HelperProto.of(INTEGER, CTX, MAP, SCALAR, MEM, SIZE_OR_ZERO);

    static long perfEventOutput(Cpu cpu, long map, long flags, long data, long size) {
        return map(cpu, map, PerfEventArray.class).output(cpu, flags, data, size);
    }

    /** 27: {@code long bpf_get_stackid(void *ctx, void *map, u64 flags)}: the Java stack as synthetic addresses. */
    static final HelperProto GET_STACKID = HelperProto.of(INTEGER, CTX, MAP, SCALAR);

    static long getStackId(Cpu cpu, ProbeEnv env, long map, long flags) {
        StackTraceMap m = map(cpu, map, StackTraceMap.class);
        SlotState st = SlotState.of(cpu);
        int n = env.stack(cpu, st.frames, st.frames.length, 0);
        if (n < 0) {
            return n;
        }
        return m.getStackId(cpu, st.frames, n, flags);
    }

    /** 130: {@code long bpf_ringbuf_output(void *ringbuf, void *data, u64 size, u64 flags)}. */
    static final HelperProto RINGBUF_OUTPUT = HelperProto.of(INTEGER, MAP, MEM, SIZE_OR_ZERO, SCALAR);
    /** 131: {@code void *bpf_ringbuf_reserve(void *ringbuf, u64 size, u64 flags)}: size must be a constant. */
    static final HelperProto RINGBUF_RESERVE = HelperProto.returningMem(1, MAP, SCALAR, SCALAR);
    /** 132/133: {@code void bpf_ringbuf_submit/discard(void *data, u64 flags)}. */
    static final HelperProto RINGBUF_COMMIT = HelperProto.of(VOID, RINGBUF_RECORD, SCALAR);
    /** 134: {@code u64 bpf_ringbuf_query(void *ringbuf, u64 flags)}. */
    static final HelperProto RINGBUF_QUERY = HelperProto.of(INTEGER, MAP, SCALAR);

    static long ringbufOutput(Cpu cpu, long rb, long data, long size, long flags) {
        return map(cpu, rb, RingBuf.class).output(cpu, data, size, flags);
    }

    static long ringbufReserve(Cpu cpu, long rb, long size, long flags) {
        return map(cpu, rb, RingBuf.class).reserve(cpu, size, flags);
    }

    static long ringbufQuery(Cpu cpu, long rb, long flags) {
        return map(cpu, rb, RingBuf.class).query(cpu, flags);
    }

}

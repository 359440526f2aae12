package dev.sonde.bpf.object;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.sonde.bpf.ctx.PtRegs;
import dev.sonde.bpf.elf.DataSpec;
import dev.sonde.bpf.helper.Helpers;
import dev.sonde.bpf.helper.ProbeEnv;
import dev.sonde.bpf.helper.TracePipe;
import dev.sonde.bpf.map.BpfMap;
import dev.sonde.bpf.slot.ExecutionSlots;
import dev.sonde.bpf.testing.Resources;
import dev.sonde.bpf.vm.Cpu;
import dev.sonde.bpf.exec.ExecMode;
import dev.sonde.bpf.vm.Options;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Runs probe programs outside a JVM probe: a synthetic pt_regs context with the given parameters,
 * the real helper table, a fake stack for the stack helpers and a trace pipe that keeps lines.
 */
final class ProbeRunner implements AutoCloseable {
    final ExecutionSlots slots = new ExecutionSlots(4);
    final List<String> trace = new CopyOnWriteArrayList<>();
    volatile long[] stack = {0x1000, 0x2000, 0x3000};
    volatile long funcIp = 0x7000;
    private final List<BpfObject> objects = new CopyOnWriteArrayList<>();

    final ProbeEnv env = new ProbeEnv() {
        @Override
        public long funcIp(Cpu cpu) {
            return funcIp;
        }

        @Override
        public long attachCookie(Cpu cpu) {
            return 42;
        }

        @Override
        public long funcArgCount(Cpu cpu) {
            return 6;
        }

        @Override
        public int stack(Cpu cpu, long[] out, int max, int skip) {
            long[] s = stack;
            int n = Math.max(0, Math.min(max, s.length - skip));
            System.arraycopy(s, skip, out, 0, n);
            return n;
        }
    };

    final TracePipe pipe = (cpu, msg, off, len) -> trace.add(new String(msg, off, len, StandardCharsets.UTF_8));

    /** Verified and JIT-compiled unless a test says otherwise. */
    volatile boolean verify = true;
    volatile ExecMode mode = ExecMode.JIT;

    BpfObject load(String resource) throws Exception {
        BpfObject o = BpfObject.load(resource.substring(resource.lastIndexOf('/') + 1), Resources.bytes(resource), slots,
            LoadOptions.of(Options.defaults().withHelpers(Helpers.all(env, pipe))).withVerify(verify).withMode(mode));
        objects.add(o);
        return o;
    }

    /** Runs a program with parameters 1..6 in di, si, dx, cx, r8, r9. */
    long run(BpfObject o, String program, long... params) {
        return run(o, program, null, params);
    }

    /**
     * Runs a program with {@code memory} bound as caller memory for the run; parameter 1 is then its
     * address (the rest follow).
     */
    long run(BpfObject o, String program, byte[] memory, long... rest) {
        LoadedProgram p = o.program(program).orElseThrow();
        Cpu cpu = slots.tryEnter();
        assertNotNull(cpu, "no free slot");
        try {
            long[] params = rest;
            if (memory != null) {
                params = new long[rest.length + 1];
                params[0] = cpu.bindCaller(0, memory, 0, memory.length, false);
                System.arraycopy(rest, 0, params, 1, rest.length);
            }
            byte[] regs = new byte[PtRegs.SIZE];
            for (int i = 0; i < params.length; i++) {
                PtRegs.put(regs, PtRegs.param(i + 1), params[i]);
            }
            PtRegs.put(regs, PtRegs.IP, funcIp);
            long ctx = cpu.bindContext(regs, 0, regs.length, false);
            long r0 = p.executable().run(cpu, ctx, 0);
            assertFalse(cpu.faulted(), cpu::describeFault);
            return r0;
        } finally {
            cpu.unbindAll();
            slots.exit(cpu);
        }
    }

    /** Runs a program if a slot is free; false when every slot is busy (nothing ran). */
    boolean tryRun(BpfObject o, String program, long... params) {
        LoadedProgram p = o.program(program).orElseThrow();
        Cpu cpu = slots.tryEnter();
        if (cpu == null) {
            return false;
        }
        try {
            byte[] regs = new byte[PtRegs.SIZE];
            for (int i = 0; i < params.length; i++) {
                PtRegs.put(regs, PtRegs.param(i + 1), params[i]);
            }
            long ctx = cpu.bindContext(regs, 0, regs.length, false);
            p.executable().run(cpu, ctx, 0);
            assertFalse(cpu.faulted(), cpu::describeFault);
            return true;
        } finally {
            cpu.unbindAll();
            slots.exit(cpu);
        }
    }

    /** The u64 at {@code key} of a map with u32 or u64 keys. */
    static long u64(BpfMap m, long key) {
        byte[] k = new byte[m.keySize()];
        for (int i = 0; i < m.keySize(); i++) {
            k[i] = (byte) (key >>> (8 * i));
        }
        byte[] v = m.lookup(k);
        return v == null ? Long.MIN_VALUE : ByteBuffer.wrap(v).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
    }

    /** A global variable's bytes from its data section ({@code .data}, {@code .bss}, {@code .rodata}). */
    static byte[] global(BpfObject o, String variable) {
        for (int i = 0; i < o.file().maps().size(); i++) {
            if (o.file().maps().get(i) instanceof DataSpec d) {
                for (DataSpec.Variable v : d.variables()) {
                    if (v.name().equals(variable)) {
                        byte[] value = o.maps().get(i).lookup(new byte[4]);
                        byte[] out = new byte[v.size()];
                        System.arraycopy(value, v.offset(), out, 0, v.size());
                        return out;
                    }
                }
            }
        }
        throw new IllegalArgumentException("no global " + variable);
    }

    static long globalU64(BpfObject o, String variable) {
        return ByteBuffer.wrap(global(o, variable)).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
    }

    @Override
    public void close() {
        objects.forEach(BpfObject::close);
        slots.close();
    }
}

package dev.sonde.bpf.map;

import dev.sonde.bpf.isa.Insn;
import dev.sonde.bpf.isa.Op;
import dev.sonde.bpf.mem.RegionTable;
import dev.sonde.bpf.slot.ExecutionSlots;
import dev.sonde.bpf.vm.Cpu;
import dev.sonde.bpf.vm.Interpreter;
import dev.sonde.bpf.vm.LoadException;
import dev.sonde.bpf.vm.Options;
import dev.sonde.bpf.vm.Program;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Slots over a private region table, and program memory for keys and values, as a helper sees them. */
final class MapFixture implements AutoCloseable {
    final RegionTable table = new RegionTable();
    final ExecutionSlots slots;

    MapFixture(int slotCount) {
        slots = new ExecutionSlots(slotCount, table);
    }

    <M extends BpfMap> M create(MapSpec spec) {
        @SuppressWarnings("unchecked")
        M m = (M) MapType.create(spec, slots);
        return m;
    }

    /** A Cpu that sees every region registered so far (as at the start of a run). */
    Cpu cpu(int i) {
        Cpu cpu = slots.cpu(i);
        refresh(cpu);
        return cpu;
    }

    private static final Program NOP;

    static {
        try {
            NOP = Program.load("nop", new Insn[] {Insn.of(Op.MOV64_K, 0, 0, 0, 0), Insn.of(Op.EXIT, 0, 0, 0, 0)},
                Options.defaults());
        } catch (LoadException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Runs an empty program: the interpreter takes the region-table snapshot a run starts with. */
    static void refresh(Cpu cpu) {
        Interpreter.run(NOP, cpu, 0, 0);
    }

    /** Exposes {@code bytes} as caller memory {@code i} of {@code cpu}; returns its program address. */
    static long mem(Cpu cpu, int i, byte[] bytes) {
        return cpu.bindCaller(i, bytes, 0, bytes.length, true);
    }

    static byte[] u32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }

    static byte[] u64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
    }

    static long u64(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    static long u64(byte[] b, int off) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong(off);
    }

    static int u32(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt();
    }

    @Override
    public void close() {
        slots.close();
    }
}

package dev.sonde.bpf.map;

import dev.sonde.bpf.vm.Errno;
import static dev.sonde.bpf.map.MapFixture.mem;
import static dev.sonde.bpf.map.MapFixture.u32;
import static dev.sonde.bpf.map.MapFixture.u64;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.sonde.bpf.mem.Addr;
import dev.sonde.bpf.vm.Cpu;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ArrayMapTest {
    final MapFixture fx = new MapFixture(4);

    @AfterEach
    void close() {
        fx.close();
    }

    @Test
    void valuesExistZeroedAndAreRoundedUpToEightBytes() {
        ArrayMap a = fx.create(MapSpec.of(MapType.ARRAY, "a", 4, 4, 3));
        Cpu cpu = fx.cpu(0);
        long v0 = a.lookupElem(cpu, mem(cpu, 0, u32(0)));
        long v1 = a.lookupElem(cpu, mem(cpu, 0, u32(1)));
        assertEquals(8, v1 - v0, "value_size 4 is laid out with stride 8, as Linux");
        assertEquals(0, cpu.load32(v1));
        cpu.store32(v1, 0xabcd);
        assertArrayEquals(u32(0xabcd), a.lookup(u32(1)));
        assertArrayEquals(u32(0), a.lookup(u32(2)));
        assertEquals(0, a.lookupElem(cpu, mem(cpu, 0, u32(3))), "index = max_entries is out of range");
        assertEquals(0, a.lookupElem(cpu, mem(cpu, 0, u32(-1))));
        assertNull(a.lookup(u32(3)));
    }

    @Test
    void updateFlagsAndErrnoAsLinux() {
        ArrayMap a = fx.create(MapSpec.of(MapType.ARRAY, "a", 4, 8, 2));
        Cpu cpu = fx.cpu(1);
        long key = mem(cpu, 0, u32(1));
        long val = mem(cpu, 1, u64(77));
        assertEquals(0, a.updateElem(cpu, key, val, BpfFlags.ANY));
        assertEquals(0, a.updateElem(cpu, key, val, BpfFlags.EXIST));
        assertEquals(-Errno.EEXIST, a.updateElem(cpu, key, val, BpfFlags.NOEXIST));
        assertEquals(-Errno.EINVAL, a.updateElem(cpu, key, val, 3));
        assertEquals(-Errno.EINVAL, a.updateElem(cpu, key, val, BpfFlags.F_LOCK));
        assertEquals(-Errno.E2BIG, a.updateElem(cpu, mem(cpu, 0, u32(2)), val, BpfFlags.ANY));
        assertEquals(-Errno.EINVAL, a.deleteElem(cpu, key));
        assertEquals(77, u64(a.lookup(u32(1))));
        assertEquals(-Errno.E2BIG, a.update(u32(5), u64(1), BpfFlags.ANY));
        assertEquals(-Errno.EINVAL, a.delete(u32(0)));
        assertEquals(-Errno.ENOENT, a.lookup(u32(9), new byte[8]));
    }

    @Test
    void getNextKeyWalksEveryIndex() {
        ArrayMap a = fx.create(MapSpec.of(MapType.ARRAY, "a", 4, 8, 3));
        assertEquals(0, u32(a.nextKey(null)));
        assertEquals(1, u32(a.nextKey(u32(0))));
        assertEquals(2, u32(a.nextKey(u32(1))));
        assertNull(a.nextKey(u32(2)));
        assertEquals(-Errno.ENOENT, a.getNextKey(u32(2), new byte[4]));
        assertEquals(0, u32(a.nextKey(u32(99))), "out of range restarts at 0");
    }

    @Test
    void badArgumentsThrowMapException() {
        ArrayMap a = fx.create(MapSpec.of(MapType.ARRAY, "a", 4, 8, 3));
        MapException e = assertThrows(MapException.class, () -> a.lookup(new byte[8]));
        assertEquals(Errno.EINVAL, e.errno());
        assertThrows(MapException.class, () -> a.update(u32(0), new byte[4], 0));
        assertThrows(MapException.class, () -> fx.create(MapSpec.of(MapType.ARRAY, "b", 8, 8, 3)));
        assertThrows(MapException.class, () -> fx.create(MapSpec.of(MapType.ARRAY, "b", 4, 0, 3)));
        assertThrows(MapException.class, () -> fx.create(MapSpec.of(MapType.ARRAY, "b", 4, 8, 3).withFlags(0x8000)));
    }

    @Test
    void readOnlyForProgramsWithRdonlyProg() {
        ArrayMap ro = fx.create(MapSpec.of(MapType.ARRAY, ".rodata", 4, 16, 1).withFlags(BpfFlags.RDONLY_PROG));
        assertEquals(0, ro.update(u32(0), new byte[16], 0));
        Cpu cpu = fx.cpu(0);
        long v = ro.lookupElem(cpu, mem(cpu, 0, u32(0)));
        assertEquals(0, cpu.load64(v));
        assertThrows(RuntimeException.class, () -> cpu.store64(v, 1), "store into a read-only region faults");
    }

    @Test
    void percpuArrayHasOneCopyPerSlot() {
        PercpuArrayMap p = fx.create(MapSpec.of(MapType.PERCPU_ARRAY, "p", 4, 8, 2));
        assertEquals(4 * 8, p.javaValueSize());
        for (int s = 0; s < 4; s++) {
            Cpu cpu = fx.cpu(s);
            long v = p.lookupElem(cpu, mem(cpu, 0, u32(1)));
            cpu.store64(v, cpu.load64(v) + 10 + s);
            assertEquals(0, p.updateElem(cpu, mem(cpu, 0, u32(0)), mem(cpu, 1, u64(s)), BpfFlags.ANY));
        }
        byte[] all = p.lookup(u32(1));
        byte[][] copies = PerCpu.split(all, 8);
        for (int s = 0; s < 4; s++) {
            assertEquals(10 + s, u64(copies[s]));
        }
        assertEquals(10 + 11 + 12 + 13, PerCpu.sumU64(all, 8, 0));
        assertEquals(0 + 1 + 2 + 3, PerCpu.sumU64(p.lookup(u32(0)), 8, 0));
    }

    @Test
    void closeReleasesTheRegionAndStopsProgramAccess() {
        ArrayMap a = fx.create(MapSpec.of(MapType.ARRAY, "a", 4, 8, 2));
        Cpu cpu = fx.cpu(0);
        long key = mem(cpu, 0, u32(0));
        long v = a.lookupElem(cpu, key);
        int region = Addr.region(v);
        assertEquals(a, fx.table.get(region).owner());
        a.close();
        assertNull(fx.table.get(region));
        MapFixture.refresh(cpu);
        assertEquals(0, a.lookupElem(cpu, key));
        assertEquals(-Errno.EBADF, a.updateElem(cpu, key, key, 0));
        assertEquals(-Errno.EBADF, a.update(u32(0), new byte[8], 0));
        assertThrows(RuntimeException.class, () -> cpu.load64(v), "a stale address faults");
    }
}

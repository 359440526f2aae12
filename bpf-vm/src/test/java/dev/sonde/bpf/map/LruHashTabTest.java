package dev.sonde.bpf.map;

import dev.sonde.bpf.vm.Errno;
import static dev.sonde.bpf.map.MapFixture.mem;
import static dev.sonde.bpf.map.MapFixture.u32;
import static dev.sonde.bpf.map.MapFixture.u64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.sonde.bpf.vm.Cpu;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LruHashTabTest {
    final MapFixture fx = new MapFixture(2);

    @AfterEach
    void close() {
        fx.close();
    }

    static Set<Integer> keys(BpfMap m) {
        Set<Integer> s = new TreeSet<>();
        for (byte[] k = m.nextKey(null); k != null; k = m.nextKey(k)) {
            s.add(u32(k));
        }
        return s;
    }

    @Test
    void aFullTableEvictsTheLeastRecentlyUsedKey() {
        LruHashTab m = fx.create(MapSpec.of(MapType.LRU_HASH, "lru", 4, 8, 3));
        Cpu cpu = fx.cpu(0);
        for (int k = 1; k <= 3; k++) {
            assertEquals(0, m.updateElem(cpu, mem(cpu, 0, u32(k)), mem(cpu, 1, u64(k * 10)), BpfFlags.ANY));
        }
        assertNotEquals(0, m.lookupElem(cpu, mem(cpu, 0, u32(1))));     // 1 used after 2 and 3
        assertEquals(0, m.updateElem(cpu, mem(cpu, 0, u32(4)), mem(cpu, 1, u64(40)), BpfFlags.ANY));
        assertEquals(Set.of(1, 3, 4), keys(m), "2 was least recently used");
        assertEquals(0, m.update(u32(5), u64(50), BpfFlags.ANY));
        assertEquals(Set.of(1, 4, 5), keys(m), "then 3");
        assertNotEquals(0, m.lookupElem(cpu, mem(cpu, 0, u32(4))));
        assertEquals(0, m.update(u32(6), u64(60), BpfFlags.ANY));
        assertEquals(Set.of(4, 5, 6), keys(m), "then 1 (4 was used, 5 is newer)");
        assertEquals(0, m.update(u32(6), u64(61), BpfFlags.ANY));
        assertEquals(Set.of(4, 5, 6), keys(m), "replacing a present key evicts nothing");
        assertEquals(61, u64(m.lookup(u32(6))));
        assertEquals(3, m.size());
        assertEquals(-Errno.EEXIST, m.update(u32(6), u64(0), BpfFlags.NOEXIST));
        assertEquals(-Errno.ENOENT, m.update(u32(7), u64(0), BpfFlags.EXIST));
        assertEquals(0, m.delete(u32(5)));
        assertEquals(0, m.update(u32(7), u64(70), BpfFlags.ANY));
        assertEquals(Set.of(4, 6, 7), keys(m), "a free place after delete: no eviction");
    }

    @Test
    void lruPercpuEvictsAndKeepsCopies() {
        LruPercpuHashTab m = fx.create(MapSpec.of(MapType.LRU_PERCPU_HASH, "lp", 4, 8, 2));
        Cpu c0 = fx.cpu(0);
        Cpu c1 = fx.cpu(1);
        m.updateElem(c0, mem(c0, 0, u32(1)), mem(c0, 1, u64(1)), BpfFlags.ANY);
        m.updateElem(c1, mem(c1, 0, u32(1)), mem(c1, 1, u64(2)), BpfFlags.ANY);
        assertEquals(3, PerCpu.sumU64(m.lookup(u32(1)), 8, 0));
        m.updateElem(c0, mem(c0, 0, u32(2)), mem(c0, 1, u64(5)), BpfFlags.ANY);
        m.lookupElem(c1, mem(c1, 0, u32(1)));
        m.updateElem(c0, mem(c0, 0, u32(3)), mem(c0, 1, u64(7)), BpfFlags.ANY);
        assertEquals(Set.of(1, 3), keys(m));
        assertEquals(3, PerCpu.sumU64(m.lookup(u32(1)), 8, 0));
    }
}

package dev.sonde.bpf.map;

import dev.sonde.bpf.vm.Errno;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonde.bpf.vm.Cpu;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class StackTraceMapTest {
    final MapFixture fx = new MapFixture(2);

    @AfterEach
    void close() {
        fx.close();
    }

    @Test
    void theSameStackGetsTheSameIdAndIsReadableByIt() {
        StackTraceMap m = fx.create(MapSpec.of(MapType.STACK_TRACE, "stacks", 4, 4 * 8, 1024));
        assertEquals(1024, m.buckets());
        Cpu cpu = fx.cpu(0);
        long[] s1 = {0x1000, 0x2000, 0x3000};
        long[] s2 = {0x1000, 0x2000, 0x3001};
        long id1 = m.getStackId(cpu, s1, 3, 0);
        long id2 = m.getStackId(cpu, s2, 3, 0);
        assertTrue(id1 >= 0 && id2 >= 0 && id1 != id2, id1 + " " + id2);
        assertEquals(id1, m.getStackId(cpu, s1.clone(), 3, 0));
        assertArrayEquals(s1, m.stack((int) id1));
        byte[] value = m.lookup(MapFixture.u32((int) id1));
        assertEquals(32, value.length);
        assertEquals(0x3000, MapFixture.u64(value, 16));
        assertEquals(0, MapFixture.u64(value, 24), "zero-filled past the stack's depth");

        long[] deep = {1, 2, 3, 4, 5, 6, 7};
        long idDeep = m.getStackId(cpu, deep, 7, 2);   // skip 2, keep max depth 4
        assertArrayEquals(new long[] {3, 4, 5, 6}, m.stack((int) idDeep));
        assertEquals(-Errno.EFAULT, m.getStackId(cpu, s1, 3, 3), "nothing left after skipping");
        assertEquals(-Errno.EINVAL, m.getStackId(cpu, s1, 3, 0x800));

        Set<Integer> ids = new HashSet<>();
        for (byte[] k = m.nextKey(null); k != null; k = m.nextKey(k)) {
            ids.add(MapFixture.u32(k));
        }
        assertEquals(Set.of((int) id1, (int) id2, (int) idDeep), ids);
        assertEquals(0, m.delete(MapFixture.u32((int) id1)));
        assertNull(m.stack((int) id1));
        assertEquals(-Errno.ENOENT, m.delete(MapFixture.u32((int) id1)));
        assertEquals(-Errno.EINVAL, m.update(MapFixture.u32(0), new byte[32], 0));
        assertEquals(0, m.lookupElem(cpu, 0), "programs cannot look up stack maps");
    }

    @Test
    void aCollisionGivesEexistUnlessReuseIsAsked() {
        StackTraceMap m = fx.create(MapSpec.of(MapType.STACK_TRACE, "one", 4, 16, 1));   // one bucket: all collide
        Cpu cpu = fx.cpu(1);
        long[] a = {0xa, 0xaa};
        long[] b = {0xb, 0xbb};
        assertEquals(0, m.getStackId(cpu, a, 2, 0));
        assertEquals(-Errno.EEXIST, m.getStackId(cpu, b, 2, 0));
        assertEquals(0, m.getStackId(cpu, a, 2, 0), "the stored stack still matches");
        assertEquals(0, m.getStackId(cpu, b, 2, BpfFlags.F_REUSE_STACKID));
        assertArrayEquals(b, m.stack(0));
        assertEquals(-Errno.EEXIST, m.getStackId(cpu, a, 2, 0));
        assertEquals(0, m.getStackId(cpu, new long[] {0xb}, 1, BpfFlags.F_REUSE_STACKID));
        assertArrayEquals(new long[] {0xb}, m.stack(0), "a shorter stack differs too");
    }

    @Test
    void valueSizeRules() {
        assertThrows(MapException.class, () -> fx.create(MapSpec.of(MapType.STACK_TRACE, "s", 4, 12, 4)));
        assertThrows(MapException.class, () -> fx.create(MapSpec.of(MapType.STACK_TRACE, "s", 4, 128 * 8, 4)));
        assertThrows(MapException.class, () -> fx.create(MapSpec.of(MapType.STACK_TRACE, "s", 8, 8, 4)));
    }
}

package dev.sonde.bpf.map;

import dev.sonde.bpf.vm.Errno;
import static dev.sonde.bpf.map.MapFixture.mem;
import static dev.sonde.bpf.map.MapFixture.u32;
import static dev.sonde.bpf.map.MapFixture.u64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonde.bpf.vm.Cpu;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HashTabTest {
    final MapFixture fx = new MapFixture(4);

    @AfterEach
    void close() {
        fx.close();
    }

    @Test
    void countsPerKeyThroughLookupPointers() {
        HashTab h = fx.create(MapSpec.of(MapType.HASH, "counts", 4, 8, 16));
        Cpu cpu = fx.cpu(0);
        long zero = mem(cpu, 1, u64(0));
        int[] hits = {3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5};
        for (int k : hits) {
            long key = mem(cpu, 0, u32(k));
            long v = h.lookupElem(cpu, key);
            if (v == 0) {
                assertEquals(0, h.updateElem(cpu, key, zero, BpfFlags.NOEXIST));
                v = h.lookupElem(cpu, key);
            }
            cpu.store64(v, cpu.load64(v) + 1);
        }
        assertEquals(7, h.size());
        assertEquals(3, u64(h.lookup(u32(5))));
        assertEquals(2, u64(h.lookup(u32(1))));
        assertEquals(2, u64(h.lookup(u32(3))));
        assertEquals(1, u64(h.lookup(u32(9))));
        assertNull(h.lookup(u32(7)));
        assertEquals(0, h.lookupElem(cpu, mem(cpu, 0, u32(7))));
    }

    @Test
    void flagsAndErrnoAsLinux() {
        HashTab h = fx.create(MapSpec.of(MapType.HASH, "h", 8, 8, 2));
        assertEquals(-Errno.ENOENT, h.update(u64(1), u64(10), BpfFlags.EXIST));
        assertEquals(0, h.update(u64(1), u64(10), BpfFlags.NOEXIST));
        assertEquals(-Errno.EEXIST, h.update(u64(1), u64(11), BpfFlags.NOEXIST));
        assertEquals(0, h.update(u64(1), u64(12), BpfFlags.EXIST));
        assertEquals(0, h.update(u64(1), u64(13), BpfFlags.ANY));
        assertEquals(13, u64(h.lookup(u64(1))));
        assertEquals(-Errno.EINVAL, h.update(u64(1), u64(1), 3));
        assertEquals(-Errno.EINVAL, h.update(u64(1), u64(1), BpfFlags.F_LOCK));
        assertEquals(0, h.update(u64(2), u64(20), BpfFlags.ANY));
        assertEquals(-Errno.E2BIG, h.update(u64(3), u64(30), BpfFlags.ANY), "full table, new key");
        assertEquals(0, h.update(u64(2), u64(21), BpfFlags.ANY), "replacing in a full table is fine");
        assertEquals(-Errno.ENOENT, h.delete(u64(3)));
        assertEquals(0, h.delete(u64(1)));
        assertEquals(-Errno.ENOENT, h.delete(u64(1)));
        assertEquals(0, h.update(u64(3), u64(30), BpfFlags.ANY));
        assertEquals(2, h.size());
        assertThrows(MapException.class, () -> h.lookup(u32(1)));
        assertThrows(MapException.class, () -> h.update(u64(1), u32(1), 0));

        Cpu cpu = fx.cpu(2);
        long k9 = mem(cpu, 0, u64(9));
        long v = mem(cpu, 1, u64(90));
        assertEquals(-Errno.E2BIG, h.updateElem(cpu, k9, v, BpfFlags.ANY));
        assertEquals(-Errno.ENOENT, h.updateElem(cpu, k9, v, BpfFlags.EXIST));
        assertEquals(-Errno.EEXIST, h.updateElem(cpu, mem(cpu, 0, u64(3)), v, BpfFlags.NOEXIST));
        k9 = mem(cpu, 0, u64(9));   // caller memory 0 was re-pointed at key 3
        assertEquals(-Errno.ENOENT, h.deleteElem(cpu, k9));
        assertEquals(0, h.deleteElem(cpu, mem(cpu, 0, u64(3))));
        k9 = mem(cpu, 0, u64(9));
        assertEquals(0, h.updateElem(cpu, k9, v, BpfFlags.NOEXIST));
        assertEquals(90, u64(h.lookup(u64(9))));
    }

    @Test
    void getNextKeyVisitsEveryKeyOnceThenEnds() {
        HashTab h = fx.create(MapSpec.of(MapType.HASH, "h", 4, 4, 100));
        for (int k = 0; k < 100; k++) {
            assertEquals(0, h.update(u32(k * 7919), u32(k), BpfFlags.NOEXIST));
        }
        Set<Integer> seen = new HashSet<>();
        byte[] k = h.nextKey(null);
        while (k != null) {
            assertTrue(seen.add(u32(k)), "key " + u32(k) + " visited twice");
            k = h.nextKey(k);
        }
        assertEquals(100, seen.size());
        for (int i = 0; i < 100; i++) {
            assertTrue(seen.contains(i * 7919));
        }
        assertEquals(h.nextKey(null)[0], h.nextKey(u32(-5))[0], "an unknown key restarts at the first key");
        HashTab empty = fx.create(MapSpec.of(MapType.HASH, "e", 4, 4, 4));
        assertEquals(-Errno.ENOENT, empty.getNextKey(null, new byte[4]));
    }

    @Test
    void aDeletedElementIsNotReusedWhileARunHoldsItsAddress() throws Exception {
        HashTab h = fx.create(MapSpec.of(MapType.HASH, "h", 4, 8, 4));
        assertEquals(0, h.update(u32(1), u64(0xAAAA), BpfFlags.ANY));
        CountDownLatch looked = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicLong seenAfter = new AtomicLong();
        Thread reader = new Thread(() -> {
            Cpu cpu = fx.slots.tryEnter();
            MapFixture.refresh(cpu);
            long v = h.lookupElem(cpu, mem(cpu, 0, u32(1)));
            looked.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                return;
            }
            seenAfter.set(cpu.load64(v));
            fx.slots.exit(cpu);
        });
        reader.start();
        looked.await();
        assertEquals(0, h.delete(u32(1)));
        // Churn through every element that is free now; none may be the one the reader holds.
        for (int k = 100; k < 106; k++) {
            assertEquals(0, h.update(u32(k), u64(0xBBBB), BpfFlags.ANY));
            assertEquals(0, h.delete(u32(k)));
        }
        for (int k = 200; k < 204; k++) {
            assertEquals(0, h.update(u32(k), u64(0xCCCC), BpfFlags.ANY));
        }
        release.countDown();
        reader.join();
        assertEquals(0xAAAA, seenAfter.get(), "the deleted element was reused within the reader's grace period");
        for (int k = 200; k < 204; k++) {
            assertEquals(0, h.delete(u32(k)));
        }
        // Once the reader has left, the Java side waits for a grace period when it runs out of slack.
        for (int k = 300; k < 400; k++) {
            assertEquals(0, h.update(u32(k % 4 + 300), u64(k), BpfFlags.ANY));
        }
        assertEquals(399, u64(h.lookup(u32(303))));
    }

    @Test
    void percpuHashUpdatesTheRunningSlotsCopyAndZeroesTheOthers() {
        PercpuHashTab p = fx.create(MapSpec.of(MapType.PERCPU_HASH, "p", 4, 8, 8));
        Cpu c1 = fx.cpu(1);
        assertEquals(0, p.updateElem(c1, mem(c1, 0, u32(5)), mem(c1, 1, u64(50)), BpfFlags.ANY));
        byte[][] copies = PerCpu.split(p.lookup(u32(5)), 8);
        assertEquals(4, copies.length);
        assertEquals(50, u64(copies[1]));
        assertEquals(0, u64(copies[0]) + u64(copies[2]) + u64(copies[3]));
        for (int s = 0; s < 4; s++) {
            Cpu cpu = fx.cpu(s);
            long v = p.lookupElem(cpu, mem(cpu, 0, u32(5)));
            for (int i = 0; i <= s; i++) {
                cpu.store64(v, cpu.load64(v) + 1);
            }
        }
        assertEquals(50 + 1 + 2 + 3 + 4, PerCpu.sumU64(p.lookup(u32(5)), 8, 0));
        Cpu c3 = fx.cpu(3);
        assertEquals(0, p.updateElem(c3, mem(c3, 0, u32(5)), mem(c3, 1, u64(7)), BpfFlags.EXIST));
        copies = PerCpu.split(p.lookup(u32(5)), 8);
        assertEquals(7, u64(copies[3]), "in place: only slot 3's copy changes");
        assertEquals(52, u64(copies[1]));
        byte[] all = new byte[32];
        all[0] = 1;
        all[8] = 2;
        assertEquals(0, p.update(u32(6), all, BpfFlags.NOEXIST));
        assertEquals(3, PerCpu.sumU64(p.lookup(u32(6)), 8, 0));
        assertThrows(MapException.class, () -> p.update(u32(6), new byte[8], 0), "the Java side gives every copy");
    }

    @Test
    void aWordValueIsReplacedInPlaceByOneAtomicStore() {
        HashTab h = fx.create(MapSpec.of(MapType.HASH, "h", 4, 8, 4));
        Cpu cpu = fx.slots.tryEnter();
        MapFixture.refresh(cpu);
        h.update(u32(1), u64(1), 0);
        long before = h.lookupElem(cpu, mem(cpu, 0, u32(1)));
        assertEquals(0, h.updateElem(cpu, mem(cpu, 0, u32(1)), mem(cpu, 1, u64(2)), BpfFlags.ANY));
        assertEquals(0, h.updateElem(cpu, mem(cpu, 0, u32(1)), mem(cpu, 1, u64(3)), BpfFlags.EXIST));
        assertEquals(-Errno.EEXIST, h.updateElem(cpu, mem(cpu, 0, u32(1)), mem(cpu, 1, u64(4)), BpfFlags.NOEXIST));
        assertEquals(-Errno.ENOENT, h.updateElem(cpu, mem(cpu, 0, u32(2)), mem(cpu, 1, u64(4)), BpfFlags.EXIST));
        long after = h.lookupElem(cpu, mem(cpu, 0, u32(1)));
        assertEquals(before, after, "the same element");
        assertEquals(3, cpu.load64(before), "a pointer held across the update reads the new value, whole");
        fx.slots.exit(cpu);
        assertEquals(3, java.nio.ByteBuffer.wrap(h.lookup(u32(1))).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong());
    }

    @Test
    void replacingALargerValueGivesANewElementSoOldPointersKeepTheOldValue() {
        HashTab h = fx.create(MapSpec.of(MapType.HASH, "h", 4, 16, 4));
        Cpu cpu = fx.slots.tryEnter();
        MapFixture.refresh(cpu);
        byte[] one = new byte[16];
        one[0] = 1;
        one[8] = 1;
        byte[] two = new byte[16];
        two[0] = 2;
        two[8] = 2;
        h.update(u32(1), one, 0);
        long before = h.lookupElem(cpu, mem(cpu, 0, u32(1)));
        h.updateElem(cpu, mem(cpu, 0, u32(1)), mem(cpu, 1, two), BpfFlags.ANY);
        long after = h.lookupElem(cpu, mem(cpu, 0, u32(1)));
        assertNotEquals(before, after);
        assertEquals(1, cpu.load64(before));
        assertEquals(1, cpu.load64(before + 8), "never half old, half new");
        assertEquals(2, cpu.load64(after));
        fx.slots.exit(cpu);
    }
}

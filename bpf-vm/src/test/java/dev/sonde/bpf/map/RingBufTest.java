package dev.sonde.bpf.map;

import dev.sonde.bpf.vm.Errno;
import static dev.sonde.bpf.map.MapFixture.mem;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonde.bpf.mem.Addr;
import dev.sonde.bpf.vm.Cpu;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RingBufTest {
    final MapFixture fx = new MapFixture(2);
    final List<byte[]> got = new ArrayList<>();
    final RingBuf.Handler collect = (buf, off, len) -> {
        got.add(Arrays.copyOfRange(buf, off, off + len));
        return 0;
    };

    @AfterEach
    void close() {
        fx.close();
    }

    /** Fills the ring with 120-byte records (128 with the header), record i holding i; returns how many fit. */
    static int fill(RingBuf rb, Cpu cpu) {
        int n = 0;
        long r;
        while ((r = rb.reserve(cpu, 120, 0)) != 0) {
            cpu.store32(r, n++);
            RingBuf.submit(cpu, r, 0);
        }
        return n;
    }

    RingBuf ring(int size) {
        return fx.create(new MapSpec(MapType.RINGBUF.id, "rb", 0, 0, size, 0));
    }

    @Test
    void creationFollowsLinuxRules() {
        assertThrows(MapException.class, () -> ring(4096 * 3));
        assertThrows(MapException.class, () -> ring(2048));
        assertThrows(MapException.class, () -> fx.create(new MapSpec(MapType.RINGBUF.id, "rb", 4, 0, 4096, 0)));
        assertEquals(-Errno.ENOTSUPP, ring(4096).lookup(new byte[0], new byte[0]));
    }

    @Test
    void recordsArriveInReservationOrderAndDiscardsAreSkipped() {
        RingBuf rb = ring(4096);
        Cpu cpu = fx.cpu(0);
        long a = rb.reserve(cpu, 5, 0);
        long b = rb.reserve(cpu, 16, 0);
        long c = rb.reserve(cpu, 3, 0);
        assertEquals(RingBufHeader.recordLength(5), b - a, "header + payload rounded to 8");
        for (int i = 0; i < 5; i++) {
            cpu.store8(a + i, 'a');
        }
        cpu.store64(b, 0x1122334455667788L);
        cpu.store64(b + 8, -1);
        cpu.store8(c, 'c');
        RingBuf.submit(cpu, b, 0);
        RingBuf.discard(cpu, c, 0);
        assertEquals(0, rb.poll(collect, 10), "the first record is still busy: nothing may pass it");
        assertEquals(RingBufHeader.recordLength(5) + RingBufHeader.recordLength(16) + RingBufHeader.recordLength(3),
            rb.query(cpu, BpfFlags.RB_AVAIL_DATA));
        RingBuf.submit(cpu, a, 0);
        assertEquals(2, rb.poll(collect, 10));
        assertArrayEquals("aaaaa".getBytes(), got.get(0));
        assertEquals(16, got.get(1).length);
        assertEquals(0x1122334455667788L, MapFixture.u64(got.get(1)));
        assertEquals(0, rb.query(cpu, BpfFlags.RB_AVAIL_DATA));
        assertEquals(4096, rb.query(cpu, BpfFlags.RB_RING_SIZE));
        assertEquals(rb.query(cpu, BpfFlags.RB_PROD_POS), rb.query(cpu, BpfFlags.RB_CONS_POS));
        assertEquals(0, rb.query(cpu, 99));
    }

    @Test
    void aFullRingDropsAndRecoversAfterConsumption() {
        RingBuf rb = ring(4096);
        Cpu cpu = fx.cpu(0);
        int n = fill(rb, cpu);
        assertEquals(31, n, "4096 / 128 = 32 records, but the ring keeps one byte free (size - 1)");
        assertEquals(1, rb.drops());
        assertEquals(-Errno.EAGAIN, rb.output(cpu, mem(cpu, 0, new byte[120]), 120, 0));
        assertEquals(2, rb.drops());
        assertEquals(0, rb.reserve(cpu, 8, 1), "reserve flags must be 0");
        assertEquals(0, rb.reserve(cpu, 4096, 0), "larger than the ring");
        assertEquals(0, rb.output(cpu, mem(cpu, 0, new byte[112]), 112, 0), "the last 120 bytes still take a record of 120");
        assertEquals(32, rb.poll(collect, 100));
        for (int i = 0; i < 31; i++) {
            assertEquals(i, MapFixture.u32(Arrays.copyOf(got.get(i), 4)));
        }
        assertNotEquals(0, rb.reserve(cpu, 120, 0));
    }

    /**
     * The consumer publishes its position once per poll, or every quarter ring during a long one:
     * a producer that found the ring full gets space back while the poll is still delivering.
     */
    @Test
    void aLongPollFreesSpaceAQuarterRingAtATime() {
        RingBuf rb = ring(4096);
        Cpu cpu = fx.cpu(0);
        int n = fill(rb, cpu);
        long dropsWhenFull = rb.drops();
        int[] seen = {0};
        long[] reservedAt = {-1};
        assertEquals(n, rb.poll((buf, off, len) -> {
            seen[0]++;
            if (reservedAt[0] < 0) {
                long rec = rb.reserve(cpu, 120, 0);
                if (rec != 0) {
                    RingBuf.discard(cpu, rec, 0);
                    reservedAt[0] = seen[0];
                }
            }
            return 0;
        }, n));
        assertEquals(9, reservedAt[0], "8 records (1,024 bytes, a quarter of the ring) were freed before the 9th was delivered");
        assertEquals(dropsWhenFull + 8, rb.drops(), "the reserves tried while the first 8 records were delivered failed");
        assertEquals(0, rb.poll(collect, 100), "the discarded record is skipped");
    }

    @Test
    void aRecordThatWrapsIsContiguousAndIntact() {
        RingBuf rb = ring(4096);
        Cpu cpu = fx.cpu(0);
        for (int round = 0; round < 40; round++) {
            byte[] payload = new byte[1000];
            for (int i = 0; i < payload.length; i++) {
                payload[i] = (byte) (round * 31 + i);
            }
            assertEquals(0, rb.output(cpu, mem(cpu, 0, payload), payload.length, BpfFlags.RB_NO_WAKEUP));
            got.clear();
            assertEquals(1, rb.poll(collect, 10));
            assertArrayEquals(payload, got.get(0), "round " + round);
        }
        assertEquals(-Errno.EINVAL, rb.output(cpu, mem(cpu, 0, new byte[8]), 8, 4));
    }

    @Test
    void aNegativeHandlerResultStopsThePollAfterConsumingThatRecord() {
        RingBuf rb = ring(4096);
        Cpu cpu = fx.cpu(0);
        for (int i = 0; i < 3; i++) {
            assertEquals(0, rb.output(cpu, mem(cpu, 0, new byte[] {(byte) i}), 1, 0));
        }
        assertEquals(-5, rb.poll((buf, off, len) -> -5, 10));
        assertEquals(2, rb.poll(collect, 10));
        assertEquals(1, got.get(0)[0]);
    }

    @Test
    void submitOfAnAddressOutsideARingFaults() {
        ArrayMap a = fx.create(MapSpec.of(MapType.ARRAY, "a", 4, 8, 1));
        ring(4096);
        Cpu cpu = fx.cpu(0);
        long v = a.lookupElem(cpu, mem(cpu, 0, MapFixture.u32(0)));
        assertThrows(RuntimeException.class, () -> RingBuf.submit(cpu, v, 0));
        assertTrue(cpu.faulted());
    }

    @Test
    void closeMakesReserveFailAndReleasesTheRegion() {
        RingBuf rb = ring(4096);
        Cpu cpu = fx.cpu(0);
        long r = rb.reserve(cpu, 8, 0);
        int region = Addr.region(r);
        rb.close();
        assertEquals(null, fx.table.get(region));
        assertEquals(0, rb.reserve(cpu, 8, 0));
        assertEquals(-Errno.EBADF, rb.output(cpu, r, 8, 0));
    }

    @Test
    void timedPollWakesForARecord() throws Exception {
        RingBuf rb = ring(4096);
        Thread producer = new Thread(() -> {
            Cpu cpu = fx.slots.tryEnter();
            MapFixture.refresh(cpu);
            rb.output(cpu, mem(cpu, 0, new byte[] {42}), 1, 0);
            fx.slots.exit(cpu);
        });
        producer.start();
        assertEquals(1, rb.poll(collect, 10, 5_000_000_000L));
        assertEquals(42, got.get(0)[0]);
        producer.join();
    }
}

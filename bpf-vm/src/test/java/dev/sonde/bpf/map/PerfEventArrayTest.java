package dev.sonde.bpf.map;

import dev.sonde.bpf.vm.Errno;
import static dev.sonde.bpf.map.MapFixture.mem;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sonde.bpf.vm.Cpu;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PerfEventArrayTest {
    final MapFixture fx = new MapFixture(3);

    @AfterEach
    void close() {
        fx.close();
    }

    @Test
    void samplesReachTheBufferOfTheirSlot() {
        PerfEventArray p = fx.create(MapSpec.of(MapType.PERF_EVENT_ARRAY, "events", 4, 4, 0));
        assertEquals(3, p.maxEntries(), "max_entries 0 means one entry per slot");
        Cpu c1 = fx.cpu(1);
        long data = mem(c1, 0, "hello".getBytes());
        assertEquals(-Errno.ENOENT, p.output(c1, BpfFlags.F_CURRENT_CPU, data, 5), "no buffer opened yet");
        p.open(256);
        assertEquals(0, p.output(c1, BpfFlags.F_CURRENT_CPU, data, 5));
        assertEquals(0, p.output(c1, 1, data, 3));
        assertEquals(-Errno.EOPNOTSUPP, p.output(c1, 2, data, 5), "another slot's buffer");
        assertEquals(-Errno.E2BIG, p.output(c1, 7, data, 5));
        assertEquals(-Errno.EINVAL, p.output(c1, 1L << 32, data, 5));
        Cpu c2 = fx.cpu(2);
        assertEquals(0, p.output(c2, BpfFlags.F_CURRENT_CPU, mem(c2, 0, "xxxxxxxx".getBytes()), 8));

        List<String> got = new ArrayList<>();
        int n = p.poll((cpu, buf, off, size) -> got.add(cpu + ":" + size + ":" + new String(buf, off, Math.min(size, 5)).trim()),
            (cpu, lost) -> got.add("lost " + lost), 10);
        assertEquals(3, n);
        // raw_size includes the padding that keeps a sample 8-aligned: 12 + 5 -> 24, raw 12; 12 + 3 -> 16, raw 4.
        assertEquals(List.of("1:12:hello", "1:4:hel", "2:12:xxxxx"), got);
    }

    @Test
    void aFullBufferLosesSamplesAndReportsTheCount() {
        PerfEventArray p = fx.create(MapSpec.of(MapType.PERF_EVENT_ARRAY, "events", 4, 4, 0));
        p.open(128);
        Cpu c0 = fx.cpu(0);
        byte[] payload = new byte[20];   // 12 + 20 = 32 bytes a sample
        for (int i = 0; i < 6; i++) {
            payload[0] = (byte) i;
            long r = p.output(c0, BpfFlags.F_CURRENT_CPU, mem(c0, 0, payload), 20);
            assertEquals(i < 4 ? 0 : -Errno.ENOSPC, r, "sample " + i);
        }
        List<byte[]> samples = new ArrayList<>();
        long[] lost = new long[1];
        assertEquals(4, p.buffer(0).poll((cpu, buf, off, size) -> samples.add(Arrays.copyOfRange(buf, off, off + 20)),
            (cpu, l) -> lost[0] += l, 100));
        assertEquals(2, lost[0]);
        for (int i = 0; i < 4; i++) {
            assertEquals(i, samples.get(i)[0]);
        }
        // Wrap-around keeps samples whole.
        for (int i = 0; i < 20; i++) {
            payload[0] = (byte) (100 + i);
            payload[19] = (byte) i;
            assertEquals(0, p.output(c0, BpfFlags.F_CURRENT_CPU, mem(c0, 0, payload), 20));
            samples.clear();
            assertEquals(1, p.buffer(0).poll((cpu, buf, off, size) -> samples.add(Arrays.copyOfRange(buf, off, off + 20)), null, 5));
            assertArrayEquals(payload, samples.get(0));
        }
        assertEquals(0, p.delete(MapFixture.u32(0)));
        assertEquals(-Errno.ENOENT, p.output(c0, BpfFlags.F_CURRENT_CPU, mem(c0, 0, payload), 20));
    }
}

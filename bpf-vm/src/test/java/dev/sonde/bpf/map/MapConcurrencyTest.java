package dev.sonde.bpf.map;

import static dev.sonde.bpf.map.MapFixture.u32;
import static dev.sonde.bpf.map.MapFixture.u64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonde.bpf.isa.Insn;
import dev.sonde.bpf.isa.Op;
import dev.sonde.bpf.vm.Cpu;
import dev.sonde.bpf.vm.HelperTable;
import dev.sonde.bpf.vm.Interpreter;
import dev.sonde.bpf.vm.Options;
import dev.sonde.bpf.vm.Program;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Many threads, each in its own execution slot, on shared maps. */
class MapConcurrencyTest {

    /**
     * {@code *(u32 *)(r10 - 4) = key; v = map_lookup_elem(maps[r1], r10 - 4); if (v) lock *(u64 *)v += 1;}
     * assembled by hand; helper 1 takes the map's index in r1 instead of a map pointer.
     */
    static Program counterProgram(BpfMap[] maps, int key) throws Exception {
        Insn[] code = {
            Insn.of(Op.ST_W, 10, 0, -4, key),
            Insn.of(Op.MOV64_X, 2, 10, 0, 0),
            Insn.of(Op.ADD64_K, 2, 0, 0, -4),
            Insn.of(Op.CALL, 0, 0, 0, 1),
            Insn.of(Op.JEQ64_K, 0, 0, 2, 0),
            Insn.of(Op.MOV64_K, 1, 0, 0, 1),
            Insn.of(Op.ATOMIC64_ADD, 0, 1, 0, 0),
            Insn.of(Op.MOV64_K, 0, 0, 0, 0),
            Insn.of(Op.EXIT, 0, 0, 0, 0),
        };
        HelperTable helpers = HelperTable.empty().with(1, "map_lookup_elem",
            (cpu, r1, r2, r3, r4, r5) -> maps[(int) r1].lookupElem(cpu, r2));
        return Program.load("count", code, Options.defaults().withHelpers(helpers));
    }

    @Test
    void eightThreadsCountExactlyThroughLookupPointers() throws Exception {
        try (MapFixture fx = new MapFixture(8)) {
            HashTab hash = fx.create(MapSpec.of(MapType.HASH, "h", 4, 8, 64));
            ArrayMap array = fx.create(MapSpec.of(MapType.ARRAY, "a", 4, 8, 4));
            assertEquals(0, hash.update(u32(42), u64(0), BpfFlags.NOEXIST));
            Program hashProg = counterProgram(new BpfMap[] {hash, array}, 42);
            Program arrayProg = counterProgram(new BpfMap[] {hash, array}, 3);
            int perThread = 62_500;   // x 2 maps x 8 threads = 1,000,000 runs
            AtomicLong faults = new AtomicLong();
            AtomicLong missed = new AtomicLong();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                threads.add(new Thread(() -> {
                    for (int i = 0; i < 2 * perThread; ) {
                        Cpu cpu = fx.slots.tryEnter();
                        if (cpu == null) {
                            missed.incrementAndGet();
                            continue;
                        }
                        Interpreter.run((i & 1) == 0 ? hashProg : arrayProg, cpu, (i & 1), 0);
                        if (cpu.faulted()) {
                            faults.incrementAndGet();
                        }
                        fx.slots.exit(cpu);
                        i++;
                    }
                }));
            }
            threads.forEach(Thread::start);
            for (Thread t : threads) {
                t.join();
            }
            assertEquals(0, faults.get());
            assertEquals(8L * perThread, u64(hash.lookup(u32(42))), "hash value count");
            assertEquals(8L * perThread, u64(array.lookup(u32(3))), "array value count");
            assertEquals(0, u64(array.lookup(u32(0))));
        }
    }

    static long checksum(int producer, int seq, int len) {
        long h = (producer * 0x9e3779b97f4a7c15L) ^ (seq * 0xc2b2ae3d27d4eb4fL) ^ len;
        return h ^ (h >>> 31);
    }

    /** 8 producers, one consumer: each record exactly once, in per-producer order, or dropped; none torn. */
    static void ringRace(int producers, int perProducer) throws Exception {
        try (MapFixture fx = new MapFixture(producers)) {
            RingBuf rb = fx.create(new MapSpec(MapType.RINGBUF.id, "rb", 0, 0, 1 << 16, 0));
            BitSet[] dropped = new BitSet[producers];
            BitSet[] discarded = new BitSet[producers];
            List<Thread> threads = new ArrayList<>();
            for (int p = 0; p < producers; p++) {
                int id = p;
                dropped[p] = new BitSet();
                discarded[p] = new BitSet();
                threads.add(new Thread(() -> {
                    for (int seq = 0; seq < perProducer; ) {
                        Cpu cpu = fx.slots.tryEnter();
                        if (cpu == null) {
                            continue;
                        }
                        MapFixture.refresh(cpu);
                        int len = 16 + 8 * (seq % 13);   // 16..112 bytes: records wrap at many offsets
                        long r = rb.reserve(cpu, len, 0);
                        if (r == 0) {
                            dropped[id].set(seq);
                        } else {
                            cpu.store32(r, id);
                            cpu.store32(r + 4, seq);
                            for (int k = 8; k < len - 8; k += 8) {
                                cpu.store64(r + k, checksum(id, seq, k));
                            }
                            cpu.store64(r + len - 8, checksum(id, seq, len));
                            if (seq % 17 == 5) {
                                RingBuf.discard(cpu, r, 0);
                                discarded[id].set(seq);
                            } else {
                                RingBuf.submit(cpu, r, 0);
                            }
                        }
                        fx.slots.exit(cpu);
                        seq++;
                    }
                }));
            }
            int[] next = new int[producers];
            BitSet[] received = new BitSet[producers];
            for (int p = 0; p < producers; p++) {
                received[p] = new BitSet();
                next[p] = -1;
            }
            AtomicLong torn = new AtomicLong();
            AtomicLong outOfOrder = new AtomicLong();
            RingBuf.Handler check = (buf, off, len) -> {
                long v = MapFixture.u64(java.util.Arrays.copyOfRange(buf, off, off + len));
                int id = (int) v;
                int seq = (int) (v >>> 32);
                if (id < 0 || id >= producers || len != 16 + 8 * (seq % 13)) {
                    torn.incrementAndGet();
                    return 0;
                }
                byte[] rec = java.util.Arrays.copyOfRange(buf, off, off + len);
                for (int k = 8; k < len - 8; k += 8) {
                    if (MapFixture.u64(rec, k) != checksum(id, seq, k)) {
                        torn.incrementAndGet();
                    }
                }
                if (MapFixture.u64(rec, len - 8) != checksum(id, seq, len)) {
                    torn.incrementAndGet();
                }
                if (seq <= next[id]) {
                    outOfOrder.incrementAndGet();
                }
                next[id] = seq;
                received[id].set(seq);
                return 0;
            };
            AtomicBoolean producing = new AtomicBoolean(true);
            threads.forEach(Thread::start);
            Thread joiner = new Thread(() -> {
                for (Thread t : threads) {
                    try {
                        t.join();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                producing.set(false);
            });
            joiner.start();
            while (producing.get()) {
                rb.poll(check, 1000, 1_000_000);
            }
            while (rb.poll(check, 1000) > 0) {
                // drain
            }
            joiner.join();
            assertEquals(0, torn.get(), "torn records");
            assertEquals(0, outOfOrder.get(), "records out of per-producer order");
            long drops = 0;
            for (int p = 0; p < producers; p++) {
                BitSet all = (BitSet) received[p].clone();
                assertFalse(all.intersects(dropped[p]), "a dropped record arrived");
                assertFalse(all.intersects(discarded[p]), "a discarded record arrived");
                all.or(dropped[p]);
                all.or(discarded[p]);
                assertEquals(perProducer, all.cardinality(), "producer " + p + ": every record arrived or was dropped");
                drops += dropped[p].cardinality();
            }
            assertEquals(drops, rb.drops());
            assertEquals(0, rb.query(null, BpfFlags.RB_AVAIL_DATA));
        }
    }

    @Test
    void eightProducersOneConsumer() throws Exception {
        ringRace(8, 40_000);
    }

    @Test
    @Tag("long")
    void eightProducersOneConsumerLong() throws Exception {
        ringRace(8, 2_000_000);
    }

    /**
     * Writers delete and re-insert keys while readers in slots look them up and read the value
     * through the pointer for a while: the value must always belong to the key looked up.
     */
    static void hashChurn(long millis) throws Exception {
        try (MapFixture fx = new MapFixture(6)) {
            HashTab h = fx.create(MapSpec.of(MapType.HASH, "h", 4, 8, 64));
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong wrong = new AtomicLong();
            AtomicLong hits = new AtomicLong();
            AtomicLong churn = new AtomicLong();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int seed = t;
                threads.add(new Thread(() -> {
                    byte[] key = new byte[4];
                    int k = seed;
                    while (!stop.get()) {
                        Cpu cpu = fx.slots.tryEnter();
                        if (cpu == null) {
                            continue;
                        }
                        MapFixture.refresh(cpu);
                        k = (k * 1103515245 + 12345) & 0x3f;
                        key[0] = (byte) k;
                        long v = h.lookupElem(cpu, MapFixture.mem(cpu, 0, key));
                        if (v != 0) {
                            hits.incrementAndGet();
                            for (int r = 0; r < 10; r++) {
                                if (cpu.load64(v) != k * 1000L) {
                                    wrong.incrementAndGet();
                                }
                            }
                        }
                        fx.slots.exit(cpu);
                    }
                }));
            }
            for (int t = 0; t < 2; t++) {
                int seed = t;
                threads.add(new Thread(() -> {
                    byte[] key = new byte[4];
                    byte[] val = new byte[8];
                    int k = seed;
                    while (!stop.get()) {
                        Cpu cpu = fx.slots.tryEnter();
                        if (cpu == null) {
                            continue;
                        }
                        MapFixture.refresh(cpu);
                        k = (k * 1103515245 + 12345) & 0x3f;
                        key[0] = (byte) k;
                        long ka = MapFixture.mem(cpu, 0, key);
                        if (h.deleteElem(cpu, ka) != 0) {
                            System.arraycopy(u64(k * 1000L), 0, val, 0, 8);
                            h.updateElem(cpu, ka, MapFixture.mem(cpu, 1, val), BpfFlags.ANY);
                        }
                        churn.incrementAndGet();
                        fx.slots.exit(cpu);
                    }
                }));
            }
            threads.forEach(Thread::start);
            long end = System.nanoTime() + millis * 1_000_000;
            while (System.nanoTime() < end) {
                Thread.onSpinWait();
            }
            // On a loaded machine the readers may not have found a key yet: give them (bounded) time.
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                .until(() -> hits.get() > 0 && churn.get() > 0);
            stop.set(true);
            for (Thread t : threads) {
                t.join();
            }
            assertEquals(0, wrong.get(), "a reader saw another key's value through its pointer");
            assertTrue(hits.get() > 0 && churn.get() > 0, hits + " hits, " + churn + " churn");
            int n = 0;
            for (byte[] k = h.nextKey(null); k != null; k = h.nextKey(k)) {
                assertEquals(u32(k) * 1000L, u64(h.lookup(k)));
                n++;
            }
            assertEquals(h.size(), n);
        }
    }

    @Test
    void hashChurnShort() throws Exception {
        hashChurn(1500);
    }

    @Test
    @Tag("long")
    void hashChurnLong() throws Exception {
        hashChurn(30_000);
    }
}

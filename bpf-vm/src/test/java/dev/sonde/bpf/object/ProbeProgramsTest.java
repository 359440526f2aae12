package dev.sonde.bpf.object;

import static dev.sonde.bpf.object.ProbeRunner.globalU64;
import static dev.sonde.bpf.object.ProbeRunner.u64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonde.bpf.map.BpfMap;
import dev.sonde.bpf.map.PerfEventArray;
import dev.sonde.bpf.map.RingBuf;
import dev.sonde.bpf.map.StackTraceMap;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The probe programs of src/test/bpf, compiled by clang-14 during the build, run with a synthetic
 * pt_regs context through the real loader, maps and helpers; every result is asserted.
 */
class ProbeProgramsTest {
    private final ProbeRunner runner = new ProbeRunner();

    @AfterEach
    void close() {
        runner.close();
    }

    @Test
    void countsCallsPerKey() throws Exception {
        BpfObject o = runner.load("/bpf/count_by_key.bpf.o");
        for (long k : new long[] {1, 2, 2, 3, 3, 3, -1}) {
            runner.run(o, "count_by_key", k);
        }
        BpfMap counts = o.map("counts").orElseThrow();
        assertEquals(1, u64(counts, 1));
        assertEquals(2, u64(counts, 2));
        assertEquals(3, u64(counts, 3));
        assertEquals(1, u64(counts, -1));
        assertEquals(Long.MIN_VALUE, u64(counts, 4), "no entry for a key never seen");
    }

    @Test
    void lruKeepsTheNewestEntries() throws Exception {
        BpfObject o = runner.load("/bpf/lru_order.bpf.o");
        for (long k = 1; k <= 8; k++) {
            runner.run(o, "lru_put", k, 100 + k);
        }
        BpfMap m = o.map("recent").orElseThrow();
        int present = 0;
        for (long k = 1; k <= 8; k++) {
            present += u64(m, k) == Long.MIN_VALUE ? 0 : 1;
        }
        assertEquals(4, present, "an LRU map of 4 holds 4");
        assertEquals(108, runner.run(o, "lru_get", 8), "the newest survives");
        assertEquals(107, u64(m, 7));
        assertEquals(-1, (int) runner.run(o, "lru_get", 1), "the oldest was evicted");
    }

    @Test
    void perCpuSumsLoseNothingAcrossThreads() throws Exception {
        BpfObject o = runner.load("/bpf/percpu_sum.bpf.o");
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            threads.add(new Thread(() -> {
                for (int i = 1; i <= 5000; i++) {
                    // Retry when every slot is busy: the count must be exact, so no run is skipped.
                    while (!runner.tryRun(o, "percpu_add", i)) {
                        Thread.onSpinWait();
                    }
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
        BpfMap sum = o.map("sum").orElseThrow();
        byte[] all = sum.lookup(new byte[4]);
        long total = 0;
        for (int c = 0; c < runner.slots.count(); c++) {
            total += ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN).getLong(8 * c);
        }
        assertEquals(4L * 5000 * 5001 / 2, total);
        long runs = 0;
        BpfMap byCpu = o.map("by_cpu").orElseThrow();
        for (int c = 0; c < runner.slots.count(); c++) {
            byte[] v = byCpu.lookup(new byte[] {(byte) c, 0, 0, 0});
            if (v != null) {
                // Only slot c's own copy of key c was ever incremented.
                runs += ByteBuffer.wrap(v).order(ByteOrder.LITTLE_ENDIAN).getLong(8 * c);
            }
        }
        assertEquals(4L * 5000, runs);
    }

    @Test
    void ringBufferRecordsArriveInOrderAndDiscardsAreSkipped() throws Exception {
        BpfObject o = runner.load("/bpf/ringbuf_events.bpf.o");
        for (long a = 0; a < 10; a++) {
            assertEquals(0, runner.run(o, "emit", a));
        }
        assertEquals(0, runner.run(o, "emit_copy", 0, 0));
        RingBuf rb = (RingBuf) o.map("events").orElseThrow();
        List<long[]> got = new ArrayList<>();
        rb.poll((buf, off, len) -> {
            ByteBuffer b = ByteBuffer.wrap(buf, off, len).order(ByteOrder.LITTLE_ENDIAN);
            got.add(new long[] {b.getLong(off), b.getLong(off + 8), b.getInt(off + 20)});
            return 0;
        }, 100);
        assertEquals(6, got.size(), "five submitted, five discarded, one output");
        for (int i = 0; i < 5; i++) {
            assertEquals(2L * i, got.get(i)[0], "seq counts discarded records too");
            assertEquals(2L * i, got.get(i)[1]);
            assertEquals(1, got.get(i)[2]);
        }
        assertEquals(2, got.get(5)[2]);
        assertEquals(10, globalU64(o, "seq"));
        BpfMap bystander = o.map("bystander").orElseThrow();
        for (long i = 0; i < 64; i++) {
            assertEquals(0, u64(bystander, i), "records went into the ring, not into map 0");
        }
    }

    @Test
    void stackIdsCountIdenticalStacksTogether() throws Exception {
        BpfObject o = runner.load("/bpf/stack_ids.bpf.o");
        runner.stack = new long[] {0xa1, 0xb2, 0xc3};
        long id1 = runner.run(o, "stack_count");
        long id1again = runner.run(o, "stack_count");
        runner.stack = new long[] {0xd4, 0xe5};
        long id2 = runner.run(o, "stack_count");
        assertTrue(id1 >= 0 && id2 >= 0);
        assertEquals(id1, id1again);
        assertTrue(id1 != id2, "different stacks, different ids");
        StackTraceMap stacks = (StackTraceMap) o.map("stacks").orElseThrow();
        assertEquals(List.of(0xa1L, 0xb2L, 0xc3L), Arrays.stream(stacks.stack((int) id1)).boxed().toList());
        BpfMap byStack = o.map("by_stack").orElseThrow();
        assertEquals(2, u64(byStack, id1));
        assertEquals(1, u64(byStack, id2));
        byte[] last = o.map("last").orElseThrow().lookup(new byte[4]);
        ByteBuffer b = ByteBuffer.wrap(last).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(0xd4, b.getLong(0));
        assertEquals(0xe5, b.getLong(8));
        assertEquals(0, b.getLong(16), "get_stack zero-fills the rest");
    }

    @Test
    void printkLinesAreFormattedAsTheKernelDoes() throws Exception {
        BpfObject o = runner.load("/bpf/printk_lines.bpf.o");
        runner.run(o, "printk3", 12, 255, -1);
        runner.run(o, "printk5", 1, 2, 3, 4, 5);
        assertEquals(List.of("a=12 b=ff c=-1", "1 2 3 4 5"), runner.trace);
    }

    @Test
    void snprintfWritesAndReturnsTheLengthWithTheNul() throws Exception {
        BpfObject o = runner.load("/bpf/snprintf_out.bpf.o");
        runner.run(o, "fmt", 7, 42);
        String out = new String(ProbeRunner.global(o, "out"), StandardCharsets.US_ASCII);
        assertEquals("order 7: 00042 cents", out.substring(0, out.indexOf('\0')));
        assertEquals("order 7: 00042 cents".length() + 1, globalU64(o, "out_len"));
    }

    @Test
    void tailCallsChainAndStopAtTheLinuxLimit() throws Exception {
        BpfObject o = runner.load("/bpf/tail_chain.bpf.o");
        assertEquals(2, runner.run(o, "stage0"));
        BpfMap hits = o.map("stage_hits").orElseThrow();
        assertEquals(1, u64(hits, 0));
        assertEquals(1, u64(hits, 1));
        assertEquals(1, u64(hits, 2));
        assertEquals(33, runner.run(o, "self"));
        assertEquals(34, globalU64(o, "self_runs"), "the first run and 33 tail calls");
    }

    @Test
    void bpfLoopRunsTheCallbackAndStopsWhenAsked() throws Exception {
        BpfObject o = runner.load("/bpf/loop_sum.bpf.o");
        assertEquals(45 * 1000 + 10, runner.run(o, "loop_sum", 10, 100));
        assertEquals(6 * 1000 + 5, runner.run(o, "loop_sum", 10, 4));
        assertEquals(0, runner.run(o, "loop_sum", 0, 0));
    }

    @Test
    void globalDataKeepsItsInitialValuesAndReadOnlyConfiguration() throws Exception {
        BpfObject o = runner.load("/bpf/globals.bpf.o");
        assertEquals(100, globalU64(o, "calls"));
        runner.run(o, "tick", 3);
        runner.run(o, "tick", 4);
        assertEquals(102, globalU64(o, "calls"));
        assertEquals(35, globalU64(o, "weighted"));
        assertEquals(5, globalU64(o, "step"));
    }

    @Test
    void perfSamplesReachTheSlotsBuffer() throws Exception {
        BpfObject o = runner.load("/bpf/perf_output.bpf.o");
        PerfEventArray samples = (PerfEventArray) o.map("samples").orElseThrow();
        samples.open(4096);
        assertEquals(0, runner.run(o, "sample", 77));
        List<Long> args = new ArrayList<>();
        samples.poll((cpu, data, off, size) -> {
            ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
            args.add(b.getLong(off));
            assertEquals(ProcessHandle.current().pid(), b.getLong(off + 8) >>> 32);
        }, (cpu, n) -> {
        }, 10);
        assertEquals(List.of(77L), args);
    }

    @Test
    void readsStringsFromProgramMemoryAndTheThreadName() throws Exception {
        BpfObject o = runner.load("/bpf/read_str.bpf.o");
        byte[] mem = "hello\0garbage".getBytes(StandardCharsets.US_ASCII);
        Thread t = new Thread(() -> runner.run(o, "read_name", mem), "probe-reader-thread-name");
        t.start();
        t.join();
        byte[] rec = o.map("seen").orElseThrow().lookup(new byte[4]);
        ByteBuffer b = ByteBuffer.wrap(rec).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(6, b.getLong(0));
        assertEquals("hello", new String(rec, 8, 5, StandardCharsets.US_ASCII));
        assertEquals(0, rec[8 + 5]);
        assertEquals("probe-reader-th", new String(rec, 24, 15, StandardCharsets.US_ASCII));
        assertEquals(0, rec[24 + 15]);
    }
}

package dev.sonde.bench;

import dev.sonde.bpf.ctx.PtRegs;
import dev.sonde.bpf.helper.Helpers;
import dev.sonde.bpf.helper.ProbeEnv;
import dev.sonde.bpf.helper.TracePipe;
import dev.sonde.bpf.map.RingBuf;
import dev.sonde.bpf.exec.ExecMode;
import dev.sonde.bpf.exec.Executable;
import dev.sonde.bpf.object.BpfObject;
import dev.sonde.bpf.object.LoadOptions;
import dev.sonde.bpf.slot.ExecutionSlots;
import dev.sonde.bpf.testing.Resources;
import dev.sonde.bpf.vm.Cpu;
import dev.sonde.bpf.vm.Options;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Map operations from a program (bpf-vm/src/test/bpf/bench_maps.bpf.c, verified, then JIT-compiled
 * or interpreted): a hash
 * lookup + update per run, a 64-byte ring-buffer reserve + submit per run with a consumer
 * draining on another thread, and the empty program as the baseline for the run itself. Each run
 * holds an execution slot as a probe hit would.
 */
@State(Scope.Group)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms256m", "-Xmx256m"})
public class MapBench {
    private ExecutionSlots slots;
    private BpfObject object;
    /** The programs verified, then interpreted or JIT-compiled. */
    @Param({"JIT", "INTERPRET"})
    public ExecMode mode;

    private Executable hash;
    private Executable ring;
    private Executable empty;
    private RingBuf rb;
    private final byte[] regs = new byte[PtRegs.SIZE];
    private long key;

    @Setup(Level.Trial)
    public void setup() throws Exception {
        slots = new ExecutionSlots(4);
        object = BpfObject.load("bench_maps.bpf.o", Resources.bytes("/bpf/bench_maps.bpf.o"), slots,
            LoadOptions.of(Options.defaults().withHelpers(Helpers.all(ProbeEnv.NONE, TracePipe.DISCARD)))
                .withMode(mode));
        hash = object.program("hash_lookup_update").orElseThrow().executable();
        ring = object.program("ring_reserve_submit").orElseThrow().executable();
        empty = object.program("empty").orElseThrow().executable();
        rb = (RingBuf) object.map("ring").orElseThrow();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        object.close();
        slots.close();
    }

    private long run(Executable p, long arg) {
        Cpu cpu = slots.tryEnter();
        if (cpu == null) {
            return -1;
        }
        PtRegs.put(regs, PtRegs.DI, arg);
        long ctx = cpu.bindContext(regs, 0, PtRegs.SIZE, false);
        long r0 = p.run(cpu, ctx, 0);
        slots.exit(cpu);
        return r0;
    }

    @Benchmark
    @Group("empty")
    public long emptyProgram() {
        return run(empty, 0);
    }

    @Benchmark
    @Group("hash")
    public long hashLookupUpdate() {
        return run(hash, key++);
    }

    @Benchmark
    @Group("ring")
    @GroupThreads(1)
    public long ringReserveSubmit() {
        return run(ring, key++);
    }

    @Benchmark
    @Group("ring")
    @GroupThreads(1)
    public int ringConsumer(Consumer c) {
        return c.rb.poll((buf, off, len) -> 0, 4096);
    }

    /**
     * The same producer, with a consumer that drains in batches: after a poll that found nothing
     * it parks for 20 µs (the ring holds some 13,000 of these records), as a consumer that waits
     * for data does, instead of polling the producer's cache lines without pause.
     */
    @Benchmark
    @Group("ringBatched")
    @GroupThreads(1)
    public long ringBatchedReserveSubmit() {
        return run(ring, key++);
    }

    @Benchmark
    @Group("ringBatched")
    @GroupThreads(1)
    public int ringBatchedConsumer(Consumer c) {
        int n = c.rb.poll((buf, off, len) -> 0, 1 << 16);
        if (n == 0) {
            java.util.concurrent.locks.LockSupport.parkNanos(20_000);
        }
        return n;
    }

    /**
     * The consumer's own copy of the ring reference. Reading it from the group state would read a
     * cache line that may also hold {@code key}, which the producer writes on every call. Whether
     * it does depends on where the fork's allocator put the state, so forks came out about 60 ns
     * or 200–340 ns.
     */
    @State(Scope.Thread)
    public static class Consumer {
        RingBuf rb;

        @Setup(Level.Trial)
        public void setup(MapBench bench) {
            rb = bench.rb;
        }
    }
}

package dev.sonde.bpf.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonde.bpf.isa.Insn;
import dev.sonde.bpf.isa.Op;
import dev.sonde.bpf.testing.Resources;
import java.lang.management.ManagementFactory;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A warm interpreter run allocates nothing: not on the normal path, not when it faults. Measured
 * with the JVM's per-thread allocation counter, which counts every TLAB and outside-TLAB byte.
 */
class ZeroAllocationTest {
    private static final com.sun.management.ThreadMXBean THREADS =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @Test
    void benchKernelRunsAllocateNothing() throws LoadException {
        byte[] text = Resources.section(Resources.bytes("/bench/fletcher16.bpf.o"), ".text");
        Program p = Program.load("fletcher16", text, Options.defaults().withCpuVersion(1));
        Cpu cpu = new Cpu(0);
        byte[] input = Resources.benchInput();
        long mem = cpu.bindCaller(0, input, 0, 80, false);
        assertEquals(0, allocatedBy(() -> Interpreter.run(p, cpu, mem, 80)));
    }

    @Test
    void faultingRunsAllocateNothing() throws LoadException {
        // r0 = *(u64 *)(r1 + 4096): r1 is 256 bytes of caller memory, so every run faults.
        Program p = Program.load("oob", new Insn[] {
            Insn.of(Op.LDX_DW, 0, 1, 4096, 0), Insn.of(Op.EXIT, 0, 0, 0, 0)}, Options.defaults());
        Cpu cpu = new Cpu(0);
        long mem = cpu.bindCaller(0, new byte[256], 0, 256, false);
        assertEquals(0, allocatedBy(() -> {
            Interpreter.run(p, cpu, mem, 256);
            assertTrue(cpu.faulted());
        }));
        assertEquals(FaultKind.OUT_OF_BOUNDS, cpu.faultKind());
    }

    @Test
    void helperCallsAllocateNothing() throws LoadException {
        HelperTable helpers = HelperTable.empty().with(5, "ktime_get_ns", (c, a, b, d, e, f) -> System.nanoTime());
        Program p = Program.load("call", List.of(Insn.of(Op.CALL, 0, 0, 0, 5), Insn.of(Op.EXIT, 0, 0, 0, 0))
            .toArray(Insn[]::new), Options.defaults().withHelpers(helpers));
        Cpu cpu = new Cpu(0);
        assertEquals(0, allocatedBy(() -> Interpreter.run(p, cpu, 0, 0)));
    }

    /**
     * Bytes allocated on this thread by 100,000 runs after 300,000 warm-up runs: the least of up to
     * five such windows. (While HotSpot is still compiling, the transition into compiled code
     * allocates a little: about 100 bytes once, seen in the second window of 100,000 runs on a
     * quiet machine, and later on a loaded one, whose compiler threads get on slowly. A run that
     * really allocates does so in every window, so the least tells the two apart.)
     */
    private static long allocatedBy(Runnable run) {
        for (int i = 0; i < 300_000; i++) {
            run.run();
        }
        long tid = Thread.currentThread().getId();
        THREADS.getThreadAllocatedBytes(tid); // its first call allocates; keep that out of the window
        long least = Long.MAX_VALUE;
        for (int window = 0; window < 5 && least > 0; window++) {
            long before = THREADS.getThreadAllocatedBytes(tid);
            for (int i = 0; i < 100_000; i++) {
                run.run();
            }
            least = Math.min(least, THREADS.getThreadAllocatedBytes(tid) - before);
        }
        return least;
    }
}

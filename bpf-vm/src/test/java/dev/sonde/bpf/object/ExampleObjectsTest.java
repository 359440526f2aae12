package dev.sonde.bpf.object;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonde.bpf.map.RingBuf;
import dev.sonde.bpf.testing.Resources;
import dev.sonde.bpf.vm.LoadException;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The eleven reference objects of shared/reference/examples load unchanged, and their programs run. */
class ExampleObjectsTest {
    private final ProbeRunner runner = new ProbeRunner();

    @AfterEach
    void close() {
        runner.close();
    }

    @ParameterizedTest(name = "{0} loads and every program runs without a fault")
    @ValueSource(strings = {"a_kprobe_hash", "b_kretprobe_ringbuf", "c_globals_printk", "d_subprog_call",
        "e_bounded_loop", "f_atomics_v3", "g_cpu_v4", "h_misc_helpers", "i_args_snprintf", "j_acq_rel_v4",
        "k_prog_array_values"})
    void loadsAndRuns(String name) throws Exception {
        BpfObject o = runner.load("/examples/" + name + ".o");
        assertFalse(o.programs().isEmpty());
        for (LoadedProgram p : o.programs()) {
            runner.run(o, p.name(), 1, 2, 3, 4, 5, 6);
        }
    }

    @Test
    void kprobeHashCountsPerFirstArgument() throws Exception {
        BpfObject o = runner.load("/examples/a_kprobe_hash.o");
        assertEquals(0, runner.run(o, "count_calls", 5, 1, 2));
        assertEquals(1, runner.run(o, "count_calls", 5, 3, 3));
        assertEquals(2, ProbeRunner.u64(o.map("calls_by_arg1").orElseThrow(), 5));
    }

    @Test
    void kretprobeWritesOneRingBufferRecordPerRun() throws Exception {
        BpfObject o = runner.load("/examples/b_kretprobe_ringbuf.o");
        runner.run(o, "on_return", 1);
        runner.run(o, "on_return", 2);
        AtomicInteger n = new AtomicInteger();
        ((RingBuf) o.map("events").orElseThrow()).poll((buf, off, len) -> {
            n.incrementAndGet();
            return 0;
        }, 10);
        assertEquals(2, n.get());
    }

    @Test
    void printkOfTheGlobalsExampleReachesThePipe() throws Exception {
        BpfObject o = runner.load("/examples/c_globals_printk.o");
        runner.run(o, "globals_demo", 9);
        assertEquals(List.of(), runner.trace, "9 is below the .rodata threshold of 100");
        runner.run(o, "globals_demo", 150);
        assertEquals(List.of("big arg 150 (hits=2)"), runner.trace);
    }

    @Test
    void aLoadErrorNamesObjectProgramInstructionAndSourceLine() throws Exception {
        byte[] bytes = Resources.bytes("/examples/a_kprobe_hash.o");
        // Without map helpers the object's first helper call (map_lookup_elem) is unknown.
        LoadException e = assertThrows(LoadException.class, () -> BpfObject.load("a.o", bytes, runner.slots,
            dev.sonde.bpf.vm.Options.defaults()));
        assertTrue(e.getMessage().startsWith("a.o: program count_calls (kprobe/com.example.Service::handle): insn "),
            e.getMessage());
        assertTrue(e.getMessage().contains("insn 10 (./a_kprobe_hash.bpf.c:21:8): "), e.getMessage());
        assertEquals(10, e.insn());
        assertTrue(e.getMessage().endsWith("call to unknown helper 1"), e.getMessage());
    }
}

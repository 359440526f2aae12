package dev.sonde.bpf.jit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonde.bpf.isa.Encoder;
import dev.sonde.bpf.isa.Insn;
import dev.sonde.bpf.isa.Op;
import dev.sonde.bpf.vm.Cpu;
import dev.sonde.bpf.vm.FaultKind;
import dev.sonde.bpf.vm.HelperTable;
import dev.sonde.bpf.vm.Options;
import dev.sonde.bpf.vm.Program;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Class unloading, declining, helper failures. */
class LifecycleTest {
    @Test
    void generatedClassUnloadsAfterRelease() throws Exception {
        WeakReference<Class<?>> cls = compileRunAndRelease();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> {
            System.gc();
            return cls.get() == null;
        });
        assertNull(cls.get());
    }

    private static WeakReference<Class<?>> compileRunAndRelease() throws Exception {
        CompiledProgram c = JitCompiler.compile(GoldenBytecodeTest.program("calls"));
        Cpu cpu = new Cpu(0);
        assertEquals(14, c.run(cpu, 0, 0));
        assertTrue(c.codeClass().isHidden());
        return new WeakReference<>(c.codeClass());
    }

    @Test
    void declinesAJumpIntoAnotherFunction() throws Exception {
        Program p = Program.load("cross", Encoder.encode(List.of(
            Insn.of(Op.CALL_LOCAL, 0, 0, 0, 1),
            Insn.of(Op.JA, 0, 0, 1, 0),                               // into the callee's body
            Insn.of(Op.MOV64_K, 0, 0, 0, 1),
            Insn.of(Op.EXIT, 0, 0, 0, 0))), Options.defaults());
        JitException e = assertThrows(JitException.class, () -> JitCompiler.compile(p));
        assertEquals(1, e.insn());
        assertTrue(e.reason().contains("leaves the function"), e.reason());
    }

    @Test
    void declinesAFunctionTooLargeForC2() throws Exception {
        List<Insn> code = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            code.add(Insn.of(Op.ADD32_K, i % 9, 0, 0, i));
        }
        code.add(Insn.of(Op.EXIT, 0, 0, 0, 0));
        Program p = Program.load("huge", Encoder.encode(code), Options.defaults());
        JitException e = assertThrows(JitException.class, () -> JitCompiler.compile(p));
        assertTrue(e.reason().contains("HotSpot does not compile"), e.reason());
    }

    @Test
    void aFailingHelperIsAHelperErrorAtItsInsn() throws Exception {
        Options o = Options.defaults().withHelpers(HelperTable.empty()
            .with(1, "overflow", (cpu, a, b, c, d, e) -> { throw new StackOverflowError(); }));
        Program p = Program.load("overflow", Encoder.encode(List.of(
            Insn.of(Op.MOV64_K, 0, 0, 0, 5),
            Insn.of(Op.CALL, 0, 0, 0, 1),
            Insn.of(Op.EXIT, 0, 0, 0, 0))), o);
        Cpu cpu = new Cpu(0);
        assertEquals(0, JitCompiler.compile(p).run(cpu, 0, 0));
        assertTrue(cpu.faulted());
        assertEquals(FaultKind.HELPER_ERROR, cpu.faultKind());
        assertEquals(1, cpu.faultPc());
        assertTrue(cpu.faultCause() instanceof StackOverflowError);
    }

    @Test
    void aRunAfterAFaultStartsClean() throws Exception {
        Program p = Program.load("nullload", Encoder.encode(List.of(
            Insn.of(Op.LDX_DW, 0, 1, 0, 0),
            Insn.of(Op.EXIT, 0, 0, 0, 0))), Options.defaults());
        CompiledProgram c = JitCompiler.compile(p);
        Cpu cpu = new Cpu(0);
        assertEquals(0, c.run(cpu, 0, 0));
        assertEquals(FaultKind.NULL_POINTER, cpu.faultKind());
        byte[] mem = {1, 2, 3, 4, 5, 6, 7, 8};
        assertEquals(0x0807060504030201L, c.run(cpu, cpu.bindCaller(0, mem, 0, 8, false), 0));
        assertFalse(cpu.faulted());
    }
}

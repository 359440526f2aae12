package dev.sonde.probe.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonde.bpf.object.BpfObject;
import dev.sonde.bpf.object.LoadedProgram;
import dev.sonde.bpf.slot.ExecutionSlots;
import dev.sonde.bpf.vm.Cpu;
import dev.sonde.bpf.vm.FaultKind;
import dev.sonde.bpf.vm.Interpreter;
import dev.sonde.bpf.vm.Options;
import dev.sonde.probe.attach.Target;
import dev.sonde.probe.attach.TargetResolver;
import dev.sonde.probe.hit.JvmHelpers;
import dev.sonde.probe.hit.JvmProbeEnv;
import dev.sonde.probe.hit.ProbeHit;
import dev.sonde.probe.hit.ProbeHits;
import dev.sonde.probe.object.HandleLayout;
import dev.sonde.probe.symbol.MethodSymbol;
import dev.sonde.probe.symbol.StackCapture;
import dev.sonde.probe.symbol.Symbols;
import dev.sonde.probe.testing.Allocations;
import dev.sonde.probe.trace.TraceBuffer;
import java.io.InputStream;
import java.lang.reflect.Executable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Clang-compiled probes (src/test/bpf/greet.bpf.c, wide.bpf.c) loaded by bpf-vm's object loader,
 * their SEC names resolved to Greeter's methods, and run by the interpreter on an execution slot
 * with a ProbeHit filled by hand as the trampoline will fill it.
 */
class ProbeEndToEndTest {
    private final ExecutionSlots slots = new ExecutionSlots(2);
    private final ProbeHits hits = new ProbeHits(slots);
    private final TraceBuffer trace = new TraceBuffer(slots.count());
    private final Symbols symbols = new Symbols();
    /** Sonde's frames are skipped, but not this test's: here the test plays the trampoline. */
    private final StackCapture stacks = StackCapture.of(symbols).skipping(f -> {
        String c = f.getClassName();
        return c.startsWith("dev.sonde.bpf.") || c.startsWith("dev.sonde.probe.") && !c.startsWith("dev.sonde.probe.e2e.");
    });
    private final JvmProbeEnv env = new JvmProbeEnv(stacks);
    private final Options options = Options.defaults().withHelpers(JvmHelpers.all(env, trace));
    private final List<BpfObject> objects = new ArrayList<>();
    private final Greeter greeter = new Greeter();

    @BeforeEach
    void noLinesYet() {
        assertEquals(0, trace.drain(l -> { }));
    }

    @AfterEach
    void close() {
        objects.forEach(BpfObject::close);
        slots.close();
    }

    private BpfObject load(String name) throws Exception {
        try (InputStream in = getClass().getResourceAsStream("/bpf/" + name)) {
            assertNotNull(in, "compiled probe " + name + " (bin/sonde-cc in generate-test-resources)");
            BpfObject o = BpfObject.load(name, in.readAllBytes(), slots, options);
            objects.add(o);
            return o;
        }
    }

    /** The one method a program's SEC name resolves to, and its symbol. */
    private MethodSymbol symbolOf(LoadedProgram p) throws Exception {
        Target t = Target.parse(p.secName());
        List<Executable> methods = TargetResolver.resolve(t, new Class<?>[] {Greeter.class, String.class});
        assertEquals(1, methods.size(), methods::toString);
        return symbols.register(methods.get(0));
    }

    @FunctionalInterface
    interface Fill {
        void into(ProbeHit hit);
    }

    /** What the trampoline does: claim a slot, fill the hit, bind the context, run, end, release. */
    private long fire(LoadedProgram p, MethodSymbol m, long cookie, int params, Fill fill, boolean expectFault) {
        Cpu cpu = slots.tryEnter();
        assertNotNull(cpu, "a free slot");
        ProbeHit hit = hits.of(cpu);
        try {
            hit.begin(cpu, m, cookie, params).caller(stacks.caller());
            fill.into(hit);
            long ctx = hit.bind(cpu);
            long r0 = Interpreter.run(p.program(), cpu, ctx, 0);
            assertEquals(expectFault, cpu.faulted(), cpu::describeFault);
            if (expectFault) {
                assertEquals(FaultKind.NO_REGION, cpu.faultKind(), cpu::describeFault);
            }
            return r0;
        } finally {
            hit.end(cpu);
            slots.exit(cpu);
        }
    }

    private ByteBuffer value(BpfObject o, String map) {
        byte[] v = o.map(map).orElseThrow().lookup(new byte[4]);
        return ByteBuffer.wrap(v).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static String cString(ByteBuffer b, int off, int max) {
        int n = 0;
        while (n < max && b.get(off + n) != 0) {
            n++;
        }
        byte[] s = new byte[n];
        b.get(off, s);
        return new String(s, StandardCharsets.UTF_8);
    }

    @Test
    @SuppressWarnings("deprecation")
    void anEntryProbeSeesTheCall() throws Exception {
        BpfObject o = load("greet.bpf.o");
        LoadedProgram p = o.program("on_greet").orElseThrow();
        MethodSymbol greet = symbolOf(p);
        assertEquals("dev.sonde.probe.e2e.Greeter.greet(Ljava/lang/String;ID)Ljava/lang/String;", greet.text());
        long[] caller = new long[1];
        // greeter.greet("héllo", 42, 3.5)
        fire(p, greet, 77, 3, h -> {
            h.thisObject(greeter).paramObject(0, "héllo").paramInt(1, 42).paramDouble(2, 3.5);
            caller[0] = h.caller();
        }, false);

        // struct entry of greet.bpf.c, by offset.
        ByteBuffer e = value(o, "entries");
        assertEquals(7, e.getLong(0), "bpf_probe_read_user_str: 6 bytes of UTF-8 and a NUL");
        assertEquals("héllo", cString(e, 8, 32));
        assertEquals(42, e.getLong(40));
        assertEquals(Double.doubleToRawLongBits(3.5), e.getLong(48), "the double's bits in dx");
        assertEquals(greet.address(), e.getLong(56), "PT_REGS_IP");
        assertEquals(greet.address(), e.getLong(64), "bpf_get_func_ip == ip");
        assertEquals("dev.sonde.probe.e2e.Greeter", cString(e, 80, 64));
        assertEquals(28, e.getLong(72), "sonde_get_class_name returns the bytes with the NUL");
        assertEquals("greet", cString(e, 152, 16));
        assertEquals(6, e.getLong(144));
        assertEquals(3, e.getLong(168), "bpf_get_func_arg_cnt: declared parameters, not this");
        assertEquals(42, e.getLong(176), "bpf_get_func_arg(ctx, 1)");
        assertEquals(77, e.getLong(184), "bpf_get_attach_cookie");
        assertTrue(HandleLayout.isHandle(e.getLong(192)), "r12 is this's handle");
        assertEquals(caller[0], e.getLong(200), "[sp+0] is the caller's address");
        assertEquals("dev.sonde.probe.e2e.ProbeEndToEndTest.anEntryProbeSeesTheCall()V",
            symbols.method(caller[0]).text(), "the caller is the method that called the 'trampoline'");
        assertEquals("dev.sonde.probe.e2e.Greeter", cString(e, 216, 48), "sonde_get_object_class(this)");
        assertEquals(Thread.currentThread().getName(), cString(e, 272, 32));
        assertEquals(-95, e.getLong(304), "bpf_get_func_ret at entry: -EOPNOTSUPP");
        assertEquals(0, e.getLong(312), "ax is 0 at entry");

        List<String> lines = new ArrayList<>();
        trace.drain(lines::add);
        assertEquals(1, lines.size(), lines::toString);
        Matcher m = Pattern.compile("(.+)-(\\d+) \\[(\\d{3})\\] (\\d+)\\.(\\d{6}): bpf_trace_printk: greet héllo x42")
            .matcher(lines.get(0));
        assertTrue(m.matches(), lines.get(0));
        assertEquals(Thread.currentThread().getName(), m.group(1));
        assertEquals(Thread.currentThread().getId(), Long.parseLong(m.group(2)));
        assertTrue(Integer.parseInt(m.group(3)) < slots.count());
    }

    @Test
    void aReturnProbeSeesTheValueOrTheThrowable() throws Exception {
        BpfObject o = load("greet.bpf.o");
        LoadedProgram p = o.program("on_greet_return").orElseThrow();
        MethodSymbol greet = symbolOf(p);
        fire(p, greet, 0, 3, h -> h.thisObject(greeter).paramObject(0, "héllo").paramInt(1, 42).paramDouble(2, 3.5)
            .returningObject(greeter.greet("héllo", 42, 3.5)), false);
        ByteBuffer r = value(o, "exits");
        assertTrue(HandleLayout.isHandle(r.getLong(0)), "ax: the returned String's handle");
        assertEquals(15, r.getLong(8));
        assertEquals("Hello, héllo!", cString(r, 16, 32));
        assertEquals(0, r.getLong(48), "flags: a normal return");
        assertEquals(0, r.getLong(56), "bpf_get_func_ret succeeds at return");
        assertEquals(r.getLong(0), r.getLong(64), "and gives ax");
        assertEquals("héllo", cString(r, 80, 32), "parameters stay readable at return");

        fire(p, greet, 0, 3, h -> h.thisObject(greeter).paramObject(0, "héllo").paramInt(1, 42).paramDouble(2, 3.5)
            .throwing(new IllegalStateException("no greeting")), false);
        r = value(o, "exits");
        assertEquals(1, r.getLong(48), "flags bit 0: an exceptional exit");
        assertEquals("java.lang.IllegalStateException", cString(r, 120, 48), "ax is the throwable's handle");
        assertEquals(0, r.getLong(8));
    }

    @Test
    void aDirectLoadThroughAHandleFaultsTheRunOnly() throws Exception {
        BpfObject o = load("greet.bpf.o");
        LoadedProgram p = o.program("deref_handle").orElseThrow();
        long r0 = fire(p, symbolOf(p), 0, 3, h -> h.paramObject(0, "héllo"), true);
        assertEquals(0, r0, "a faulted run returns 0");
    }

    @Test
    void stackParametersArraysThroughHandlesAndGetStack() throws Exception {
        BpfObject o = load("wide.bpf.o");
        LoadedProgram p = o.program("on_wide").orElseThrow();
        MethodSymbol wide = symbolOf(p);
        assertEquals("dev.sonde.probe.e2e.Greeter.wide(IIIIIJJ[J)J", wide.text());
        long[] array = {10, 20};
        // Greeter.wide(1, 2, 3, 4, 5, 6L, 7L, {10, 20})
        fire(p, wide, 0, 8, h -> {
            for (int i = 0; i < 5; i++) {
                h.paramInt(i, i + 1);
            }
            h.paramLong(5, 6).paramLong(6, 7).paramObject(7, array);
        }, false);
        ByteBuffer w = value(o, "seen");
        assertEquals(6, w.getLong(0), "parameter 6 in r9");
        assertEquals(7, w.getLong(8), "parameter 7 at sp+8");
        assertTrue(HandleLayout.isHandle(w.getLong(16)), "parameter 8 at sp+16, a handle");
        assertEquals(-14, w.getLong(24), "sp+24 is past the snapshot: -EFAULT");
        assertEquals(0, w.getLong(32), "and zero-filled");
        assertEquals(0, w.getLong(40));
        assertEquals(20, w.getLong(48), "handle + 8 is element 1 of the long[]");
        assertEquals(-14, w.getLong(56), "handle + 16 is past the array's end");
        assertEquals(0, w.getLong(64));
        long stackLen = w.getLong(72);
        assertTrue(stackLen >= 16 && stackLen <= 32, "bpf_get_stack returned " + stackLen);
        assertEquals("dev.sonde.probe.e2e.ProbeEndToEndTest.fire", symbols.method(w.getLong(80)).text().split("\\(")[0],
            "the innermost frame below Sonde's own: the 'trampoline'");
        assertEquals("dev.sonde.probe.e2e.ProbeEndToEndTest.stackParametersArraysThroughHandlesAndGetStack()V",
            symbols.method(w.getLong(88)).text());
        assertTrue(symbols.symbolize(w.getLong(88)).line() > 0, "frames symbolize to a line");
    }

    /** A whole warm hit: slot, hit record, context, interpreter run with map, name, read and printk helpers. */
    @Test
    void aWarmHitAllocatesNothing() throws Exception {
        BpfObject o = load("greet.bpf.o");
        LoadedProgram p = o.program("on_greet").orElseThrow();
        MethodSymbol greet = symbolOf(p);
        String name = "héllo";
        Runnable hit = () -> {
            Cpu cpu = slots.tryEnter();
            ProbeHit h = hits.of(cpu);
            h.begin(cpu, greet, 77, 3).thisObject(greeter).paramObject(0, name).paramInt(1, 42).paramDouble(2, 3.5);
            Interpreter.run(p.program(), cpu, h.bind(cpu), 0);
            h.end(cpu);
            slots.exit(cpu);
        };
        long bytes = Allocations.measure(300_000, 100_000, hit);
        System.err.printf("end-to-end hit: %d bytes allocated by 100,000 warm hits (trace lines dropped: %d)%n", bytes,
            trace.dropped());
        assertEquals(0, bytes);
        assertFalse(trace.dropped() == 0, "the pipe was full and dropped (without allocating)");
    }
}

package dev.sonde.probe.hit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sonde.bpf.vm.Errno;
import dev.sonde.bpf.vm.Cpu;
import dev.sonde.bpf.vm.Helper;
import dev.sonde.probe.symbol.MethodSymbol;
import dev.sonde.probe.symbol.StackCapture;
import dev.sonde.probe.symbol.Symbols;
import dev.sonde.probe.testing.Allocations;
import dev.sonde.probe.trace.TraceBuffer;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The probe path allocates nothing once warm: a hit's handles, the context fill, object reads, the
 * JVM helpers and a trace-pipe write. 100,000 iterations measured after 300,000 of warm-up, by the
 * JVM's per-thread allocation counter.
 */
class ProbePathAllocationTest {
    static final class Greeter {
        String greet(String name, int n, double d) {
            return name;
        }
    }

    private final Symbols symbols = new Symbols();
    private final JvmProbeEnv env = new JvmProbeEnv(StackCapture.of(symbols));
    private final Cpu cpu = new Cpu(0);
    private final ProbeHit hit = new ProbeHit(0, 1);

    @Test
    void aHitAllocatesNothing() throws Exception {
        MethodSymbol m = symbols.register(Greeter.class.getDeclaredMethod("greet", String.class, int.class, double.class));
        Greeter self = new Greeter();
        String name = "héllo \uD83D\uDE00 wörld";
        long[] array = {1, 2, 3};
        byte[] dst = new byte[64];
        long buf = cpu.bindCaller(0, dst, 0, dst.length, true);
        Helper className = JvmHelpers.jvm().get(JvmHelpers.GET_CLASS_NAME).body();
        Helper objectClass = JvmHelpers.jvm().get(JvmHelpers.GET_OBJECT_CLASS).body();
        long[] sink = new long[1];
        long bytes = Allocations.measure(300_000, 100_000, () -> {
            hit.begin(cpu, m, 7, 3).thisObject(self).paramObject(0, name).paramInt(1, 42).paramDouble(2, 3.5)
                .caller(m.address(3));
            long ctx = hit.bind(cpu);
            long h = env.funcArg(cpu, 0);
            long a = hit.objects().handleOf(array);
            long r = env.readObject(cpu, h, dst, 0, 32, true) + env.readObject(cpu, h + 3, dst, 0, 8, false)
                + env.readObject(cpu, a + 8, dst, 0, 16, false) + env.readObject(cpu, a + 20, dst, 0, 8, false);
            cpu.bindCaller(0, dst, 0, dst.length, true);
            r += className.call(cpu, ctx, buf, 64, 0, 0) + objectClass.call(cpu, hit.thisHandle(), buf, 64, 0, 0);
            r += env.funcIp(cpu) + env.funcArgCount(cpu) + env.attachCookie(cpu);
            hit.end(cpu);
            sink[0] += r;
        });
        assertEquals(0, bytes, "bytes allocated by 100,000 hits");
        assertEquals(-Errno.EFAULT, env.readObject(cpu, hit.objects().handleOf("x"), dst, 0, 1, false),
            "(outside a hit)");
    }

    @Test
    void traceWritesAllocateNothingWhileAnotherThreadDrains() throws Exception {
        TraceBuffer trace = new TraceBuffer(1, 1 << 16);
        byte[] msg = "greet héllo x42".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong drained = new AtomicLong();
        Thread consumer = new Thread(() -> {
            while (!stop.get()) {
                drained.addAndGet(trace.drain(line -> { }));
                Thread.onSpinWait();
            }
        }, "trace-consumer");
        consumer.start();
        long bytes;
        try {
            bytes = Allocations.measure(300_000, 100_000, () -> trace.write(cpu, msg, 0, msg.length));
        } finally {
            stop.set(true);
            consumer.join();
        }
        drained.addAndGet(trace.drain(line -> { }));
        assertEquals(0, bytes, "bytes allocated by 100,000 trace writes");
        assertEquals(400_000, drained.get() + trace.dropped(), "every line was either drained or counted as dropped");
    }
}

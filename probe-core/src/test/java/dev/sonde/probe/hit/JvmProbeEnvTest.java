package dev.sonde.probe.hit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonde.bpf.vm.Cpu;
import dev.sonde.bpf.vm.HelperTable;
import dev.sonde.probe.symbol.MethodSymbol;
import dev.sonde.probe.symbol.StackCapture;
import dev.sonde.probe.symbol.Symbols;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class JvmProbeEnvTest {
    static final int EFAULT = -14;
    static final int EOPNOTSUPP = -95;

    private final Symbols symbols = new Symbols();
    private final JvmProbeEnv env = new JvmProbeEnv(StackCapture.of(symbols));
    private final Cpu cpu = new Cpu(0);
    private final ProbeHit hit = new ProbeHit(0, 1);

    static final class Cart$Line {
        int add(String sku, int qty) {
            return qty;
        }
    }

    private MethodSymbol add() throws Exception {
        return symbols.register(Cart$Line.class.getDeclaredMethod("add", String.class, int.class));
    }

    @Test
    void outsideAHitEverythingIsEmpty() {
        assertEquals(0, env.funcIp(cpu));
        assertEquals(0, env.attachCookie(cpu));
        assertEquals(EOPNOTSUPP, env.funcArgCount(cpu));
        assertFalse(env.atReturn(cpu));
        assertEquals(EFAULT, env.readObject(cpu, 0x8000_0000_0000_0000L, new byte[4], 0, 4, false));
    }

    @Test
    void theHitAnswersTheVmsQuestions() throws Exception {
        MethodSymbol m = add();
        Cart$Line self = new Cart$Line();
        hit.begin(cpu, m, 42, 2).thisObject(self).paramObject(0, "sku-é").paramInt(1, -7);
        assertEquals(m.address(), env.funcIp(cpu));
        assertEquals(42, env.attachCookie(cpu));
        assertEquals(2, env.funcArgCount(cpu));
        assertEquals(-7, env.funcArg(cpu, 1));
        assertFalse(env.atReturn(cpu));
        byte[] dst = new byte[16];
        long h = env.funcArg(cpu, 0);
        assertEquals(7, env.readObject(cpu, h, dst, 0, 16, true));
        assertEquals("sku-é", new String(dst, 0, 6, StandardCharsets.UTF_8));
        assertEquals(0, env.readObject(cpu, h + 4, dst, 0, 2, false));
        assertArrayEquals("é".getBytes(StandardCharsets.UTF_8), Arrays.copyOf(dst, 2));
        assertEquals(EFAULT, env.readObject(cpu, h + 4, dst, 0, 3, false), "past the end");
        assertEquals(EFAULT, env.readObject(cpu, hit.thisHandle(), dst, 0, 1, false), "a plain object has no view");
        hit.returning(Encoding.of(3));
        assertTrue(env.atReturn(cpu));
        assertEquals(3, env.funcRet(cpu));
        hit.end(cpu);
        assertEquals(EFAULT, env.readObject(cpu, h, dst, 0, 1, false), "a stale handle after the hit ended");
        assertEquals(0, env.funcIp(cpu));
        // The next hit on the slot does not revive the old handle either.
        hit.begin(cpu, m, 0, 2).paramObject(0, "other");
        assertEquals(EFAULT, env.readObject(cpu, h, dst, 0, 1, false));
        hit.end(cpu);
    }

    @Test
    void jvmHelpersCopyNamesAsCStrings() throws Exception {
        HelperTable t = JvmHelpers.jvm();
        byte[] mem = new byte[64];
        long buf = cpu.bindCaller(0, mem, 0, mem.length, true);
        MethodSymbol m = add();
        String oldName = Thread.currentThread().getName();
        Thread.currentThread().setName("wörker-1");
        try {
            namesOf(t, mem, buf, m);
        } finally {
            Thread.currentThread().setName(oldName);
        }
    }

    private void namesOf(HelperTable t, byte[] mem, long buf, MethodSymbol m) {
        hit.begin(cpu, m, 0, 2).thisObject(new Cart$Line()).paramObject(0, "x");
        String cls = "dev.sonde.probe.hit.JvmProbeEnvTest$Cart$Line";
        assertEquals(cls.length() + 1, call(t, JvmHelpers.GET_CLASS_NAME, 0, buf, 64));
        assertEquals(cls, cString(mem));
        assertEquals(4, call(t, JvmHelpers.GET_METHOD_NAME, 0, buf, 64));
        assertEquals("add", cString(mem));
        assertEquals(3, call(t, JvmHelpers.GET_METHOD_NAME, 0, buf, 3), "size-1 bytes and a NUL");
        assertEquals("ad", cString(mem));
        assertEquals(0, call(t, JvmHelpers.GET_METHOD_NAME, 0, buf, 0));
        assertEquals(10, call(t, JvmHelpers.GET_THREAD_NAME, buf, 64, 0));
        assertEquals("wörker-1", cString(mem));
        assertEquals(cls.length() + 1, call(t, JvmHelpers.GET_OBJECT_CLASS, hit.thisHandle(), buf, 64));
        assertEquals(cls, cString(mem));
        assertEquals(17, call(t, JvmHelpers.GET_OBJECT_CLASS, env.funcArg(cpu, 0), buf, 64));
        assertEquals("java.lang.String", cString(mem));
        Arrays.fill(mem, (byte) 1);
        assertEquals(EFAULT, call(t, JvmHelpers.GET_OBJECT_CLASS, 12345, buf, 8), "no handle");
        assertArrayEquals(new byte[8], Arrays.copyOf(mem, 8), "zeroed on error");
        hit.end(cpu);
        cpu.bindCaller(0, mem, 0, mem.length, true);  // the hit's end unbound every per-run window
        assertEquals(EOPNOTSUPP, call(t, JvmHelpers.GET_CLASS_NAME, 0, buf, 8), "no hit, no method");
    }

    private long call(HelperTable t, int id, long a, long b, long c) {
        return t.get(id).body().call(cpu, a, b, c, 0, 0);
    }

    private static String cString(byte[] mem) {
        int n = 0;
        while (mem[n] != 0) {
            n++;
        }
        return new String(mem, 0, n, StandardCharsets.UTF_8);
    }
}

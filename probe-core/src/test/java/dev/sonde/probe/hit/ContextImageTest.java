package dev.sonde.probe.hit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.sonde.bpf.ctx.PtRegs;
import dev.sonde.bpf.mem.Addr;
import dev.sonde.bpf.vm.Cpu;
import dev.sonde.probe.hit.ContextLayout.Source;
import dev.sonde.probe.symbol.MethodSymbol;
import dev.sonde.probe.symbol.Symbols;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The pt_regs image of DESIGN.md §3 and §4, field by field. */
class ContextImageTest {
    private final Symbols symbols = new Symbols();
    private final Cpu cpu = new Cpu(0);
    private final ProbeHit hit = new ProbeHit(0, 1);

    static final class Shop {
        Shop(String name) {
        }

        static String wide(int a, long b, short c, char d, boolean e, byte f, float g, double h, Object i) {
            return "";
        }
    }

    @Test
    void theLayoutIsDesignTable() {
        Map<String, String> want = new LinkedHashMap<>();
        for (String f : PtRegs.FIELDS) {
            want.put(f, "ZERO");
        }
        want.put("di", "PARAM1");
        want.put("si", "PARAM2");
        want.put("dx", "PARAM3");
        want.put("cx", "PARAM4");
        want.put("r8", "PARAM5");
        want.put("r9", "PARAM6");
        want.put("r12", "THIS");
        want.put("sp", "STACK_SNAPSHOT");
        want.put("ax", "RETURN");
        want.put("ip", "METHOD");
        want.put("flags", "FLAGS");
        Map<String, String> got = new LinkedHashMap<>();
        for (ContextLayout.Field f : ContextLayout.FIELDS) {
            got.put(f.name(), f.source() + (f.source() == Source.PARAM ? String.valueOf(f.param()) : ""));
            assertEquals(8 * got.size() - 8, f.offset());
        }
        assertEquals(want, got);
        assertEquals(PtRegs.SIZE, 8 * ContextLayout.FIELDS.size());
    }

    @Test
    void entryOfAStaticMethodWithNineParameters() throws Exception {
        MethodSymbol m = symbols.register(Shop.class.getDeclaredMethod("wide", int.class, long.class, short.class,
            char.class, boolean.class, byte.class, float.class, double.class, Object.class));
        int[] arr = {7};
        hit.begin(cpu, m, 99, 9).paramInt(0, -1).paramLong(1, Long.MIN_VALUE).paramShort(2, (short) -2)
            .paramChar(3, '\uffff').paramBoolean(4, true).paramByte(5, (byte) -3).paramFloat(6, -1.5f)
            .paramDouble(7, 3.5).paramObject(8, arr).caller(m.address(12));
        long ctx = hit.bind(cpu);
        assertEquals(Addr.of(Addr.CONTEXT, 0), ctx);
        assertEquals(-1L, cpu.load64(ctx + PtRegs.DI), "int sign-extended");
        assertEquals(Long.MIN_VALUE, cpu.load64(ctx + PtRegs.SI));
        assertEquals(-2L, cpu.load64(ctx + PtRegs.DX), "short sign-extended");
        assertEquals(0xffffL, cpu.load64(ctx + PtRegs.CX), "char zero-extended");
        assertEquals(1L, cpu.load64(ctx + PtRegs.R8));
        assertEquals(-3L, cpu.load64(ctx + PtRegs.R9));
        assertEquals(0, cpu.load64(ctx + PtRegs.R12), "static: no this");
        assertEquals(0, cpu.load64(ctx + PtRegs.AX), "ax is 0 at entry");
        assertEquals(0, cpu.load64(ctx + PtRegs.FLAGS));
        assertEquals(m.address(), cpu.load64(ctx + PtRegs.IP));
        long sp = cpu.load64(ctx + PtRegs.SP);
        assertEquals(ContextImage.SNAPSHOT_ADDRESS, sp);
        assertEquals(m.address(12), cpu.load64(sp), "[sp+0] the caller");
        assertEquals(Float.floatToRawIntBits(-1.5f) & 0xffffffffL, cpu.load64(sp + StackSnapshot.offset(7)),
            "float bits zero-extended");
        assertEquals(Double.doubleToRawLongBits(3.5), cpu.load64(sp + StackSnapshot.offset(8)));
        assertSame(arr, hit.objects().resolve(cpu.load64(sp + StackSnapshot.offset(9))));
        assertEquals(StackSnapshot.size(9), cpu.regionOf(sp).size());
        assertThrows(RuntimeException.class, () -> cpu.load64(sp + StackSnapshot.offset(10)), "past the last parameter");
        assertThrows(RuntimeException.class, () -> cpu.store64(ctx + PtRegs.DI, 1), "read-only");
        assertEquals(0xffff, cpu.load16(ctx + PtRegs.CX), "narrow loads read the low bytes");
        for (int off : new int[] {PtRegs.R15, PtRegs.R14, PtRegs.R13, PtRegs.BP, PtRegs.BX, PtRegs.R11, PtRegs.R10,
            PtRegs.ORIG_AX, PtRegs.CS, PtRegs.SS}) {
            assertEquals(0, cpu.load64(ctx + off), "offset " + off);
        }
    }

    @Test
    void returnNormalVoidAndExceptional() throws Exception {
        MethodSymbol m = symbols.register(Shop.class.getDeclaredMethod("wide", int.class, long.class, short.class,
            char.class, boolean.class, byte.class, float.class, double.class, Object.class));
        hit.begin(cpu, m, 0, 9).paramInt(0, 5).returningObject("done");
        long ctx = hit.bind(cpu);
        assertEquals("done", hit.objects().resolve(cpu.load64(ctx + PtRegs.AX)));
        assertEquals(5, cpu.load64(ctx + PtRegs.DI), "parameters stay readable at return");
        assertEquals(m.address(), cpu.load64(ctx + PtRegs.IP), "ip is the same at entry and return");
        assertEquals(0, cpu.load64(ctx + PtRegs.FLAGS));
        hit.end(cpu);
        assertNull(ProbeHits.current(cpu), "no hit is current after end");
        assertFalse(hit.active());
        hit.begin(cpu, m, 0, 0).returningVoid();
        ctx = hit.bind(cpu);
        assertEquals(0, cpu.load64(ctx + PtRegs.AX), "void return");
        IllegalStateException boom = new IllegalStateException("boom");
        hit.begin(cpu, m, 0, 0).throwing(boom);
        ctx = hit.bind(cpu);
        assertSame(boom, hit.objects().resolve(cpu.load64(ctx + PtRegs.AX)), "ax: the throwable's handle");
        assertEquals(PtRegs.FLAG_EXCEPTIONAL, cpu.load64(ctx + PtRegs.FLAGS));
        assertEquals(8, cpu.regionOf(cpu.load64(ctx + PtRegs.SP)).size(), "no stack parameters: [sp+0] only");
        hit.end(cpu);
    }

    @Test
    void aConstructorShowsThisOnlyAtReturn() throws Exception {
        MethodSymbol ctor = symbols.register(Shop.class.getDeclaredConstructor(String.class));
        Shop s = new Shop("x");
        hit.begin(cpu, ctor, 0, 1).thisObject(s).paramObject(0, "x");
        long ctx = hit.bind(cpu);
        assertEquals(0, cpu.load64(ctx + PtRegs.R12), "not initialised at entry");
        hit.begin(cpu, ctor, 0, 1).thisObject(s).paramObject(0, "x").returningVoid();
        ctx = hit.bind(cpu);
        long self = cpu.load64(ctx + PtRegs.R12);
        assertNotEquals(0, self);
        assertSame(s, hit.objects().resolve(self));
        hit.end(cpu);
        assertThrows(RuntimeException.class, () -> cpu.load64(Addr.of(Addr.CONTEXT, 0)), "unbound after the hit");
    }
}

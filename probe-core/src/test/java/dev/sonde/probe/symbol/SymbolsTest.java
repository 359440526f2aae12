package dev.sonde.probe.symbol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonde.bpf.mem.Addr;
import dev.sonde.bpf.vm.Cpu;
import dev.sonde.probe.object.HandleLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class SymbolsTest {
    static final class Shop {
        boolean pay(long amount, int times) {
            return amount > times;
        }

        static final class Line {
            Line(String sku) {
            }
        }
    }

    @Test
    void addressesAreStableNonZeroAndSymbolizeToClassMethodDescriptor() throws Exception {
        Symbols syms = new Symbols();
        MethodSymbol pay = syms.register(Shop.class.getDeclaredMethod("pay", long.class, int.class));
        MethodSymbol ctor = syms.register(Shop.Line.class.getDeclaredConstructor(String.class));
        assertSame(pay, syms.register(Shop.class, "pay", "(JI)Z"), "registering again gives the same symbol");
        assertNotEquals(0, pay.address());
        assertNotEquals(pay.address(), ctor.address());
        assertEquals("dev.sonde.probe.symbol.SymbolsTest$Shop.pay(JI)Z", pay.text());
        assertEquals("dev.sonde.probe.symbol.SymbolsTest$Shop$Line.<init>(Ljava/lang/String;)V", ctor.text());
        assertTrue(ctor.isConstructor());
        assertSame(pay, syms.method(pay.address()));
        assertSame(pay, syms.method(pay.address(17)), "any bci lies in its method");
        assertEquals(17, SymbolLayout.bci(pay.address(17)));
        assertEquals("dev.sonde.probe.symbol.SymbolsTest$Shop.pay(JI)Z+0x11", syms.symbolize(pay.address(17)).toString());
        assertNull(syms.method(0));
        assertNull(syms.method(SymbolLayout.address(999, 0)), "an id never given out");
        assertNull(syms.method(HandleLayout.handle(1, 1)), "an object handle is no symbol");
        assertNull(syms.method(Addr.of(Addr.CONTEXT, 0)));
    }

    @Test
    void aProgramCannotLoadThroughASymbolAddress() throws Exception {
        Symbols syms = new Symbols();
        long ip = syms.register(Shop.class.getDeclaredMethod("pay", long.class, int.class)).address();
        int region = Addr.region(ip);
        assertTrue(region >= SymbolLayout.FIRST_REGION_ID && region <= SymbolLayout.LAST_REGION_ID);
        Cpu cpu = new Cpu(0);
        assertNull(cpu.regionOf(ip));
        assertThrows(RuntimeException.class, () -> cpu.load64(ip));
    }

    @Test
    void stackFramesGiveMethodPlusBciAndTheirLine() {
        Symbols syms = new Symbols();
        StackWalker w = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);
        int line = new Throwable().getStackTrace()[0].getLineNumber() + 1;
        StackWalker.StackFrame f = w.walk(s -> s.findFirst().orElseThrow());
        long addr = syms.frameAddress(f);
        Symbolized s = syms.symbolize(addr);
        assertEquals("dev.sonde.probe.symbol.SymbolsTest.stackFramesGiveMethodPlusBciAndTheirLine()V", s.method().text());
        assertEquals(f.getByteCodeIndex(), s.bci());
        assertEquals(line, s.line());
        assertEquals("SymbolsTest.java", s.method().sourceFile());
        assertTrue(s.toString().endsWith("+0x" + Integer.toHexString(f.getByteCodeIndex()) + " (SymbolsTest.java:" + line + ")"),
            s.toString());
        assertEquals(addr, syms.frameAddress(f), "the same frame, the same address");
        assertEquals(-1, s.method().line(f.getByteCodeIndex() + 1), "a bci no walk reported has no line");
    }

    @Test
    void kallsymsListsEveryMethodInAddressOrder() throws Exception {
        Symbols syms = new Symbols();
        MethodSymbol a = syms.register(Shop.class.getDeclaredMethod("pay", long.class, int.class));
        MethodSymbol b = syms.register(Shop.Line.class.getDeclaredConstructor(String.class));
        MethodSymbol c = syms.register(ArrayList.class.getDeclaredMethod("add", Object.class));
        assertEquals(String.format("%016x T %s\n%016x T %s\n%016x T %s\n", a.address(), a.text(), b.address(), b.text(),
            c.address(), c.text()), syms.kallsyms());
        assertEquals("c000000100000000 T dev.sonde.probe.symbol.SymbolsTest$Shop.pay(JI)Z", syms.kallsyms().lines().findFirst().orElseThrow());
        assertEquals("c000000300000000 T java.util.ArrayList.add(Ljava/lang/Object;)Z", syms.kallsyms().lines().skip(2).findFirst().orElseThrow());
        assertEquals(3, syms.size());
    }

    @Test
    void concurrentRegistrationsGiveOneSymbolPerMethod() throws Exception {
        Symbols syms = new Symbols();
        List<java.lang.reflect.Method> methods = List.of(String.class.getDeclaredMethods());
        ConcurrentHashMap<String, MethodSymbol> seen = new ConcurrentHashMap<>();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        List<Throwable> errors = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            Thread th = new Thread(() -> {
                try {
                    go.await();
                    for (java.lang.reflect.Method m : methods) {
                        MethodSymbol s = syms.register(m);
                        MethodSymbol prev = seen.putIfAbsent(s.text(), s);
                        if (prev != null && prev != s) {
                            throw new AssertionError("two symbols for " + s.text());
                        }
                        if (syms.method(s.address()) != s) {
                            throw new AssertionError("lookup of a registered symbol failed");
                        }
                    }
                } catch (Throwable e) {
                    synchronized (errors) {
                        errors.add(e);
                    }
                }
            });
            th.start();
            threads.add(th);
        }
        go.countDown();
        for (Thread th : threads) {
            th.join();
        }
        assertEquals(List.of(), errors);
        assertEquals(methods.size(), syms.size());
    }
}

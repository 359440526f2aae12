package dev.sonde.probe.control;

import static dev.sonde.probe.control.ShopProbesTest.key;
import static dev.sonde.probe.control.ShopProbesTest.u64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonde.bpf.map.BpfMap;
import dev.sonde.probe.testing.TestProbes;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.bytebuddy.agent.ByteBuddyAgent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** JDK methods, glob targets over many methods, and several programs on one method. */
class ProbeScenariosTest {
    private static Sonde sonde;
    private ProbeObject probes;

    @BeforeAll
    static void install() {
        sonde = Sonde.install(ByteBuddyAgent.install());
    }

    @BeforeEach
    void open() throws Exception {
        probes = TestProbes.open(sonde, "scenarios.bpf.o");
    }

    @AfterEach
    void close() {
        probes.close();
    }

    @Test
    @SuppressWarnings("deprecation")
    void aJdkMethodCanBeProbedAndCountsExactlyPerThread() throws Exception {
        ProbeLink link = probes.attach("list_add");
        long[] tid = new long[1];
        Thread t = new Thread(() -> {
            tid[0] = Thread.currentThread().getId();
            List<Integer> list = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                list.add(i);
            }
        });
        t.start();
        t.join();
        link.close();
        BpfMap byThread = probes.map("by_thread").orElseThrow();
        assertEquals(500, u64(byThread.lookup(key(tid[0] & 0xffffffffL))),
            "ArrayList.add(Object) on the thread that called it 500 times");
        assertEquals(List.of("java.util.ArrayList.add(Ljava/lang/Object;)Z"), link.methods());
    }

    @Test
    void oneProgramOnEveryMethodOfAClassSeesEachMethodsOwnAddress() throws Exception {
        Shop shop = new Shop(); // targets resolve against loaded classes
        ProbeLink link = probes.attach("any_shop_method");
        assertTrue(link.methods().size() >= 5, link.methods()::toString);
        shop = new Shop();
        shop.pay(1, 2);
        shop.pay(1, 2);
        shop.total();
        Shop.refund(3);
        link.close();
        Map<String, Long> byMethod = new HashMap<>();
        BpfMap byIp = probes.map("by_ip").orElseThrow();
        for (byte[] k = byIp.nextKey(null); k != null; k = byIp.nextKey(k)) {
            long ip = ByteBuffer.wrap(k).order(ByteOrder.LITTLE_ENDIAN).getLong();
            String name = sonde.symbols().method(ip).text();
            byMethod.put(name.substring(name.lastIndexOf('.') + 1, name.indexOf('(')), u64(byIp.lookup(k)));
        }
        assertEquals(2L, byMethod.get("pay"), byMethod::toString);
        assertEquals(1L, byMethod.get("total"), byMethod::toString);
        assertEquals(1L, byMethod.get("refund"), byMethod::toString);
        assertTrue(byMethod.containsKey("<init>"), "the constructor is a method too: " + byMethod);
    }

    @Test
    void programsOnOneMethodRunInAttachOrder() throws Exception {
        new Shop();
        ProbeLink second = probes.attach("second");
        ProbeLink first = probes.attach("first");
        new Shop().total();
        assertEquals(0, global("second_saw"), "attached first, runs first");
        assertEquals(1, global("first_saw"));
        assertEquals(1, first.stats().runCount());
        assertEquals(1, second.stats().runCount());
    }

    private long global(String name) {
        BpfMap bss = probes.map(".bss").orElseThrow();
        var data = probes.bpf().file().maps().stream()
            .filter(d -> d instanceof dev.sonde.bpf.elf.DataSpec s && s.name().equals(".bss"))
            .map(d -> (dev.sonde.bpf.elf.DataSpec) d).findFirst().orElseThrow();
        int off = data.variables().stream().filter(v -> v.name().equals(name)).findFirst().orElseThrow().offset();
        return ByteBuffer.wrap(bss.lookup(new byte[4])).order(ByteOrder.LITTLE_ENDIAN).getLong(off);
    }
}

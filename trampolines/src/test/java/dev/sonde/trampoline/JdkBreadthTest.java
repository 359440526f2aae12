package dev.sonde.trampoline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonde.bpf.vm.Cpu;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

/**
 * The writer on real-world bytecode: trampolines on every method of ArrayList, HashMap and String
 * (loops, switches, nested try/catch, constructors), a workload whose results must not change,
 * then every method's instructions restored.
 */
class JdkBreadthTest {
    private final Trampolines t = Fixture.trampolines();

    static final class Counting implements Handler {
        final LongAdder entries = new LongAdder();
        final LongAdder exits = new LongAdder();

        @Override
        public void onEntry(Frame f, Cpu c) {
            entries.increment();
        }

        @Override
        public void onExit(Frame f, Cpu c) {
            exits.increment();
        }
    }

    private static String workload() {
        Map<String, Integer> m = new HashMap<>();
        List<String> l = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            String k = ("key-" + (i * 7919 % 2003)).toUpperCase().replace('K', 'k').trim();
            m.merge(k, i, Integer::sum);
            l.add(k.substring(2) + k.indexOf('-'));
        }
        l.sort(null);
        l.removeIf(s -> s.endsWith("7"));
        StringBuilder b = new StringBuilder();
        b.append(m.size()).append(',').append(m.get("kEY-5")).append(',').append(l.size()).append(',')
                .append(l.get(0)).append(',').append(String.join("|", l.subList(0, 5))).append(',')
                .append(m.computeIfAbsent("new", String::length)).append(',').append("a,b,,c".split(",").length);
        try {
            l.get(100_000);
        } catch (IndexOutOfBoundsException e) {
            b.append(',').append(e.getMessage());
        }
        return b.toString();
    }

    @Test
    void everyMethodOfArrayListHashMapAndString() throws Exception {
        Class<?>[] classes = {ArrayList.class, HashMap.class, String.class};
        List<Object> before = new ArrayList<>();
        for (Class<?> c : classes) {
            before.add(ClassBytes.instructions(ClassBytes.current(c)));
        }
        String plain = workload();
        Counting h = new Counting();
        String traced;
        List<Link> links = new ArrayList<>();
        try {
            for (Class<?> c : classes) {
                links.add(t.attach(MethodPattern.of(c.getName(), "*"), h));
            }
            int methods = links.stream().mapToInt(l -> l.methods().size()).sum();
            assertTrue(methods > 150, "methods instrumented: " + methods);
            traced = workload();
        } finally {
            t.detach(links);
            t.awaitRestored();
        }
        assertEquals(plain, traced);
        assertTrue(h.entries.sum() > 10_000, "entries: " + h.entries.sum());
        assertTrue(h.exits.sum() > 10_000, "exits: " + h.exits.sum());
        for (int i = 0; i < classes.length; i++) {
            assertEquals(before.get(i), ClassBytes.instructions(ClassBytes.current(classes[i])),
                    classes[i] + ": instruction-level comparison after detach");
        }
    }
}

package dev.sonde.probe.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonde.bpf.vm.Cpu;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The trace pipe of DESIGN.md §4: line format, order across slots, drops, wrap-around. */
class TraceBufferTest {
    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> drain(TraceBuffer t) {
        List<String> out = new ArrayList<>();
        t.drain(out::add);
        return out;
    }

    @Test
    @SuppressWarnings("deprecation")
    void aLineIsExactlyTheDesignFormat() {
        TraceBuffer t = new TraceBuffer(4);
        Thread worker = new Thread(() -> { }, "pool-1-thread-3");
        t.write(2, 12_345_678_901_234L, worker, b("hello x=42\n"), 0, 11);
        assertEquals(List.of("pool-1-thread-3-" + worker.getId() + " [002] 12345.678901: bpf_trace_printk: hello x=42"),
            drain(t));
        assertEquals(List.of(), drain(t), "a line is drained once");
    }

    @Test
    @SuppressWarnings("deprecation")
    void writeFromACpuStampsSlotThreadAndClock() {
        TraceBuffer t = new TraceBuffer(4);
        Cpu cpu = new Cpu(3);
        long before = System.nanoTime();
        byte[] msg = b("xxmsg: héllo yy");
        t.write(cpu, msg, 2, msg.length - 5);
        long after = System.nanoTime();
        String line = drain(t).get(0);
        Thread me = Thread.currentThread();
        String prefix = me.getName() + "-" + me.getId() + " [003] ";
        assertTrue(line.startsWith(prefix), line);
        assertTrue(line.endsWith(": bpf_trace_printk: msg: héllo"), line);
        String[] stamp = line.substring(prefix.length(), line.indexOf(": bpf")).split("\\.");
        long micros = Long.parseLong(stamp[0]) * 1_000_000 + Long.parseLong(stamp[1]);
        assertTrue(micros >= before / 1000 && micros <= after / 1000, "timestamp from System.nanoTime");
    }

    @Test
    void linesComeInTimestampOrderAcrossSlots() {
        TraceBuffer t = new TraceBuffer(3);
        Thread a = new Thread(() -> { }, "a");
        Thread c = new Thread(() -> { }, "c");
        t.write(2, 3_000, c, b("third"), 0, 5);
        t.write(0, 1_000, a, b("first"), 0, 5);
        t.write(1, 2_000, a, b("second"), 0, 6);
        t.write(0, 4_000, a, b("fourth"), 0, 6);
        t.write(2, 4_000, c, b("fifth (tie: higher slot after)"), 0, 30);
        List<String> msgs = new ArrayList<>();
        for (String line : drain(t)) {
            msgs.add(line.substring(line.indexOf("printk: ") + 8));
        }
        assertEquals(List.of("first", "second", "third", "fourth", "fifth (tie: higher slot after)"), msgs);
    }

    @Test
    void aFullRingDropsAndCountsThenRecovers() {
        TraceBuffer t = new TraceBuffer(2, 1024);
        Thread th = new Thread(() -> { }, "t");
        byte[] msg = new byte[100];
        java.util.Arrays.fill(msg, (byte) 'm');
        int fit = 1024 / TraceRecord.footprint(1, 100);  // 1024 / 128 = 8
        for (int i = 0; i < fit + 5; i++) {
            t.write(0, i, th, msg, 0, msg.length);
        }
        t.write(1, 0, th, msg, 0, 10);
        assertEquals(5, t.dropped());
        List<String> lines = drain(t);
        assertEquals(fit + 1, lines.size(), "the other slot's ring is not affected");
        t.write(0, 100, th, msg, 0, 3);
        assertEquals(List.of("t-" + th.getId() + " [000] 0.000000: bpf_trace_printk: mmm"), drain(t));
        assertEquals(5, t.dropped());
    }

    @Test
    void recordsWrapAroundTheRingIntact() {
        TraceBuffer t = new TraceBuffer(1, 1024);
        Thread th = new Thread(() -> { }, "wräp-\uD83D\uDE00");
        Pattern p = Pattern.compile("wräp-\uD83D\uDE00-\\d+ \\[000\\] 0\\.0+\\d*: bpf_trace_printk: (.*)");
        for (int round = 0; round < 200; round++) {
            List<String> want = new ArrayList<>();
            for (int k = 0; k < 1 + round % 5; k++) {
                String m = "r" + round + "k" + k + "-" + "x".repeat((round * 7 + k * 13) % 90);
                want.add(m);
                t.write(0, round * 10L + k, th, b(m), 0, b(m).length);
            }
            List<String> got = new ArrayList<>();
            for (String line : drain(t)) {
                java.util.regex.Matcher mt = p.matcher(line);
                assertTrue(mt.matches(), line);
                got.add(mt.group(1));
            }
            assertEquals(want, got, "round " + round);
        }
        assertEquals(0, t.dropped());
    }

    @Test
    void longThreadNamesAndMessagesAreCut() {
        TraceBuffer t = new TraceBuffer(1);
        Thread th = new Thread(() -> { }, "é".repeat(200));   // 400 bytes: cut to 127 whole characters
        byte[] msg = new byte[600];
        java.util.Arrays.fill(msg, (byte) 'z');
        t.write(0, 0, th, msg, 0, msg.length);
        String line = drain(t).get(0);
        assertTrue(line.startsWith("é".repeat(127) + "-"), line);
        assertTrue(line.endsWith(": " + "z".repeat(TraceRecord.MAX_MESSAGE)));
    }

    @Test
    void drainToPrintsOneLineEach() {
        TraceBuffer t = new TraceBuffer(1);
        Thread th = new Thread(() -> { }, "p");
        t.write(0, 1_500_000_000L, th, b("one"), 0, 3);
        t.write(0, 2_000_001_000L, th, b("two"), 0, 3);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        assertEquals(2, t.drainTo(new PrintStream(bytes, true, StandardCharsets.UTF_8)));
        String id = String.valueOf(th.getId());
        assertEquals("p-" + id + " [000] 1.500000: bpf_trace_printk: one\np-" + id
            + " [000] 2.000001: bpf_trace_printk: two\n", bytes.toString(StandardCharsets.UTF_8).replace(System.lineSeparator(), "\n"));
    }
}

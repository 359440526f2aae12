package dev.sonde.bpf.helper;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ThreadInfoTest {
    @Test
    void commIsTheFirst15BytesOfTheNameNulAndZeroPadding() throws InterruptedException {
        assertEquals(expected("worker", 16), commOf("worker", 16));
        assertEquals(expected("a-very-long-thr", 16), commOf("a-very-long-thread-name", 16));
        assertEquals(expected("abc", 4), commOf("abcdef", 4));
        // "é" is two bytes in UTF-8; the 15-byte cut may split a character, as DESIGN.md §4 allows.
        String name = "ééééééééé";
        byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
        byte[] want = new byte[16];
        System.arraycopy(utf8, 0, want, 0, 15);
        assertArrayEquals(want, commOf(name, 16).getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    @SuppressWarnings("deprecation")
    void pidTgidIsPidAndLowThreadId() {
        long v = ThreadInfo.pidTgid();
        assertEquals(ProcessHandle.current().pid(), v >>> 32);
        assertEquals(Thread.currentThread().getId() & 0xffffffffL, v & 0xffffffffL);
    }

    private static String expected(String s, int size) {
        byte[] b = Arrays.copyOf(s.getBytes(StandardCharsets.UTF_8), size);
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    private static String commOf(String threadName, int size) throws InterruptedException {
        AtomicReference<byte[]> out = new AtomicReference<>();
        Thread t = new Thread(() -> {
            byte[] b = new byte[size];
            Arrays.fill(b, (byte) 0x55);
            ThreadInfo.comm(b, 0, size);
            out.set(b);
        }, threadName);
        t.start();
        t.join();
        return new String(out.get(), StandardCharsets.ISO_8859_1);
    }
}

package dev.sonde.probe.object;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Views of every kind, read whole, in pieces and as C strings, against the JDK's own encodings. */
class ObjectViewTest {
    static final int EFAULT = -14;

    /** ASCII, 2/3/4-byte UTF-8, a NUL char, unpaired and reversed surrogates, an empty string. */
    static final List<String> STRINGS = List.of("hello", "héllo", "日本語テキスト", "a\uD83D\uDE00b\uD83C\uDF89",
        "lone \uD800 high", "lone \uDC00 low", "rev \uDC00\uD800 x", "end\uD800", "\uDBFF\uDFFF", "nul\u0000in", "",
        "mixé日\uD83D\uDE00z");

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11})
    void stringsReadAsGetBytesUtf8AtEveryOffsetAndSize(int which) {
        String s = STRINGS.get(which);
        byte[] want = s.getBytes(StandardCharsets.UTF_8);
        assertEquals(want.length, ObjectView.length(s));
        for (int from = 0; from <= want.length; from++) {
            for (int size = 1; from + size <= want.length; size++) {
                byte[] dst = new byte[size + 2];
                assertEquals(0, ObjectView.read(s, from, dst, 1, size, false));
                assertArrayEquals(Arrays.copyOfRange(want, from, from + size), Arrays.copyOfRange(dst, 1, 1 + size),
                    s + " from " + from + " size " + size);
                assertEquals(0, dst[0]);
                assertEquals(0, dst[size + 1]);
            }
            assertEquals(EFAULT, ObjectView.read(s, from, new byte[64], 0, want.length - from + 1, false),
                "one byte past the end");
        }
    }

    @Test
    void strReadsCopyAtMostSizeMinusOneBytesAndMayCutACharacter() {
        String s = "héllo";                       // 68 c3 a9 6c 6c 6f
        byte[] all = s.getBytes(StandardCharsets.UTF_8);
        for (int size = 1; size <= all.length + 3; size++) {
            byte[] dst = new byte[size];
            Arrays.fill(dst, (byte) 0x55);
            int copied = Math.min(size - 1, all.length);
            assertEquals(copied + 1, ObjectView.read(s, 0, dst, 0, size, true), "size " + size);
            assertArrayEquals(Arrays.copyOf(all, copied), Arrays.copyOf(dst, copied));
            assertEquals(0, dst[copied]);
        }
        byte[] cut = new byte[3];                 // 'h', the first byte of 'é', NUL
        assertEquals(3, ObjectView.read(s, 0, cut, 0, 3, true));
        assertArrayEquals(new byte[] {0x68, (byte) 0xc3, 0}, cut);
        byte[] tail = new byte[8];
        assertEquals(4, ObjectView.read(s, 3, tail, 0, 8, true), "from an offset: \"llo\" and NUL");
        assertEquals("llo", new String(tail, 0, 3, StandardCharsets.UTF_8));
        assertEquals(1, ObjectView.read(s, all.length, tail, 0, 8, true), "at the end: the empty string");
        assertEquals(EFAULT, ObjectView.read(s, all.length + 1, tail, 0, 8, true), "past the end");
        byte[] nul = new byte[16];
        assertEquals(4, ObjectView.read("nul\u0000in", 0, nul, 0, 16, true), "a NUL char ends the C string");
        assertEquals(0, ObjectView.read(s, 0, nul, 0, 0, true), "size 0 writes nothing");
    }

    @Test
    void primitiveArraysReadAsLittleEndianElements() {
        check(new byte[] {1, -2, 3}, ByteBuffer.allocate(3).put(new byte[] {1, -2, 3}));
        check(new boolean[] {true, false, true}, ByteBuffer.allocate(3).put(new byte[] {1, 0, 1}));
        ByteBuffer chars = le(6);
        for (char c : new char[] {'a', 'é', '\uffff'}) {
            chars.putChar(c);
        }
        check(new char[] {'a', 'é', '\uffff'}, chars);
        ByteBuffer shorts = le(6);
        for (short v : new short[] {1, -1, Short.MIN_VALUE}) {
            shorts.putShort(v);
        }
        check(new short[] {1, -1, Short.MIN_VALUE}, shorts);
        ByteBuffer ints = le(12);
        for (int v : new int[] {0x01020304, -1, Integer.MIN_VALUE}) {
            ints.putInt(v);
        }
        check(new int[] {0x01020304, -1, Integer.MIN_VALUE}, ints);
        ByteBuffer floats = le(12);
        for (float v : new float[] {1.5f, -0.0f, Float.NaN}) {
            floats.putFloat(v);
        }
        check(new float[] {1.5f, -0.0f, Float.NaN}, floats);
        ByteBuffer longs = le(24);
        for (long v : new long[] {0x0102030405060708L, -1, Long.MIN_VALUE}) {
            longs.putLong(v);
        }
        check(new long[] {0x0102030405060708L, -1, Long.MIN_VALUE}, longs);
        ByteBuffer doubles = le(24);
        for (double v : new double[] {3.5, -0.0, Double.MAX_VALUE}) {
            doubles.putDouble(v);
        }
        check(new double[] {3.5, -0.0, Double.MAX_VALUE}, doubles);
        check(new int[0], le(0));
    }

    @Test
    void boxedPrimitivesReadAsTheirPrimitivesSize() {
        check(Integer.valueOf(-2), le(4).putInt(-2));
        check(Long.valueOf(0x1122334455667788L), le(8).putLong(0x1122334455667788L));
        check(Boolean.TRUE, ByteBuffer.allocate(1).put((byte) 1));
        check(Boolean.FALSE, ByteBuffer.allocate(1).put((byte) 0));
        check(Character.valueOf('é'), le(2).putChar('é'));
        check(Short.valueOf((short) -3), le(2).putShort((short) -3));
        check(Byte.valueOf((byte) 0x7f), ByteBuffer.allocate(1).put((byte) 0x7f));
        check(Float.valueOf(2.25f), le(4).putFloat(2.25f));
        check(Double.valueOf(3.5), le(8).putDouble(3.5));
    }

    @Test
    void strReadsOfArraysStopAtANulOrTheEnd() {
        byte[] dst = new byte[16];
        assertEquals(4, ObjectView.read(new byte[] {'a', 'b', 'c'}, 0, dst, 0, 16, true));
        assertEquals("abc", new String(dst, 0, 3, StandardCharsets.US_ASCII));
        assertEquals(0, dst[3]);
        assertEquals(2, ObjectView.read(new byte[] {'x', 0, 'y'}, 0, dst, 0, 16, true));
        assertEquals(EFAULT, ObjectView.read(new byte[] {'x'}, 2, dst, 0, 16, true));
    }

    @Test
    void objectsWithoutAViewAreEfault() {
        byte[] dst = new byte[8];
        assertEquals(EFAULT, ObjectView.read(new Object(), 0, dst, 0, 1, false));
        assertEquals(EFAULT, ObjectView.read(new String[] {"a"}, 0, dst, 0, 1, false));
        assertEquals(EFAULT, ObjectView.read(new StringBuilder("no toString"), 0, dst, 0, 1, true));
        assertEquals(-1, ObjectView.length(List.of()));
    }

    private static ByteBuffer le(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** The whole view, every sub-range, and one byte past the end. */
    private static void check(Object o, ByteBuffer expected) {
        byte[] want = expected.array();
        assertEquals(want.length, ObjectView.length(o), o.getClass().getSimpleName());
        for (int from = 0; from <= want.length; from++) {
            for (int size = 1; from + size <= want.length; size++) {
                byte[] dst = new byte[size];
                assertEquals(0, ObjectView.read(o, from, dst, 0, size, false));
                assertArrayEquals(Arrays.copyOfRange(want, from, from + size), dst,
                    o.getClass().getSimpleName() + " from " + from + " size " + size);
            }
        }
        byte[] dst = new byte[want.length + 1];
        assertEquals(EFAULT, ObjectView.read(o, 0, dst, 0, want.length + 1, false));
    }
}

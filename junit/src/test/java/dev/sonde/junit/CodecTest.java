package dev.sonde.junit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Records laid out as clang lays out the C structs they mirror. */
class CodecTest {
    record Padded(byte b, long l, short s, int i) {
    }

    record Inner(short a, int b) {
    }

    record Outer(byte tag, Inner inner, @Size(3) byte[] raw, double d) {
    }

    record Named(@Size(8) String name, char c) {
    }

    record Unsized(String s) {
    }

    @Test
    void fieldsTakeTheirNaturalAlignmentAndTheStructIsPadded() {
        // struct { u8 b; u64 l; u16 s; u32 i; }: b@0 l@8 s@16 i@20, 24 bytes
        Codec<Padded> c = Codec.of(Padded.class);
        assertEquals(24, c.size());
        Padded p = new Padded((byte) -1, 0x1122334455667788L, (short) 0x99, 7);
        byte[] b = c.encode(p, 0);
        assertEquals((byte) 0x88, b[8]);
        assertEquals((byte) 0x99, b[16]);
        assertEquals(7, b[20]);
        assertEquals(p, c.decode(b));
    }

    @Test
    void nestedRecordsArraysAndStrings() {
        // struct { u8 tag; struct { u16 a; u32 b; } inner; u8 raw[3]; double d; }: 0, 4, 12, 16 -> 24
        Codec<Outer> c = Codec.of(Outer.class);
        assertEquals(24, c.size());
        byte[] b = c.encode(new Outer((byte) 1, new Inner((short) 2, 3), new byte[] {4, 5, 6}, 1.5), 0);
        assertEquals(2, b[4]);
        assertEquals(3, b[8]);
        assertEquals(4, b[12]);
        Outer o = c.decode(b);
        assertArrayEquals(new byte[] {4, 5, 6}, o.raw());
        assertEquals(1.5, o.d());
        Codec<Named> n = Codec.of(Named.class);
        assertEquals(10, n.size());
        assertEquals(new Named("abc", 'z'), n.decode(n.encode(new Named("abc", 'z'), 0)));
        assertEquals("0123456", n.decode(n.encode(new Named("0123456789", 'z'), 0)).name(), "room for the NUL");
    }

    @Test
    void whatHasNoLayoutIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Codec.of(Unsized.class));
        assertTrue(e.getMessage().startsWith("Unsized.s: a String is a char[n]: give it @Size(n)"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Codec.of(Object.class));
    }

    @Test
    void edgeIsFortyEightBytes() {
        assertEquals(Edge.SIZE, Codec.of(Edge.class).size());
        byte[] b = new byte[Edge.SIZE];
        b[Edge.KIND] = Edge.EXIT;
        b[Edge.SITE] = 9;
        b[Edge.KEY] = 5;
        b[Edge.PID_TGID] = 3;
        b[Edge.COMM] = 'x';
        assertEquals(new Edge(0, 3, Edge.EXIT, 9, 5, "x"), Codec.of(Edge.class).decode(b));
    }
}

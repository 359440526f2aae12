package dev.sonde.agent.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code ringbuf --format}'s C layout and printing, and the CLI's key/value syntax ({@link Bytes}). */
class RecordFormatTest {
    @Test
    void fieldsAreLaidOutAsCLaysOutTheStruct() throws Exception {
        RecordFormat f = RecordFormat.parse("struct { u32 pid; u64 ts; char comm[16]; s16 d; };");
        assertEquals(40, f.size(), "pid 0, 4 bytes padding, ts 8, comm 16, d 32, rounded up to 8");
        ByteBuffer b = ByteBuffer.allocate(40).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, 4242).putLong(8, -1L).put(16, "java\0junk".getBytes(StandardCharsets.UTF_8)).putShort(32, (short) -3);
        assertEquals("pid=4242 ts=18446744073709551615 comm=\"java\" d=-3", f.text(b.array()));
        assertEquals("{\"pid\":4242,\"ts\":18446744073709551615,\"comm\":\"java\",\"d\":-3}", f.json(b.array()));
        RecordFormat arrays = RecordFormat.parse("__u8 a[3]; int b");
        assertEquals(8, arrays.size());
        assertEquals("a=[1, 2, 3] b=-1", arrays.text(new byte[] {1, 2, 3, 0, -1, -1, -1, -1}));
    }

    @Test
    void badFormatsAndShortRecordsAreNamed() {
        assertTrue(assertThrows(SondeCli.UsageException.class, () -> RecordFormat.parse("struct { float x; }")).getMessage()
            .contains("unknown type 'float' of field x"));
        assertTrue(assertThrows(SondeCli.UsageException.class, () -> RecordFormat.parse("struct { u32 }")).getMessage()
            .contains("cannot read the field 'u32'"));
        assertTrue(assertThrows(SondeCli.UsageException.class, () -> RecordFormat.parse("struct x")).getMessage()
            .contains("is not 'struct {"));
        RecordFormat f = assertDoesNotThrow("u64 a");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> f.text(new byte[4])).getMessage()
            .contains("record of 4 bytes is shorter than the format's 8"));
    }

    @Test
    void keysAreHexBytesOrOneIntegerOfTheMapsSize() throws Exception {
        assertArrayEquals(new byte[] {1, 0, 0, 0}, Bytes.parse(List.of("hex", "01", "00", "00", "00"), 4, "key"));
        assertArrayEquals(new byte[] {1, 0, 0, 0}, Bytes.parse(List.of("hex", "01000000"), 4, "key"));
        assertArrayEquals(new byte[] {42, 0, 0, 0, 0, 0, 0, 0}, Bytes.parse(List.of("42"), 8, "value"));
        assertArrayEquals(new byte[] {-1, -1, -1, -1}, Bytes.parse(List.of("-1"), 4, "key"));
        assertArrayEquals(new byte[] {-1, -1, -1, -1}, Bytes.parse(List.of("0xffffffff"), 4, "key"));
        assertTrue(assertThrows(SondeCli.UsageException.class, () -> Bytes.parse(List.of("4294967296"), 4, "key")).getMessage()
            .contains("does not fit in 4 bytes"));
        assertTrue(assertThrows(SondeCli.UsageException.class, () -> Bytes.parse(List.of("7"), 16, "key")).getMessage()
            .contains("give it as 'hex <bytes>'"));
        assertTrue(assertThrows(SondeCli.UsageException.class, () -> Bytes.parse(List.of("1", "2"), 4, "key")).getMessage()
            .contains("neither 'hex <bytes>' nor one integer"));
        assertEquals("\"key\":\"01 00 00 00\",\"key_int\":1", Bytes.json("key", new byte[] {1, 0, 0, 0}));
        assertEquals("value: 01 02 03", Bytes.text("value", new byte[] {1, 2, 3}));
    }

    private static RecordFormat assertDoesNotThrow(String text) {
        try {
            return RecordFormat.parse(text);
        } catch (SondeCli.UsageException e) {
            throw new AssertionError(e);
        }
    }
}

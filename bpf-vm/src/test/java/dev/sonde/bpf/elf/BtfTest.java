package dev.sonde.bpf.elf;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Hand-built .BTF blobs: every kind (including those clang 14 never emits), and the bounded walks. */
class BtfTest {
    /** Writes .BTF: strings first collected, types as raw words. */
    private static final class Builder {
        private final ByteArrayOutputStream strings = new ByteArrayOutputStream();
        private final ByteBuffer types = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);

        Builder() {
            strings.write(0);
        }

        int str(String s) {
            int off = strings.size();
            strings.writeBytes(s.getBytes(StandardCharsets.UTF_8));
            strings.write(0);
            return off;
        }

        Builder type(String name, int kind, int vlen, boolean kflag, int sizeOrType, int... extra) {
            types.putInt(name.isEmpty() ? 0 : str(name));
            types.putInt(kind << 24 | vlen | (kflag ? 1 << 31 : 0));
            types.putInt(sizeOrType);
            for (int w : extra) {
                types.putInt(w);
            }
            return this;
        }

        byte[] build() {
            byte[] s = strings.toByteArray();
            int typeLen = types.position();
            ByteBuffer b = ByteBuffer.allocate(24 + typeLen + s.length).order(ByteOrder.LITTLE_ENDIAN);
            b.putShort((short) 0xEB9F).put((byte) 1).put((byte) 0).putInt(24).putInt(0).putInt(typeLen).putInt(typeLen)
                .putInt(s.length);
            b.put(types.array(), 0, typeLen).put(s);
            return b.array();
        }
    }

    private static Btf allKinds() throws ObjectFormatException {
        Builder b = new Builder();
        b.type("int", 1, 0, false, 4, 1 << 24 | 32);                       // [1] INT signed 32
        b.type("", 2, 0, false, 1);                                          // [2] PTR -> int
        b.type("", 3, 0, false, 0, 1, 1, 10);                                // [3] ARRAY int[10]
        int x = b.str("x");
        int y = b.str("y");
        b.type("pair", 4, 2, true, 8, x, 1, 0, y, 1, 3 << 24 | 35);           // [4] STRUCT with bitfield y:3 at bit 35
        b.type("either", 5, 2, false, 4, x, 1, 0, y, 16, 0);                  // [5] UNION
        int a = b.str("A");
        b.type("e", 6, 1, true, 4, a, -5);                                    // [6] ENUM signed
        b.type("fwd_u", 7, 0, true, 0);                                       // [7] FWD union
        b.type("myint", 8, 0, false, 1);                                      // [8] TYPEDEF -> int
        b.type("", 9, 0, false, 8);                                           // [9] VOLATILE -> myint
        b.type("", 10, 0, false, 9);                                          // [10] CONST -> volatile
        b.type("", 11, 0, false, 2);                                          // [11] RESTRICT -> ptr
        int p = b.str("p");
        b.type("", 13, 2, false, 1, p, 11, 0, 0);                             // [12] FUNC_PROTO int(int *restrict p, ...)
        b.type("f", 12, 1, false, 12);                                        // [13] FUNC global
        b.type("v", 14, 0, false, 3, 1);                                      // [14] VAR int[10], global
        b.type(".data", 15, 1, false, 40, 14, 0, 40);                         // [15] DATASEC
        b.type("float", 16, 0, false, 4);                                     // [16] FLOAT
        b.type("tag", 17, 0, false, 4, 1);                                    // [17] DECL_TAG on member 1 of pair
        b.type("user", 18, 0, false, 1);                                      // [18] TYPE_TAG -> int
        int big = b.str("BIG");
        b.type("e64", 19, 1, true, 8, big, 0x89abcdef, 0x81234567);          // [19] ENUM64 signed
        return Btf.parse(b.build());
    }

    @Test
    void everyKindDecodes() throws Exception {
        Btf btf = allKinds();
        assertEquals(20, btf.size());
        assertEquals(new BtfType.Int(1, "int", 4, 1, 0, 32), btf.type(1));
        assertTrue(((BtfType.Int) btf.type(1)).isSigned());
        assertEquals(new BtfType.Ptr(2, "", 1), btf.type(2));
        assertEquals(new BtfType.Array(3, "", 1, 1, 10), btf.type(3));
        assertEquals(new BtfType.Composite(4, "pair", false, 8, List.of(new BtfType.Member("x", 1, 0, 0),
            new BtfType.Member("y", 1, 35, 3))), btf.type(4));
        assertEquals(BtfKind.UNION, btf.type(5).kind());
        assertEquals(new BtfType.EnumType(6, "e", false, true, 4, List.of(new BtfType.EnumValue("A", -5))), btf.type(6));
        assertEquals(new BtfType.Fwd(7, "fwd_u", true), btf.type(7));
        assertEquals(new BtfType.Modifier(8, BtfKind.TYPEDEF, "myint", 1), btf.type(8));
        assertEquals(BtfKind.RESTRICT, btf.type(11).kind());
        assertEquals(new BtfType.FuncProto(12, "", 1, List.of(new BtfType.Param("p", 11), new BtfType.Param("", 0))), btf.type(12));
        assertEquals(new BtfType.Func(13, "f", 12, 1), btf.type(13));
        assertEquals(new BtfType.Var(14, "v", 3, 1), btf.type(14));
        assertEquals(new BtfType.DataSec(15, ".data", 40, List.of(new BtfType.VarSecInfo(14, 0, 40))), btf.type(15));
        assertEquals(new BtfType.FloatType(16, "float", 4), btf.type(16));
        assertEquals(new BtfType.DeclTag(17, "tag", 4, 1), btf.type(17));
        assertEquals(new BtfType.Modifier(18, BtfKind.TYPE_TAG, "user", 1), btf.type(18));
        assertEquals(new BtfType.EnumType(19, "e64", true, true, 8, List.of(new BtfType.EnumValue("BIG", 0x8123456789abcdefL))),
            btf.type(19));
        assertEquals(btf.type(15), btf.dataSec(".data").orElseThrow());
    }

    @Test
    void resolveAndSizes() throws Exception {
        Btf btf = allKinds();
        assertEquals(btf.type(1), btf.resolve(10), "const -> volatile -> typedef -> int");
        assertEquals(btf.type(1), btf.resolve(18));
        assertEquals(btf.type(2), btf.resolve(11));
        assertEquals(4, btf.sizeOf(10));
        assertEquals(40, btf.sizeOf(3));
        assertEquals(40, btf.sizeOf(14), "a VAR has its type's size");
        assertEquals(8, btf.sizeOf(11), "pointer");
        assertEquals(8, btf.sizeOf(19));
        for (int noSize : new int[] {0, 7, 12, 13}) {
            ObjectFormatException e = assertThrows(ObjectFormatException.class, () -> btf.sizeOf(noSize));
            assertTrue(e.getMessage().contains("has no size"), e.getMessage());
        }
        assertThrows(ObjectFormatException.class, () -> btf.type(20));
        assertThrows(ObjectFormatException.class, () -> btf.type(-1));
    }

    @Test
    void cyclesAndOverflowsAreErrorsNotHangs() throws Exception {
        Btf cycle = Btf.parse(new Builder().type("a", 8, 0, false, 2).type("b", 8, 0, false, 1).build());
        assertTrue(assertThrows(ObjectFormatException.class, () -> cycle.resolve(1)).getMessage().contains("chain longer than"));
        assertTrue(assertThrows(ObjectFormatException.class, () -> cycle.sizeOf(2)).getMessage().contains("chain longer than"));
        Btf huge = Btf.parse(new Builder().type("int", 1, 0, false, 4, 32).type("", 3, 0, false, 0, 1, 1, -1)
            .type("", 3, 0, false, 0, 2, 1, -1).build());
        // int[0xffffffff] and an array of those: sizes BTF (u32) cannot describe.
        assertTrue(assertThrows(ObjectFormatException.class, () -> huge.sizeOf(2)).getMessage().contains("overflows 32 bits"));
        assertTrue(assertThrows(ObjectFormatException.class, () -> huge.sizeOf(3)).getMessage().contains("overflows 32 bits"));
    }

    @Test
    void malformedBlobs() {
        assertMessage(new Builder().type("f", 12, 0, false, 1).type("int", 1, 0, false, 4, 32).build(), "is not a FUNC_PROTO");
        assertMessage(new Builder().type("x", 25, 0, false, 0).build(), "type [1] at type offset 0x0: unknown kind 25");
        assertMessage(new Builder().type("", 2, 0, false, 7).build(), "type [1] PTR '': type refers to type 7, but the last id is 1");
        byte[] noNul = new Builder().type("int", 1, 0, false, 4, 32).build();
        noNul[noNul.length - 1] = 'x';
        assertMessage(noNul, "must start and end with NUL");
        byte[] shortRecord = new Builder().type("int", 1, 0, false, 4, 32).build();
        ByteBuffer.wrap(shortRecord).order(ByteOrder.LITTLE_ENDIAN).putInt(12, 12);  // type_len cuts the INT's data
        assertMessage(shortRecord, "type [1] INT data (vlen 0) at offset 0xc, 4 bytes, lies outside its 12 bytes");
        assertMessage(new byte[10], "shorter than the 24-byte BTF header");
    }

    private static void assertMessage(byte[] blob, String part) {
        ObjectFormatException e = assertThrows(ObjectFormatException.class, () -> Btf.parse(blob));
        assertTrue(e.getMessage().startsWith(".BTF"), e.getMessage());
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }
}

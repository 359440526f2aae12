package dev.sonde.agent.control;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import org.junit.jupiter.api.Test;

/** The frame layout of {@link ControlProtocol}'s diagram, byte by byte, and the payload fields' bounds. */
class ControlProtocolTest {
    @Test
    void aRequestIsLengthVersionOpSeqPayloadLittleEndian() {
        assertArrayEquals(new byte[] {8, 0, 0, 0, 2, 0, 0x17, 0, 5, 0, 0, 0},
            bytes(ControlProtocol.frame(ControlProtocol.OP_CLOSE, 5, new byte[0])));
        byte[] hello = new ControlProtocol.Payload().str("c").toArray();
        assertArrayEquals(new byte[] {1, 0, 'c'}, hello);
        assertArrayEquals(new byte[] {11, 0, 0, 0, 2, 0, 1, 0, 1, 0, 0, 0, 1, 0, 'c'},
            bytes(ControlProtocol.frame(ControlProtocol.OP_HELLO, 1, hello)));
        assertArrayEquals(new byte[] {3, 0, 0, 0, 'a', 'b', 'c'}, new ControlProtocol.Payload().blob(new byte[] {'a', 'b', 'c'}).toArray());
    }

    @Test
    void aReplyIsStatusThenBodyOrMessage() {
        assertArrayEquals(new byte[] {12, 0, 0, 0, 2, 0, 0x17, (byte) 0x80, 9, 0, 0, 0, 0, 0, 0, 0},
            bytes(ControlProtocol.ok(ControlProtocol.OP_CLOSE, 9, new byte[0])));
        ByteBuffer r = ControlProtocol.error(ControlProtocol.OP_ERROR, 0, -ControlProtocol.EACCES, "no");
        assertArrayEquals(new byte[] {14, 0, 0, 0, 2, 0, -1, -1, 0, 0, 0, 0, -13, -1, -1, -1, 'n', 'o'}, bytes(r));
        ControlProtocol.Frame f = new ControlProtocol.Frame(2, 0x8017, 3, new byte[] {-2, -1, -1, -1, 'n', 'o'});
        assertEquals(-2, f.status());
        assertEquals("no", f.message());
    }

    @Test
    void aVersionOneFrameIsRefusedWithoutWaitingForMoreBytes() {
        // v1: length 4, version 1, op 1, no payload: 8 bytes in all, fewer than a v2 header.
        ReadableByteChannel in = Channels.newChannel(new java.io.ByteArrayInputStream(new byte[] {4, 0, 0, 0, 1, 0, 1, 0}));
        ControlProtocol.BadFrame e = assertThrows(ControlProtocol.BadFrame.class, () -> ControlProtocol.read(in));
        assertEquals(-ControlProtocol.EPROTO, e.status);
        assertEquals("protocol version 1, this agent speaks version 2", e.getMessage());
    }

    @Test
    void lengthsOutsideTheBoundsAreRefused() {
        for (int length : new int[] {0, 7, ControlProtocol.MAX_FRAME + 1, -1}) {
            ByteBuffer b = ControlProtocol.frame(ControlProtocol.OP_HELLO, 1, new byte[0]);
            b.putInt(ControlProtocol.OFF_LENGTH, length);
            ReadableByteChannel in = Channels.newChannel(new java.io.ByteArrayInputStream(bytes(b)));
            ControlProtocol.BadFrame e = assertThrows(ControlProtocol.BadFrame.class, () -> ControlProtocol.read(in));
            assertEquals(-ControlProtocol.EMSGSIZE, e.status, "length " + length);
        }
    }

    @Test
    void aTruncatedFrameIsAnEndOfStream() {
        ByteBuffer b = ControlProtocol.frame(ControlProtocol.OP_HELLO, 1, new byte[] {1, 0, 'c'});
        byte[] cut = java.util.Arrays.copyOf(bytes(b), 13);
        ReadableByteChannel in = Channels.newChannel(new java.io.ByteArrayInputStream(cut));
        assertThrows(java.io.EOFException.class, () -> ControlProtocol.read(in));
    }

    @Test
    void theCursorChecksEveryField() throws IOException {
        ControlProtocol.Cursor c = new ControlProtocol.Cursor(new byte[] {5, 0, 'a'}, 0);
        ControlProtocol.BadPayload e = assertThrows(ControlProtocol.BadPayload.class, () -> c.str("name"));
        assertEquals("payload ends inside name (offset 2, 1 bytes left, 5 needed)", e.getMessage());
        ControlProtocol.Cursor blob = new ControlProtocol.Cursor(new byte[] {-1, -1, -1, -1}, 0);
        assertThrows(ControlProtocol.BadPayload.class, () -> blob.blob("key"));
        ControlProtocol.Cursor left = new ControlProtocol.Cursor(new byte[] {1, 2, 3, 4, 5}, 0);
        left.u32("handle");
        assertEquals("CLOSE: 1 bytes left over after the payload's fields",
            assertThrows(ControlProtocol.BadPayload.class, () -> left.end("CLOSE")).getMessage());
        ControlProtocol.Cursor utf = new ControlProtocol.Cursor(new byte[] {1, 0, (byte) 0xff}, 0);
        assertEquals("name is not UTF-8", assertThrows(ControlProtocol.BadPayload.class, () -> utf.str("name")).getMessage());
    }

    @Test
    void opNamesComeFromTheConstants() {
        assertEquals("MAP_LOOKUP", ControlProtocol.opName(ControlProtocol.OP_MAP_LOOKUP));
        assertEquals("MAP_LOOKUP", ControlProtocol.opName(ControlProtocol.OP_MAP_LOOKUP | ControlProtocol.REPLY));
        assertEquals("0x7777", ControlProtocol.opName(0x7777));
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] a = new byte[b.remaining()];
        b.duplicate().get(a);
        return a;
    }
}

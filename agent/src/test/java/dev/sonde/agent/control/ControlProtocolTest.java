package dev.sonde.agent.control;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** The frame layout of {@link ControlProtocol}'s diagram, byte by byte. */
class ControlProtocolTest {
    @Test
    void aRequestIsLengthVersionOpPayloadLittleEndian() {
        assertArrayEquals(new byte[] {4, 0, 0, 0, 1, 0, 1, 0}, bytes(ControlProtocol.frame(ControlProtocol.PROG_LIST, new byte[0])));
        assertArrayEquals(new byte[] {8, 0, 0, 0, 1, 0, 5, 0, 7, 0, 0, 0}, bytes(ControlProtocol.linkDetach(7)));
        assertArrayEquals(new byte[] {6, 0, 0, 0, 1, 0, 3, 0, 1, 'm'}, bytes(ControlProtocol.mapDump(true, "m")));
    }

    @Test
    void aReplyIsStatusThenText() {
        ByteBuffer r = ControlProtocol.reply(ControlProtocol.PROG_LIST | ControlProtocol.REPLY, -2, "no");
        assertArrayEquals(new byte[] {10, 0, 0, 0, 1, 0, 1, (byte) 0x80, -2, -1, -1, -1, 'n', 'o'}, bytes(r));
        ControlProtocol.Frame f = new ControlProtocol.Frame(1, 0x8001, new byte[] {-2, -1, -1, -1, 'n', 'o'});
        assertEquals(-2, f.status());
        assertEquals("no", f.text());
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] a = new byte[b.remaining()];
        b.duplicate().get(a);
        return a;
    }
}

package dev.sonde.agent.control;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;

/**
 * The control socket's wire layout, the one place that defines it (libsonde's C client mirrors
 * it). Every message, request or reply, is one frame; all integers are little-endian.
 *
 * <pre>
 *  0               4       6       8
 *  +---------------+-------+-------+--------------------------------+
 *  | length  u32   | ver   | op    | payload  (length - 4 bytes)    |
 *  |               | u16   | u16   |                                |
 *  +---------------+-------+-------+--------------------------------+
 *  length: bytes after the length field (4 + payload), at most MAX_FRAME
 *
 *  request payloads                      reply payload (op = request op | REPLY)
 *  PROG_LIST, MAP_LIST, LINK_LIST,       +-------------+----------------------+
 *  TRACE_PIPE: empty                     | status i32  | text  UTF-8          |
 *  MAP_DUMP:   flags u8 (bit 0: JSON),   +-------------+----------------------+
 *              then the map name UTF-8   status: 0, or -errno (the text says why)
 *              (empty: every map)
 *  LINK_DETACH: link id u32              TRACE_PIPE: one TRACE_LINE frame per printk
 *                                        line (status 0, the line) until the client closes;
 *                                        status 1 with no text is a keep-alive
 * </pre>
 *
 * A frame with another version, an unknown op or a bad length is answered with an ERROR frame
 * naming the problem; after a bad version or length the server closes the connection (it cannot
 * find the next frame), after an unknown op it reads on.
 */
public final class ControlProtocol {
    public static final int VERSION = 1;
    /** Bytes of the header: length, version, op. */
    public static final int HEADER = 8;
    public static final int OFF_LENGTH = 0;
    public static final int OFF_VERSION = 4;
    public static final int OFF_OP = 6;
    public static final int OFF_PAYLOAD = 8;
    public static final int MAX_FRAME = 16 << 20;

    public static final int PROG_LIST = 1;
    public static final int MAP_LIST = 2;
    public static final int MAP_DUMP = 3;
    public static final int LINK_LIST = 4;
    public static final int LINK_DETACH = 5;
    public static final int TRACE_PIPE = 6;
    public static final int REPLY = 0x8000;
    public static final int TRACE_LINE = REPLY | 0x0100;
    public static final int ERROR = 0xffff;

    public static final int MAP_DUMP_JSON = 1;

    public static final int EINVAL = 22;
    public static final int ENOENT = 2;
    public static final int EPROTO = 71;
    public static final int EMSGSIZE = 90;

    private ControlProtocol() {
    }

    /** One decoded frame. */
    public record Frame(int version, int op, byte[] payload) {
        public int status() {
            return ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN).getInt(0);
        }

        public String text() {
            return new String(payload, 4, payload.length - 4, StandardCharsets.UTF_8);
        }
    }

    /** A frame that cannot be read on: the status to answer with, and why. */
    public static final class ProtocolException extends IOException {
        private static final long serialVersionUID = 1L;
        public final int status;

        ProtocolException(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    public static ByteBuffer frame(int op, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(HEADER + payload.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(OFF_LENGTH, 4 + payload.length).putShort(OFF_VERSION, (short) VERSION).putShort(OFF_OP, (short) op);
        b.position(OFF_PAYLOAD);
        b.put(payload).flip();
        return b;
    }

    public static ByteBuffer reply(int op, int status, String text) {
        byte[] t = text.getBytes(StandardCharsets.UTF_8);
        ByteBuffer p = ByteBuffer.allocate(4 + t.length).order(ByteOrder.LITTLE_ENDIAN).putInt(status).put(t);
        return frame(op, p.array());
    }

    public static ByteBuffer mapDump(boolean json, String name) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        byte[] p = new byte[1 + n.length];
        p[0] = (byte) (json ? MAP_DUMP_JSON : 0);
        System.arraycopy(n, 0, p, 1, n.length);
        return frame(MAP_DUMP, p);
    }

    public static ByteBuffer linkDetach(int id) {
        return frame(LINK_DETACH, ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(id).array());
    }

    /** Reads one frame; null at a clean end of stream before a frame. */
    public static Frame read(ReadableByteChannel ch) throws IOException {
        ByteBuffer h = ByteBuffer.allocate(HEADER).order(ByteOrder.LITTLE_ENDIAN);
        if (!fill(ch, h, true)) {
            return null;
        }
        long length = Integer.toUnsignedLong(h.getInt(OFF_LENGTH));
        int version = Short.toUnsignedInt(h.getShort(OFF_VERSION));
        int op = Short.toUnsignedInt(h.getShort(OFF_OP));
        if (version != VERSION) {
            throw new ProtocolException(-EPROTO, "protocol version " + version + ", this agent speaks " + VERSION);
        }
        if (length < 4 || length > MAX_FRAME) {
            throw new ProtocolException(-EMSGSIZE, "frame length " + length + " is outside 4.." + MAX_FRAME);
        }
        ByteBuffer p = ByteBuffer.allocate((int) length - 4);
        fill(ch, p, false);
        return new Frame(version, op, p.array());
    }

    private static boolean fill(ReadableByteChannel ch, ByteBuffer b, boolean eofOk) throws IOException {
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) {
                if (eofOk && b.position() == 0) {
                    return false;
                }
                throw new EOFException("connection closed inside a frame");
            }
        }
        return true;
    }

    public static void write(WritableByteChannel ch, ByteBuffer frame) throws IOException {
        while (frame.hasRemaining()) {
            ch.write(frame);
        }
    }
}

package dev.sonde.agent.control;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The control socket's wire layout, protocol version 2 (notes/control-protocol.md is the design
 * record): the one place that defines it. libsonde's {@code sonde.h} mirrors every
 * {@code public static final int} here under the same name ({@code SONDE_} prefixed), and a test
 * compares the two by reflection. All integers are little-endian; nothing is padded.
 *
 * <pre>
 *  0               4       6       8               12
 *  +---------------+-------+-------+---------------+------------------------------+
 *  | length  u32   | ver   | op    | seq   u32     | payload (length - 8 bytes)   |
 *  |               | u16=2 | u16   |               |                              |
 *  +---------------+-------+-------+---------------+------------------------------+
 *  length: bytes after the length field (8 + payload), MIN_LENGTH .. MAX_FRAME
 *  reply:  op = request op | REPLY, the request's seq, payload = status i32, then
 *          status >= 0: the op's reply body; status < 0 (-errno): a UTF-8 message
 *  ERROR:  op 0xFFFF, seq 0, status i32, message: the connection closes after it
 *
 *  RELEASE (0x0090): empty payload, empty reply; ends premain's hold= (a no-op when none is pending)
 *
 *  str   = u16 length + UTF-8        blob = u32 length + bytes      str32 = u32 length + UTF-8
 *
 *  entries (LIST, INFO):
 *  OBJECT: id u32, name str, progs u16, maps u16, refs u32
 *  PROG:   id u32, obj_id u32, name str, section str, type u8, insns u32,
 *          run_cnt u64, run_time_ns u64, nmissed u64, faults u64
 *  MAP:    id u32, obj_id u32, name str, type u32, key_size u32, value_size u32,
 *          max_entries u32, flags u32
 *  LINK:   id u32, prog_id u32, target str, cookie u64, methods u32, open u8, pinned str,
 *          run_cnt u64, run_time_ns u64, nmissed u64, faults u64
 *
 *  shared-memory ring (RINGBUF_SHM): cons u64 at SHM_OFF_CONS (0), prod u64 at SHM_OFF_PROD
 *  (4096), data at SHM_OFF_DATA (8192); record at data[pos &amp; (data_size - 1)]: len u32
 *  (RB_BUSY_BIT, RB_DISCARD_BIT), pad u32, len bytes, the whole rounded up to 8 (RB_HEADER = 8);
 *  a record may wrap around the end of data.
 * </pre>
 *
 * {@link Payload} writes payloads and {@link Cursor} reads them; a read past the end or bytes left
 * over are {@link BadPayload} (the server answers {@code -EINVAL}).
 */
public final class ControlProtocol {
    public static final int VERSION = 2;

    // ---- frame header ----
    /** Bytes of the header: length, version, op, seq. */
    public static final int HEADER = 12;
    public static final int OFF_LENGTH = 0;
    public static final int OFF_VERSION = 4;
    public static final int OFF_OP = 6;
    public static final int OFF_SEQ = 8;
    public static final int OFF_PAYLOAD = 12;
    /** The smallest length field: version, op and seq with no payload. */
    public static final int MIN_LENGTH = 8;
    /** The largest length field (16 MiB). */
    public static final int MAX_FRAME = 16 << 20;
    /** Bit 15 of op: a reply. */
    public static final int REPLY = 0x8000;

    // ---- ops ----
    public static final int OP_HELLO = 0x0001;
    public static final int OP_OBJ_LOAD_PATH = 0x0010;
    public static final int OP_OBJ_LOAD_BYTES = 0x0011;
    public static final int OP_PROG_FIND = 0x0012;
    public static final int OP_MAP_FIND = 0x0013;
    public static final int OP_LIST = 0x0014;
    public static final int OP_INFO = 0x0015;
    public static final int OP_GET_BY_ID = 0x0016;
    public static final int OP_CLOSE = 0x0017;
    public static final int OP_ATTACH = 0x0020;
    public static final int OP_DETACH = 0x0021;
    public static final int OP_MAP_LOOKUP = 0x0030;
    public static final int OP_MAP_UPDATE = 0x0031;
    public static final int OP_MAP_DELETE = 0x0032;
    public static final int OP_MAP_NEXT_KEY = 0x0033;
    public static final int OP_MAP_DUMP = 0x0034;
    public static final int OP_DUMP_JSON = 0x0035;
    public static final int OP_RINGBUF_POLL = 0x0040;
    public static final int OP_RINGBUF_SHM = 0x0041;
    public static final int OP_TRACE_READ = 0x0050;
    public static final int OP_STATS = 0x0060;
    public static final int OP_SYM = 0x0070;
    public static final int OP_METHODS = 0x0071;
    public static final int OP_PIN = 0x0080;
    public static final int OP_UNPIN = 0x0081;
    public static final int OP_GET_PINNED = 0x0082;
    /**
     * Ends a {@code hold=} of premain (empty payload, empty reply): {@code main} runs; a no-op
     * success when no hold is pending. The JVM's exit then waits (as long as the hold) for the
     * releasing connection to close, so that its last reads see every count.
     */
    public static final int OP_RELEASE = 0x0090;
    /** The frame the agent sends before it closes a connection it cannot read on (seq 0). */
    public static final int OP_ERROR = 0xFFFF;

    // ---- kinds ----
    public static final int KIND_OBJECT = 1;
    public static final int KIND_PROG = 2;
    public static final int KIND_MAP = 3;
    public static final int KIND_LINK = 4;

    // ---- ATTACH flags ----
    /** A target that matches no loaded class waits for the class to load. */
    public static final int ATTACH_PENDING = 1;

    // ---- program types (PROG entry) ----
    public static final int PROG_TYPE_OTHER = 0;
    public static final int PROG_TYPE_KPROBE = 1;
    public static final int PROG_TYPE_KRETPROBE = 2;
    public static final int PROG_TYPE_TIMER = 3;

    // ---- limits ----
    /** Handles open at once on one connection. */
    public static final int MAX_HANDLES = 4096;

    // ---- errno values (Linux), sent negated ----
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int E2BIG = 7;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int EINVAL = 22;
    public static final int EMFILE = 24;
    public static final int ENOSPC = 28;
    public static final int EPROTO = 71;
    public static final int EMSGSIZE = 90;
    public static final int EOPNOTSUPP = 95;

    // ---- shared-memory ring (RINGBUF_SHM) ----
    public static final int SHM_OFF_CONS = 0;
    public static final int SHM_OFF_PROD = 4096;
    public static final int SHM_OFF_DATA = 8192;
    public static final int RB_HEADER = 8;
    public static final int RB_BUSY_BIT = 0x80000000;
    public static final int RB_DISCARD_BIT = 0x40000000;

    private ControlProtocol() {
    }

    /** One frame read off a socket. */
    public record Frame(int version, int op, int seq, byte[] payload) {
        /** The reply status (a reply's or ERROR's first field); -EINVAL when the payload has none. */
        public int status() {
            return payload.length < 4 ? -EINVAL : ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN).getInt(0);
        }

        /** A reply's body after the status. */
        public Cursor body() {
            return new Cursor(payload, Math.min(4, payload.length));
        }

        /** An error reply's message. */
        public String message() {
            return payload.length <= 4 ? "" : new String(payload, 4, payload.length - 4, StandardCharsets.UTF_8);
        }
    }

    /** A frame that cannot be read on (bad version or length): the status of the ERROR frame, and why. */
    public static final class BadFrame extends IOException {
        private static final long serialVersionUID = 1L;
        public final int status;

        BadFrame(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    /** A payload that does not have the op's fields: too short, bytes left over, bad UTF-8. */
    public static final class BadPayload extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public BadPayload(String message) {
            super(message);
        }
    }

    /** A little-endian payload under construction. */
    public static final class Payload {
        private ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);

        private ByteBuffer room(int n) {
            if (b.remaining() < n) {
                ByteBuffer g = ByteBuffer.allocate(Math.max(b.capacity() * 2, b.position() + n)).order(ByteOrder.LITTLE_ENDIAN);
                b.flip();
                g.put(b);
                b = g;
            }
            return b;
        }

        public Payload u8(int v) {
            room(1).put((byte) v);
            return this;
        }

        public Payload u16(int v) {
            room(2).putShort((short) v);
            return this;
        }

        public Payload u32(int v) {
            room(4).putInt(v);
            return this;
        }

        public Payload u64(long v) {
            room(8).putLong(v);
            return this;
        }

        /** u16 length + UTF-8; a longer string is cut at 65535 bytes (never inside a character). */
        public Payload str(String s) {
            byte[] u = s.getBytes(StandardCharsets.UTF_8);
            int n = u.length;
            if (n > 0xffff) {
                n = 0xffff;
                while (n > 0 && (u[n] & 0xc0) == 0x80) {
                    n--;
                }
            }
            room(2 + n).putShort((short) n).put(u, 0, n);
            return this;
        }

        public Payload blob(byte[] v) {
            room(4 + v.length).putInt(v.length).put(v);
            return this;
        }

        public Payload str32(String s) {
            return blob(s.getBytes(StandardCharsets.UTF_8));
        }

        public Payload bytes(byte[] v) {
            room(v.length).put(v);
            return this;
        }

        public int size() {
            return b.position();
        }

        public byte[] toArray() {
            return Arrays.copyOf(b.array(), b.position());
        }
    }

    /** Reads a payload's fields in order; every read checks the bounds. */
    public static final class Cursor {
        private final ByteBuffer b;

        public Cursor(byte[] payload, int offset) {
            b = ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN);
            b.position(offset);
        }

        private void need(int n, String what) {
            if (b.remaining() < n) {
                throw new BadPayload("payload ends inside " + what + " (offset " + b.position() + ", " + b.remaining()
                    + " bytes left, " + n + " needed)");
            }
        }

        public int u8(String what) {
            need(1, what);
            return Byte.toUnsignedInt(b.get());
        }

        public int u16(String what) {
            need(2, what);
            return Short.toUnsignedInt(b.getShort());
        }

        public int u32(String what) {
            need(4, what);
            return b.getInt();
        }

        public long u64(String what) {
            need(8, what);
            return b.getLong();
        }

        public String str(String what) {
            return utf8(u16(what + " length"), what);
        }

        public String str32(String what) {
            int n = u32(what + " length");
            if (n < 0) {
                throw new BadPayload(what + " length " + Integer.toUnsignedString(n) + " is past the payload");
            }
            return utf8(n, what);
        }

        private String utf8(int n, String what) {
            need(n, what);
            byte[] u = new byte[n];
            b.get(u);
            try {
                return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(u)).toString();
            } catch (CharacterCodingException e) {
                throw new BadPayload(what + " is not UTF-8");
            }
        }

        public byte[] blob(String what) {
            int n = u32(what + " length");
            if (n < 0 || n > b.remaining()) {
                throw new BadPayload(what + " length " + Integer.toUnsignedString(n) + " is past the payload ("
                    + b.remaining() + " bytes left)");
            }
            byte[] v = new byte[n];
            b.get(v);
            return v;
        }

        public int remaining() {
            return b.remaining();
        }

        /** Rule 5: no bytes may be left over. */
        public void end(String op) {
            if (b.hasRemaining()) {
                throw new BadPayload(op + ": " + b.remaining() + " bytes left over after the payload's fields");
            }
        }
    }

    /** A whole frame: header then payload. */
    public static ByteBuffer frame(int op, int seq, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(HEADER + payload.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(OFF_LENGTH, MIN_LENGTH + payload.length).putShort(OFF_VERSION, (short) VERSION)
            .putShort(OFF_OP, (short) op).putInt(OFF_SEQ, seq);
        b.position(OFF_PAYLOAD);
        b.put(payload).flip();
        return b;
    }

    /** A success reply: status 0, then the body. */
    public static ByteBuffer ok(int requestOp, int seq, byte[] body) {
        return frame(requestOp | REPLY, seq, new Payload().u32(0).bytes(body).toArray());
    }

    /** An error reply, or (op {@link #OP_ERROR}) the frame before a close: -errno, then the message. */
    public static ByteBuffer error(int op, int seq, int negErrno, String message) {
        return frame(op, seq, new Payload().u32(negErrno).bytes(message.getBytes(StandardCharsets.UTF_8)).toArray());
    }

    /** The name of an op for messages (its constant's name without OP_), or its number in hex. */
    public static String opName(int op) {
        for (var f : ControlProtocol.class.getFields()) {
            if (f.getName().startsWith("OP_") && f.getType() == int.class) {
                try {
                    if (f.getInt(null) == op || f.getInt(null) == (op & ~REPLY)) {
                        return f.getName().substring(3);
                    }
                } catch (IllegalAccessException e) {
                    break;
                }
            }
        }
        return String.format("0x%04x", op);
    }

    /**
     * Reads one frame; null at a clean end of stream before a frame. The version and the length are
     * checked as soon as the first 8 bytes are in, so that a version-1 frame (an 8-byte header) is
     * answered rather than waited on.
     */
    public static Frame read(ReadableByteChannel ch) throws IOException {
        return read(ch, null);
    }

    /** Memory for frames being read: taken before a frame's bytes are allocated, given back by the reader. */
    public interface Budget {
        void acquire(int bytes) throws IOException;

        void release(int bytes);
    }

    /**
     * {@link #read(ReadableByteChannel)}, taking {@code length} bytes of {@code budget} (null: none)
     * before the frame's buffer is allocated; the caller releases {@code MIN_LENGTH +
     * payload.length} (the length field) when done with the frame. A read that fails gives them back.
     */
    public static Frame read(ReadableByteChannel ch, Budget budget) throws IOException {
        ByteBuffer h = ByteBuffer.allocate(OFF_SEQ).order(ByteOrder.LITTLE_ENDIAN);
        if (!fill(ch, h, true)) {
            return null;
        }
        long length = Integer.toUnsignedLong(h.getInt(OFF_LENGTH));
        int version = Short.toUnsignedInt(h.getShort(OFF_VERSION));
        int op = Short.toUnsignedInt(h.getShort(OFF_OP));
        if (version != VERSION) {
            throw new BadFrame(-EPROTO, "protocol version " + version + ", this agent speaks version " + VERSION);
        }
        if (length < MIN_LENGTH || length > MAX_FRAME) {
            throw new BadFrame(-EMSGSIZE, "frame length " + length + " is outside " + MIN_LENGTH + ".." + MAX_FRAME);
        }
        if (budget != null) {
            budget.acquire((int) length);
        }
        try {
            ByteBuffer rest = ByteBuffer.allocate((int) length - 4).order(ByteOrder.LITTLE_ENDIAN);
            fill(ch, rest, false);
            return new Frame(version, op, rest.getInt(0), Arrays.copyOfRange(rest.array(), 4, rest.capacity()));
        } catch (IOException | RuntimeException | Error e) {
            if (budget != null) {
                budget.release((int) length);
            }
            throw e;
        }
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

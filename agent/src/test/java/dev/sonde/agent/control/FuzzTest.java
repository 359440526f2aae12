package dev.sonde.agent.control;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.sonde.agent.Launch;
import dev.sonde.agent.control.ControlProtocol.Payload;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * More than 10,000 garbled messages at the control socket of a ProtoApp whose start-up agent
 * attached proto.bpf.o: random bytes, truncated frames, bad lengths and versions, every op with
 * random and with well-shaped random payloads, reply ops, requests before HELLO, on fresh
 * connections and on one long-lived one. Every framed request must get exactly its reply (same
 * seq, a status that is 0 or a negative errno with a message); every unframeable one an ERROR
 * frame or a plain close. Afterwards a well-formed request still works, the start-up probe still
 * counts, and the application is alive. The seed is fixed (and printed), so a failure repeats.
 */
@Timeout(240)
class FuzzTest {
    private static final long SEED = 0x50_4e_44_45L;
    private static final int MESSAGES = 10_000;
    private static final int[] OPS = {
        ControlProtocol.OP_HELLO, ControlProtocol.OP_OBJ_LOAD_PATH, ControlProtocol.OP_OBJ_LOAD_BYTES, ControlProtocol.OP_PROG_FIND,
        ControlProtocol.OP_MAP_FIND, ControlProtocol.OP_LIST, ControlProtocol.OP_INFO, ControlProtocol.OP_GET_BY_ID,
        ControlProtocol.OP_CLOSE, ControlProtocol.OP_ATTACH, ControlProtocol.OP_DETACH, ControlProtocol.OP_MAP_LOOKUP,
        ControlProtocol.OP_MAP_UPDATE, ControlProtocol.OP_MAP_DELETE, ControlProtocol.OP_MAP_NEXT_KEY, ControlProtocol.OP_MAP_DUMP,
        ControlProtocol.OP_DUMP_JSON, ControlProtocol.OP_RINGBUF_POLL, ControlProtocol.OP_RINGBUF_SHM, ControlProtocol.OP_TRACE_READ,
        ControlProtocol.OP_STATS, ControlProtocol.OP_SYM, ControlProtocol.OP_METHODS, ControlProtocol.OP_PIN, ControlProtocol.OP_UNPIN,
        ControlProtocol.OP_GET_PINNED};
    private static final Set<Integer> ERRNOS = Set.of(ControlProtocol.EPERM, ControlProtocol.ENOENT, ControlProtocol.E2BIG,
        ControlProtocol.EBADF, ControlProtocol.EAGAIN, ControlProtocol.ENOMEM, ControlProtocol.EACCES, ControlProtocol.EBUSY,
        ControlProtocol.EEXIST, ControlProtocol.EINVAL, ControlProtocol.EMFILE, ControlProtocol.ENOSPC, ControlProtocol.EPROTO,
        ControlProtocol.EMSGSIZE, ControlProtocol.EOPNOTSUPP);
    private static final String[] NAMES = {"", "count_work", "emit_event", "calls", "by_arg", "events", "proto.bpf.o", "fuzz/pin",
        "kprobe/dev.sonde.agent.ProtoApp::work", "dev.sonde.agent.ProtoApp::*", "kprobe/No::such", "java.lang.Object::hashCode",
        "kretprobe.multi/dev.sonde.agent.*::w*", "timer/1ms", "/nonexistent", "/dev/null", "/etc/passwd", "::", "\u00e9\u0000x"};

    private final Random rnd = new Random(SEED);
    private byte[] elf;
    private Path sock;
    private int sent;
    private int replies;
    private int errorFrames;
    private final java.util.Map<String, Long> opNanos = new java.util.TreeMap<>();

    @Test
    void garbledMessagesGetErrorsAndHarmNothing(@TempDir Path dir) throws Exception {
        System.out.println("FuzzTest seed " + SEED);
        sock = dir.resolve("f.sock");
        elf = Files.readAllBytes(Launch.probe("proto.bpf.o"));
        try (Launch.App app = new Launch.App(dir, "probes=" + Launch.probe("proto.bpf.o") + ",socket=" + sock, 1);
             ControlClient check = ControlClient.connect(sock)) {
            int calls = check.getById(ControlProtocol.KIND_MAP, sessionMap(check, "calls"));
            long before = ControlSocketTest.le(check.lookup(calls, new byte[4]));

            try (SocketChannel longLived = connect()) {
                request(longLived, ControlProtocol.OP_HELLO, new Payload().str("fuzz").toArray(), false);
                while (sent < MESSAGES) {
                    if (rnd.nextInt(4) == 0) {
                        freshConnection();
                    } else {
                        request(longLived, randomOp(), payload(), false);
                    }
                }
                // The long-lived connection is still in step.
                request(longLived, ControlProtocol.OP_LIST, new byte[] {ControlProtocol.KIND_OBJECT}, false);
            }
            System.out.println("FuzzTest: " + sent + " messages, " + replies + " replies, " + errorFrames + " ERROR frames; ms per op: "
                + opNanos.entrySet().stream().filter(e -> e.getValue() > 100_000_000L).map(e -> e.getKey() + " " + e.getValue() / 1_000_000).toList());
            assertTrue(sent >= MESSAGES && replies > MESSAGES / 2 && errorFrames > 100, sent + " " + replies + " " + errorFrames);

            try (ControlClient after = ControlClient.connect(sock)) {
                assertTrue(ControlSocketTest.objects(after).containsKey("proto.bpf.o"), "the start-up object is there");
                int h = after.getById(ControlProtocol.KIND_MAP, sessionMap(after, "calls"));
                long now = ControlSocketTest.le(after.lookup(h, new byte[4]));
                await().atMost(Duration.ofSeconds(30)).until(() -> ControlSocketTest.le(after.lookup(h, new byte[4])) > now + 100);
            }
            assertTrue(ControlSocketTest.le(check.lookup(calls, new byte[4])) != before, "the probe attached before the fuzz counts");
            assertTrue(app.calls() > 0);
            assertEquals(0, app.end(), Files.readString(app.err));
            assertFalse(Files.readString(app.err).contains("Exception"), Files.readString(app.err));
        }
    }

    /** The id of the start-up object's map {@code name}. */
    private static int sessionMap(ControlClient c, String name) throws IOException {
        int obj = ControlSocketTest.objects(c).get("proto.bpf.o").id();
        return c.list(ControlProtocol.KIND_MAP).stream().map(e -> (ControlClient.MapEntry) e)
            .filter(m -> m.objId() == obj && m.name().equals(name)).findFirst().orElseThrow().id();
    }

    /** A fresh connection: maybe HELLO, a few framed requests, maybe an unframeable ending, then close. */
    private void freshConnection() throws IOException {
        try (SocketChannel ch = connect()) {
            boolean hello = rnd.nextInt(3) != 0;
            if (hello) {
                request(ch, ControlProtocol.OP_HELLO, new Payload().str("fuzz").toArray(), false);
            } else {
                int op = randomOp();
                request(ch, op, payload(), op != ControlProtocol.OP_HELLO);   // before HELLO: -EPROTO
            }
            for (int i = rnd.nextInt(4); i > 0; i--) {
                request(ch, randomOp(), payload(), false);
            }
            switch (rnd.nextInt(5)) {
                case 0 -> badVersion(ch);
                case 1 -> badLength(ch);
                case 2 -> truncated(ch);
                case 3 -> randomBytes(ch);
                default -> replyOp(ch);
            }
        }
    }

    private int randomOp() {
        int r = rnd.nextInt(20);
        if (r == 0) {
            return rnd.nextInt(0x8000);   // mostly unknown ops
        }
        return OPS[rnd.nextInt(OPS.length)];
    }

    // ---- payloads -----------------------------------------------------------------------------

    private byte[] payload() {
        int r = rnd.nextInt(10);
        if (r < 3) {
            return bytes(rnd.nextInt(40));
        }
        return null;   // well-shaped, chosen by request() once the op is known
    }

    private byte[] shaped(int op) {
        Payload p = new Payload();
        switch (op) {
            case ControlProtocol.OP_HELLO, ControlProtocol.OP_DUMP_JSON, ControlProtocol.OP_METHODS, ControlProtocol.OP_UNPIN,
                 ControlProtocol.OP_GET_PINNED -> p.str(name());
            case ControlProtocol.OP_OBJ_LOAD_PATH -> p.str(name()).str(rnd.nextInt(20) == 0 ? Launch.probe("proto.bpf.o").toString() : name());
            case ControlProtocol.OP_OBJ_LOAD_BYTES -> {
                // A whole load (verify, compile) is costly: a real or mutated ELF 1 time in 4, else bytes at random.
                int k = rnd.nextInt(40);
                p.str(name()).blob(k == 0 ? elf : k < 10 ? mutatedElf() : bytes(rnd.nextInt(80)));
            }
            case ControlProtocol.OP_PROG_FIND, ControlProtocol.OP_MAP_FIND, ControlProtocol.OP_PIN -> p.u32(handle()).str(name());
            case ControlProtocol.OP_LIST -> p.u8(rnd.nextInt(6));
            case ControlProtocol.OP_GET_BY_ID -> p.u8(rnd.nextInt(6)).u32(rnd.nextInt(12));
            case ControlProtocol.OP_INFO, ControlProtocol.OP_CLOSE, ControlProtocol.OP_RINGBUF_SHM, ControlProtocol.OP_STATS -> p.u32(handle());
            case ControlProtocol.OP_ATTACH -> p.u32(handle()).u64(rnd.nextLong()).u32(rnd.nextInt(4)).str(name());
            case ControlProtocol.OP_MAP_LOOKUP, ControlProtocol.OP_MAP_DELETE, ControlProtocol.OP_MAP_NEXT_KEY ->
                p.u32(handle()).blob(bytes(rnd.nextInt(10)));
            case ControlProtocol.OP_MAP_UPDATE -> p.u32(handle()).u64(rnd.nextInt(5)).blob(bytes(rnd.nextInt(10))).blob(bytes(rnd.nextInt(10)));
            case ControlProtocol.OP_MAP_DUMP -> p.u32(handle()).u32(rnd.nextInt(4));
            case ControlProtocol.OP_RINGBUF_POLL -> p.u32(handle()).u32(rnd.nextInt(4)).u32(rnd.nextInt(3));
            case ControlProtocol.OP_TRACE_READ -> p.u32(rnd.nextInt(4)).u32(rnd.nextInt(3));
            case ControlProtocol.OP_SYM -> p.u64(rnd.nextBoolean() ? rnd.nextLong() : (rnd.nextLong() & 0x3fff_ffff_0000_0000L) | 0x4000_0000_0000_0000L);
            // DETACH only gets random bytes: a shaped one could detach the start-up link the test counts with.
            default -> p.bytes(bytes(rnd.nextInt(12)));
        }
        if (rnd.nextInt(8) == 0) {
            p.u8(rnd.nextInt(256));   // a byte left over
        }
        byte[] b = p.toArray();
        if (rnd.nextInt(8) == 0 && b.length > 0) {
            b = java.util.Arrays.copyOf(b, rnd.nextInt(b.length));   // a field cut short
        }
        return b;
    }

    private int handle() {
        return rnd.nextInt(10) == 0 ? rnd.nextInt() : rnd.nextInt(8);
    }

    private String name() {
        return rnd.nextInt(6) == 0 ? new String(bytes(rnd.nextInt(12)), java.nio.charset.StandardCharsets.ISO_8859_1) : NAMES[rnd.nextInt(NAMES.length)];
    }

    private byte[] mutatedElf() {
        byte[] b = rnd.nextInt(4) == 0 ? java.util.Arrays.copyOf(elf, rnd.nextInt(elf.length)) : elf.clone();
        for (int i = 1 + rnd.nextInt(8); i > 0 && b.length > 0; i--) {
            b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
        }
        return b;
    }

    private byte[] bytes(int n) {
        byte[] b = new byte[n];
        rnd.nextBytes(b);
        return b;
    }

    // ---- messages -----------------------------------------------------------------------------

    /** One framed request and its one reply: same op | REPLY, same seq, status 0 or -errno with a message. */
    private void request(SocketChannel ch, int op, byte[] payload, boolean expectProto) throws IOException {
        byte[] p = payload != null ? payload : shaped(op);
        boundWait(op, p);
        int seq = rnd.nextInt();
        long t0 = System.nanoTime();
        ControlProtocol.write(ch, ControlProtocol.frame(op, seq, p));
        sent++;
        ControlProtocol.Frame f = ControlProtocol.read(ch);
        if (f == null) {
            fail(String.format("no reply to op 0x%04x payload %s (message %d)", op, java.util.HexFormat.of().formatHex(p), sent));
        }
        replies++;
        opNanos.merge(ControlProtocol.opName(op), System.nanoTime() - t0, Long::sum);
        assertEquals((op | ControlProtocol.REPLY) & 0xffff, f.op(), f.message());
        assertEquals(seq, f.seq());
        int status = f.status();
        if (status < 0) {
            assertTrue(ERRNOS.contains(-status), "errno " + -status + ": " + f.message());
            assertFalse(f.message().isBlank(), "an error names its problem");
        }
        if (expectProto) {
            assertEquals(-ControlProtocol.EPROTO, status, f.message());
        }
    }

    /** The waiting ops wait 0-2 ms here, even with random bytes (the agent would wait up to 10 s). */
    private void boundWait(int op, byte[] p) {
        int at = op == ControlProtocol.OP_TRACE_READ && p.length == 8 ? 4 : op == ControlProtocol.OP_RINGBUF_POLL && p.length == 12 ? 8 : -1;
        if (at >= 0) {
            ByteBuffer.wrap(p).order(ByteOrder.LITTLE_ENDIAN).putInt(at, rnd.nextInt(3));
        }
    }

    private void badVersion(SocketChannel ch) throws IOException {
        int v = rnd.nextInt(0x10000);
        ByteBuffer b = ControlProtocol.frame(randomOp(), 0, bytes(rnd.nextInt(8)));
        b.putShort(ControlProtocol.OFF_VERSION, (short) (v == ControlProtocol.VERSION ? 1 : v));
        expectErrorFrame(ch, b, -ControlProtocol.EPROTO);
    }

    private void badLength(SocketChannel ch) throws IOException {
        long len = rnd.nextBoolean() ? rnd.nextInt(ControlProtocol.MIN_LENGTH)
            : ControlProtocol.MAX_FRAME + 1L + (rnd.nextLong() & 0x7fff_ffffL);
        ByteBuffer b = ByteBuffer.allocate(ControlProtocol.HEADER).order(ByteOrder.LITTLE_ENDIAN).putInt((int) len)
            .putShort((short) ControlProtocol.VERSION).putShort((short) randomOp()).putInt(0).flip();
        expectErrorFrame(ch, b, -ControlProtocol.EMSGSIZE);
    }

    private void expectErrorFrame(SocketChannel ch, ByteBuffer b, int status) throws IOException {
        ControlProtocol.write(ch, b);
        sent++;
        ControlProtocol.Frame f = ControlProtocol.read(ch);
        assertTrue(f != null, "an ERROR frame");
        assertEquals(ControlProtocol.OP_ERROR, f.op());
        assertEquals(status, f.status(), f.message());
        errorFrames++;
        assertEof(ch);
    }

    /** A frame cut short, then the end of our stream: the agent drops the connection without a reply. */
    private void truncated(SocketChannel ch) throws IOException {
        byte[] p = bytes(1 + rnd.nextInt(40));
        ByteBuffer b = ControlProtocol.frame(randomOp(), 0, p);
        b.limit(rnd.nextInt(b.limit()));
        ControlProtocol.write(ch, b);
        sent++;
        ch.shutdownOutput();
        drain(ch);
    }

    /** Bytes at random: whatever the agent makes of them (frames, an ERROR, a close), it ends the connection when we do. */
    private void randomBytes(SocketChannel ch) throws IOException {
        ControlProtocol.write(ch, ByteBuffer.wrap(bytes(1 + rnd.nextInt(64))));
        sent++;
        ch.shutdownOutput();
        drain(ch);
    }

    private void replyOp(SocketChannel ch) throws IOException {
        request(ch, ControlProtocol.REPLY | OPS[rnd.nextInt(OPS.length)], bytes(rnd.nextInt(8)), true);
    }

    private static void assertEof(SocketChannel ch) throws IOException {
        assertEquals(-1, drain(ch), "the agent closes after an ERROR frame");
    }

    /** Reads until the end of stream (at most 30 s); -1 when it came, else the bytes read. */
    private static int drain(SocketChannel ch) throws IOException {
        ch.configureBlocking(false);
        int n = 0;
        try (Selector s = Selector.open()) {
            ch.register(s, SelectionKey.OP_READ);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            ByteBuffer b = ByteBuffer.allocate(4096);
            while (System.nanoTime() < deadline) {
                s.select(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                s.selectedKeys().clear();
                b.clear();
                int r = ch.read(b);
                if (r < 0) {
                    return -1;
                }
                n += r;
            }
        } catch (IOException e) {
            return -1;   // reset by the peer: also an end
        }
        fail("the agent did not close the connection within 30 s");
        return n;
    }

    private SocketChannel connect() throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        ch.connect(UnixDomainSocketAddress.of(sock));
        return ch;
    }
}

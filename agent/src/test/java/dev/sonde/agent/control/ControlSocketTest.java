package dev.sonde.agent.control;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonde.agent.Launch;
import dev.sonde.agent.control.ControlClient.LinkEntry;
import dev.sonde.agent.control.ControlClient.ObjectEntry;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The control socket v2 on one ProtoApp JVM whose start-up agent loaded trace.bpf.o: ring buffers
 * over RINGBUF_POLL and RINGBUF_SHM (in order, never torn), two clients with their own handles,
 * a pin that outlives its client, a session's link that the socket does not detach, TRACE_READ,
 * and the connection rules (ERROR frames, out-of-order, unknown op, bad handles, 4096 handles).
 */
@Timeout(180)
class ControlSocketTest {
    private static final VarHandle LONG = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final byte[] ZERO = new byte[4];

    @TempDir
    static Path dir;
    static Path sock;
    static Launch.App app;
    static byte[] proto;

    @BeforeAll
    static void start() throws Exception {
        sock = dir.resolve("c.sock");
        app = new Launch.App(dir, "probes=" + Launch.probe("trace.bpf.o") + ",socket=" + sock + ",trace=" + dir.resolve("trace.txt"), 2);
        proto = Files.readAllBytes(Launch.probe("proto.bpf.o"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (app != null) {
            assertEquals(0, app.end(), Files.readString(app.err));
            await().atMost(Duration.ofSeconds(10)).until(() -> !Files.exists(sock));
        }
    }

    @Test
    void theSessionsObjectHasIdsAndTheSocketNeverClosesIt() throws Exception {
        assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(sock));
        try (ControlClient c = ControlClient.connect(sock)) {
            ObjectEntry trace = objects(c).get("trace.bpf.o");
            assertTrue(trace != null && trace.refs() >= 1, "the session holds its object: " + trace);
            int traceProg = progId(c, "trace_emit");
            LinkEntry link = links(c).stream().filter(l -> l.progId() == traceProg).findFirst().orElseThrow();
            int h = c.getById(ControlProtocol.KIND_LINK, link.id());
            c.close(h);
            assertTrue(links(c).stream().anyMatch(l -> l.id() == link.id() && l.open()), "closing a handle leaves a session's link");

            List<String> lines = new ArrayList<>();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                lines.addAll(c.traceRead(0, 1000));
                return lines.size() >= 3;
            });
            for (String l : lines) {
                assertTrue(l.matches(".*bpf_trace_printk: emit thread [01] seq \\d+"), l);
            }
            try (ControlClient other = ControlClient.connect(sock)) {
                assertFalse(other.traceRead(0, 10_000).isEmpty(), "every connection has its own reader");
            }
        }
    }

    @Test
    void ringBufferRecordsArriveInOrderOverPollAndOverSharedMemory() throws Exception {
        try (ControlClient c = ControlClient.connect(sock)) {
            int obj = c.loadBytes("ring", proto);
            c.attach(c.progFind(obj, "emit_event"), 0, 0, "");
            int events = c.mapFind(obj, "events");

            Records polled = new Records();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                c.ringbufPoll(events, 0, 1000).records().forEach(polled::check);
                return polled.count >= 2000;
            });

            ControlClient.Shm shm = c.ringbufShm(events);
            assertEquals(16384, shm.dataSize());
            assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(shm.path()));
            ControlException busy = assertThrows(ControlException.class, () -> c.ringbufPoll(events, 1, 0));
            assertEquals(ControlProtocol.EBUSY, busy.errno());
            try (ControlClient other = ControlClient.connect(sock)) {
                int h = other.getById(ControlProtocol.KIND_MAP, c.info(events).id());
                assertEquals(ControlProtocol.EBUSY, assertThrows(ControlException.class, () -> other.ringbufShm(h)).errno(),
                    "one mirror per map");
            }

            Records mirrored = new Records();
            try (FileChannel ch = FileChannel.open(shm.path(), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                MappedByteBuffer b = ch.map(FileChannel.MapMode.READ_WRITE, 0, ControlProtocol.SHM_OFF_DATA + (long) shm.dataSize());
                b.order(ByteOrder.LITTLE_ENDIAN);
                long mask = shm.dataSize() - 1;
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                long cons = (long) LONG.getAcquire(b, ControlProtocol.SHM_OFF_CONS);
                while (mirrored.count < 5000 && System.nanoTime() < deadline) {
                    // Pairs with the mirror's release store of prod (ShmRing): records before it are whole.
                    long prod = (long) LONG.getAcquire(b, ControlProtocol.SHM_OFF_PROD);
                    while (cons < prod) {
                        int at = (int) (cons & mask);
                        int len = b.getInt(ControlProtocol.SHM_OFF_DATA + at);
                        assertEquals(0, len & ControlProtocol.RB_BUSY_BIT, "a published record is committed");
                        int size = len & ~(ControlProtocol.RB_BUSY_BIT | ControlProtocol.RB_DISCARD_BIT);
                        byte[] r = new byte[size];
                        for (int i = 0; i < size; i++) {
                            r[i] = b.get(ControlProtocol.SHM_OFF_DATA + (int) ((at + ControlProtocol.RB_HEADER + i) & mask));
                        }
                        if ((len & ControlProtocol.RB_DISCARD_BIT) == 0) {
                            mirrored.check(r);
                        }
                        cons += (ControlProtocol.RB_HEADER + size + 7) & ~7L;
                    }
                    // Pairs with the mirror's acquire load of cons: it may reuse what we have read.
                    LONG.setRelease(b, ControlProtocol.SHM_OFF_CONS, cons);
                    Thread.onSpinWait();
                }
            }
            assertTrue(mirrored.count >= 5000, "records through the file ring: " + mirrored.count);
            assertTrue(mirrored.wraps(shm.dataSize()), "the file ring wrapped around");

            c.close(events);
            await().atMost(Duration.ofSeconds(10)).until(() -> !Files.exists(shm.path()));
            int again = c.mapFind(obj, "events");
            assertFalse(c.ringbufPoll(again, 10, 10_000).records().isEmpty(), "polling works again once the mirror is gone");
        }
    }

    @Test
    void twoClientsHaveTheirOwnHandlesAndTheObjectLivesWhileEitherHoldsIt() throws Exception {
        try (ControlClient a = ControlClient.connect(sock); ControlClient b = ControlClient.connect(sock)) {
            int ha = a.loadBytes("shared", proto);
            int id = a.info(ha).id();
            assertEquals(ControlProtocol.EBADF, assertThrows(ControlException.class, () -> b.info(ha)).errno(),
                "a handle is valid on its connection only");
            int hb = b.getById(ControlProtocol.KIND_OBJECT, id);
            assertEquals(id, b.info(hb).id(), "ids are global");
            int calls = b.mapFind(hb, "calls");
            b.attach(b.progFind(hb, "count_work"), 0, 0, "");
            await().atMost(Duration.ofSeconds(30)).until(() -> le(b.lookup(calls, ZERO)) > 100);
            a.close(ha);
            assertTrue(objectIds(b).contains(id), "b still holds the object");
            assertEquals(ControlProtocol.EBADF, assertThrows(ControlException.class, () -> a.info(ha)).errno());
        }
        try (ControlClient c = ControlClient.connect(sock)) {
            // Closing a client only closes its socket: the agent releases the connection's handles
            // when its thread reads the end of the stream, which may be after c has connected and
            // listed (ClientProcessTest waits the same way).
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertTrue(objects(c).values().stream().noneMatch(o -> o.name().equals("shared")),
                    "the last reference gone, the object is closed and its link detached");
                assertTrue(links(c).stream().noneMatch(l -> l.open() && l.target().endsWith("ProtoApp::work")));
            });
        }
    }

    @Test
    void aPinnedLinkAndMapOutliveTheirClientUntilUnpinned() throws Exception {
        int linkId;
        int objId;
        try (ControlClient a = ControlClient.connect(sock)) {
            int obj = a.loadBytes("pinned", proto);
            objId = a.info(obj).id();
            ControlClient.Attached l = a.attach(a.progFind(obj, "count_work"), 0, 0, "");
            linkId = l.id();
            a.pin(l.handle(), "test/work-link");
            a.pin(a.mapFind(obj, "calls"), "test/work-calls");
            assertEquals(ControlProtocol.EEXIST, assertThrows(ControlException.class, () -> a.pin(l.handle(), "test/work-link")).errno());
        }
        try (ControlClient b = ControlClient.connect(sock)) {
            LinkEntry le = links(b).stream().filter(x -> x.id() == linkId).findFirst().orElseThrow();
            assertTrue(le.open());
            assertEquals("test/work-link", le.pinned());
            ControlClient.Pinned calls = b.getPinned("test/work-calls");
            assertEquals(ControlProtocol.KIND_MAP, calls.kind());
            long before = le(b.lookup(calls.handle(), ZERO));
            await().atMost(Duration.ofSeconds(30)).until(() -> le(b.lookup(calls.handle(), ZERO)) > before + 100);
            b.unpin("test/work-link");
            await().atMost(Duration.ofSeconds(30)).until(() -> links(b).stream().noneMatch(x -> x.id() == linkId));
            long stopped = le(b.lookup(calls.handle(), ZERO));
            long appCalls = app.calls();
            await().atMost(Duration.ofSeconds(30)).until(() -> app.calls() > appCalls + 5000);
            assertEquals(stopped, le(b.lookup(calls.handle(), ZERO)), "the unpinned link is detached");
            b.unpin("test/work-calls");
            assertTrue(objectIds(b).contains(objId), "b's handle of the map still holds the object");
            b.close(calls.handle());
            assertFalse(objectIds(b).contains(objId), "nothing holds it now");
            assertEquals(ControlProtocol.ENOENT, assertThrows(ControlException.class, () -> b.getPinned("test/work-calls")).errno());
        }
    }

    @Test
    void badFramesGetErrorsAndTheConnectionRulesHold() throws Exception {
        // A version-1 frame (8-byte header, empty payload): one ERROR frame naming the version, then close.
        try (SocketChannel ch = raw()) {
            ControlProtocol.write(ch, ByteBuffer.wrap(new byte[] {4, 0, 0, 0, 1, 0, 1, 0}));
            ControlProtocol.Frame f = ControlProtocol.read(ch);
            assertEquals(ControlProtocol.OP_ERROR, f.op());
            assertEquals(-ControlProtocol.EPROTO, f.status());
            assertTrue(f.message().contains("version 1") && f.message().contains("2"), f.message());
            assertEquals(-1, ch.read(ByteBuffer.allocate(1)));
        }
        // A length past MAX_FRAME: ERROR -EMSGSIZE, close.
        try (SocketChannel ch = raw()) {
            ByteBuffer h = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putInt(ControlProtocol.MAX_FRAME + 1)
                .putShort((short) 2).putShort((short) ControlProtocol.OP_HELLO).putInt(1).flip();
            ControlProtocol.write(ch, h);
            ControlProtocol.Frame f = ControlProtocol.read(ch);
            assertEquals(ControlProtocol.OP_ERROR, f.op());
            assertEquals(-ControlProtocol.EMSGSIZE, f.status());
            assertEquals(-1, ch.read(ByteBuffer.allocate(1)));
        }
        try (SocketChannel ch = raw()) {
            ControlProtocol.Payload hello = new ControlProtocol.Payload().str("test");
            assertReply(ch, ControlProtocol.OP_LIST, 1, new byte[] {ControlProtocol.KIND_OBJECT}, -ControlProtocol.EPROTO);
            assertReply(ch, ControlProtocol.OP_HELLO, 2, hello.toArray(), 0);
            assertReply(ch, ControlProtocol.OP_HELLO | ControlProtocol.REPLY, 3, hello.toArray(), -ControlProtocol.EPROTO);
            assertReply(ch, 0x0042, 4, new byte[0], -ControlProtocol.EOPNOTSUPP);
            assertReply(ch, ControlProtocol.OP_LIST, 5, new byte[] {ControlProtocol.KIND_OBJECT, 0}, -ControlProtocol.EINVAL);
            assertReply(ch, ControlProtocol.OP_LIST, 6, new byte[0], -ControlProtocol.EINVAL);
            assertReply(ch, ControlProtocol.OP_LIST, 7, new byte[] {9}, -ControlProtocol.EINVAL);
            assertReply(ch, ControlProtocol.OP_CLOSE, 8, new ControlProtocol.Payload().u32(1).toArray(), -ControlProtocol.EBADF);
            assertReply(ch, ControlProtocol.OP_LIST, 9, new byte[] {ControlProtocol.KIND_OBJECT}, 0);
        }
        // At most 4096 handles per connection.
        try (ControlClient c = ControlClient.connect(sock)) {
            int obj = c.loadBytes("many", proto);
            int id = c.info(obj).id();
            for (int i = 1; i < ControlProtocol.MAX_HANDLES; i++) {
                c.getById(ControlProtocol.KIND_OBJECT, id);
            }
            assertEquals(ControlProtocol.EMFILE, assertThrows(ControlException.class, () -> c.getById(ControlProtocol.KIND_OBJECT, id)).errno());
            c.close(obj);
            assertNotEquals(0, c.getById(ControlProtocol.KIND_OBJECT, id), "a closed handle's number is free again");
        }
    }

    // ---- helpers ------------------------------------------------------------------------------

    /** Ring records of proto.bpf.o's emit_event, checked as they come: per thread, seq grows; check matches; comm names the worker. */
    static final class Records {
        int count;
        long bytes;
        final Map<Integer, Long> last = new HashMap<>();

        void check(byte[] r) {
            assertEquals(48, r.length, () -> "record " + count + ": " + java.util.HexFormat.of().formatHex(r, 0, Math.min(64, r.length)));
            ByteBuffer b = ByteBuffer.wrap(r).order(ByteOrder.LITTLE_ENDIAN);
            long seq = b.getLong(0);
            int thread = b.getInt(8);
            assertEquals((int) seq * (int) 2654435761L ^ thread, b.getInt(12), "record " + seq + " of thread " + thread + " is torn");
            assertNotEquals(0, b.getLong(16), "ip");
            String comm = new String(r, 32, 16, StandardCharsets.UTF_8).replace("\0", "");
            assertEquals("worker-" + thread, comm);
            Long prev = last.put(thread, seq);
            assertTrue(prev == null || seq > prev, "thread " + thread + ": seq " + seq + " after " + prev);
            count++;
            bytes += 56;
        }

        boolean wraps(int dataSize) {
            return bytes > dataSize;
        }
    }

    private static SocketChannel raw() throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        ch.connect(UnixDomainSocketAddress.of(sock));
        return ch;
    }

    private static void assertReply(SocketChannel ch, int op, int seq, byte[] payload, int status) throws IOException {
        ControlProtocol.write(ch, ControlProtocol.frame(op, seq, payload));
        ControlProtocol.Frame f = ControlProtocol.read(ch);
        assertEquals((op | ControlProtocol.REPLY) & 0xffff, f.op());
        assertEquals(seq, f.seq());
        assertEquals(status, f.status(), f.message());
        if (status < 0) {
            assertFalse(f.message().isBlank(), "an error names its problem");
        }
    }

    static Map<String, ObjectEntry> objects(ControlClient c) throws IOException {
        Map<String, ObjectEntry> m = new HashMap<>();
        for (ControlClient.Entry e : c.list(ControlProtocol.KIND_OBJECT)) {
            m.put(((ObjectEntry) e).name(), (ObjectEntry) e);
        }
        return m;
    }

    static List<Integer> objectIds(ControlClient c) throws IOException {
        return c.list(ControlProtocol.KIND_OBJECT).stream().map(ControlClient.Entry::id).toList();
    }

    static List<LinkEntry> links(ControlClient c) throws IOException {
        return c.list(ControlProtocol.KIND_LINK).stream().map(e -> (LinkEntry) e).toList();
    }

    private static int progId(ControlClient c, String name) throws IOException {
        return c.list(ControlProtocol.KIND_PROG).stream().map(e -> (ControlClient.ProgEntry) e).filter(p -> p.name().equals(name))
            .findFirst().orElseThrow().id();
    }

    static long le(byte[] v) {
        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        b.put(v, 0, Math.min(8, v.length));
        return b.getLong(0);
    }
}

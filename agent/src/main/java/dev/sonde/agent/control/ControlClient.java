package dev.sonde.agent.control;

import static dev.sonde.agent.control.ControlProtocol.*;

import dev.sonde.agent.control.ControlProtocol.Cursor;
import dev.sonde.agent.control.ControlProtocol.Frame;
import dev.sonde.agent.control.ControlProtocol.Payload;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The Java client of the control socket (protocol version 2, {@link ControlProtocol}): one
 * connection, its handles, one request at a time (calls are serialised; a reply is matched to its
 * request by seq). Closing the client closes the connection, and with it every handle it holds:
 * what it attached and did not pin is detached.
 *
 * <pre>
 *   try (ControlClient c = ControlClient.connect(AgentLoader.ensure(pid, Duration.ofSeconds(10)))) {
 *       int obj = c.loadPath("", Path.of("count.bpf.o"));
 *       c.attach(c.progFind(obj, "on_call"), 0, 0, "");
 *       byte[] v = c.lookup(c.mapFind(obj, "counts"), key);
 *   }
 * </pre>
 *
 * Errors: {@link ControlException} with the agent's errno and message; an IOException when the
 * connection fails. After an ERROR frame (the agent closes) every call fails.
 */
public final class ControlClient implements AutoCloseable {
    private final SocketChannel channel;
    private final Path socket;
    private int seq;
    private Hello hello;

    /** What HELLO answered. */
    public record Hello(int proto, long pid, String agent, int maxFrame) {
    }

    public record Attached(int handle, int id, int methods) {
    }

    public record KeyValue(byte[] key, byte[] value) {
    }

    public record RingRecords(List<byte[]> records, long dropped) {
    }

    public record Stats(long runCount, long runTimeNs, long nmissed, long faults) {
    }

    public record Symbol(String symbol, int line) {
    }

    /** A loaded method: its symbol ({@code class.method(descriptor)}), address, parameter names (empty if unknown). */
    public record MethodInfo(String symbol, long addr, List<String> params) {
    }

    public record Pinned(int handle, int kind) {
    }

    /** A LIST or INFO entry: one of four kinds, as the protocol lays them out. */
    public sealed interface Entry permits ObjectEntry, ProgEntry, MapEntry, LinkEntry {
        int id();

        int kind();
    }

    public record ObjectEntry(int id, String name, int progs, int maps, int refs) implements Entry {
        @Override
        public int kind() {
            return KIND_OBJECT;
        }
    }

    public record ProgEntry(int id, int objId, String name, String section, int type, int insns, Stats stats) implements Entry {
        @Override
        public int kind() {
            return KIND_PROG;
        }
    }

    public record MapEntry(int id, int objId, String name, int type, int keySize, int valueSize, int maxEntries, int flags)
        implements Entry {
        @Override
        public int kind() {
            return KIND_MAP;
        }
    }

    public record LinkEntry(int id, int progId, String target, long cookie, int methods, boolean open, String pinned, Stats stats)
        implements Entry {
        @Override
        public int kind() {
            return KIND_LINK;
        }
    }

    private ControlClient(SocketChannel channel, Path socket) {
        this.channel = channel;
        this.socket = socket;
    }

    /** Connects and sends HELLO. */
    public static ControlClient connect(Path socket) throws IOException {
        if (!Files.exists(socket)) {
            throw new IOException("no control socket " + socket + " (is the agent loaded, without socket=off?)");
        }
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            ch.close();
            throw new IOException("cannot connect to " + socket + ": " + e.getMessage(), e);
        }
        ControlClient c = new ControlClient(ch, socket);
        try {
            Cursor r = c.call(OP_HELLO, new Payload().str("java " + ProcessHandle.current().pid()));
            c.hello = new Hello(r.u16("proto"), r.u64("pid"), r.str("agent"), r.u32("max_frame"));
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        return c;
    }

    /** Connects to the default socket of JVM {@code pid} (where {@link ControlServer#findSocket} finds it). */
    public static ControlClient connect(long pid) throws IOException {
        return connect(ControlServer.findSocket(pid));
    }

    public Hello hello() {
        return hello;
    }

    public Path socket() {
        return socket;
    }

    // ---- objects, programs, maps, links ----

    public int loadPath(String name, Path p) throws IOException {
        return call(OP_OBJ_LOAD_PATH, new Payload().str(name).str(p.toAbsolutePath().toString())).u32("handle");
    }

    public int loadBytes(String name, byte[] elf) throws IOException {
        return call(OP_OBJ_LOAD_BYTES, new Payload().str(name).blob(elf)).u32("handle");
    }

    public int progFind(int obj, String name) throws IOException {
        return call(OP_PROG_FIND, new Payload().u32(obj).str(name)).u32("handle");
    }

    public int mapFind(int obj, String name) throws IOException {
        return call(OP_MAP_FIND, new Payload().u32(obj).str(name)).u32("handle");
    }

    public List<Entry> list(int kind) throws IOException {
        Cursor r = call(OP_LIST, new Payload().u8(kind));
        int n = r.u32("count");
        List<Entry> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(entry(kind, r));
        }
        return out;
    }

    public Entry info(int handle) throws IOException {
        Cursor r = call(OP_INFO, new Payload().u32(handle));
        return entry(r.u8("kind"), r);
    }

    /** A new handle on the thing of {@code kind} with global id {@code id}. */
    public int getById(int kind, int id) throws IOException {
        return call(OP_GET_BY_ID, new Payload().u8(kind).u32(id)).u32("handle");
    }

    public void close(int handle) throws IOException {
        call(OP_CLOSE, new Payload().u32(handle));
    }

    /** Attaches; {@code target} empty: the program's SEC name; {@code flags}: {@link ControlProtocol#ATTACH_PENDING}. */
    public Attached attach(int prog, long cookie, int flags, String target) throws IOException {
        Cursor r = call(OP_ATTACH, new Payload().u32(prog).u64(cookie).u32(flags).str(target));
        return new Attached(r.u32("handle"), r.u32("id"), r.u32("methods"));
    }

    public void detach(int link) throws IOException {
        call(OP_DETACH, new Payload().u32(link));
    }

    // ---- maps ----

    /** The value of {@code key}, or null when absent. */
    public byte[] lookup(int map, byte[] key) throws IOException {
        try {
            return call(OP_MAP_LOOKUP, new Payload().u32(map).blob(key)).blob("value");
        } catch (ControlException e) {
            if (e.errno() == ENOENT) {
                return null;
            }
            throw e;
        }
    }

    public void update(int map, byte[] key, byte[] value, long flags) throws IOException {
        call(OP_MAP_UPDATE, new Payload().u32(map).u64(flags).blob(key).blob(value));
    }

    /** Deletes {@code key}; false when it was absent. */
    public boolean delete(int map, byte[] key) throws IOException {
        try {
            call(OP_MAP_DELETE, new Payload().u32(map).blob(key));
            return true;
        } catch (ControlException e) {
            if (e.errno() == ENOENT) {
                return false;
            }
            throw e;
        }
    }

    /** The key after {@code key} (null: the first), or null after the last. */
    public byte[] nextKey(int map, byte[] key) throws IOException {
        try {
            return call(OP_MAP_NEXT_KEY, new Payload().u32(map).blob(key == null ? new byte[0] : key)).blob("key");
        } catch (ControlException e) {
            if (e.errno() == ENOENT) {
                return null;
            }
            throw e;
        }
    }

    /** Up to {@code max} entries (0: as many as fit in a frame). */
    public List<KeyValue> dump(int map, int max) throws IOException {
        Cursor r = call(OP_MAP_DUMP, new Payload().u32(map).u32(max));
        int n = r.u32("count");
        List<KeyValue> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(new KeyValue(r.blob("key"), r.blob("value")));
        }
        return out;
    }

    /** The JSON map dump of DESIGN.md §4 ({@code name} empty: every map and program). */
    public String dumpJson(String name) throws IOException {
        return call(OP_DUMP_JSON, new Payload().str(name)).str32("json");
    }

    /** Waits up to {@code timeoutMs} for a record; at most {@code max} (0: as many as fit). */
    public RingRecords ringbufPoll(int map, int max, int timeoutMs) throws IOException {
        Cursor r = call(OP_RINGBUF_POLL, new Payload().u32(map).u32(max).u32(timeoutMs));
        int n = r.u32("count");
        long dropped = r.u64("dropped");
        List<byte[]> records = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            records.add(r.blob("record"));
        }
        return new RingRecords(records, dropped);
    }

    /** The shared-memory mirror of a ring: the file to map and its data size (the mirror lives as long as the handle). */
    public record Shm(Path path, int dataSize) {
    }

    public Shm ringbufShm(int map) throws IOException {
        Cursor r = call(OP_RINGBUF_SHM, new Payload().u32(map));
        return new Shm(Path.of(r.str("path")), r.u32("data_size"));
    }

    // ---- trace, stats, symbols ----

    /** printk lines since this connection's first traceRead, waiting up to {@code timeoutMs} for one. */
    public List<String> traceRead(int max, int timeoutMs) throws IOException {
        Cursor r = call(OP_TRACE_READ, new Payload().u32(max).u32(timeoutMs));
        int n = r.u32("count");
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(r.str("line"));
        }
        return out;
    }

    /** Counters of an object, program or link handle; 0: the whole JVM. */
    public Stats stats(int handle) throws IOException {
        return stats(call(OP_STATS, new Payload().u32(handle)));
    }

    public Optional<Symbol> sym(long addr) throws IOException {
        try {
            Cursor r = call(OP_SYM, new Payload().u64(addr));
            return Optional.of(new Symbol(r.str("symbol"), r.u32("line")));
        } catch (ControlException e) {
            if (e.errno() == ENOENT) {
                return Optional.empty();
            }
            throw e;
        }
    }

    public List<MethodInfo> methods(String pattern) throws IOException {
        Cursor r = call(OP_METHODS, new Payload().str(pattern));
        int n = r.u32("count");
        List<MethodInfo> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String s = r.str("symbol");
            long a = r.u64("addr");
            String p = r.str("params");
            out.add(new MethodInfo(s, a, p.isEmpty() ? List.of() : List.of(p.split(",", -1))));
        }
        return out;
    }

    // ---- pins ----

    public void pin(int handle, String name) throws IOException {
        call(OP_PIN, new Payload().u32(handle).str(name));
    }

    public void unpin(String name) throws IOException {
        call(OP_UNPIN, new Payload().str(name));
    }

    public Pinned getPinned(String name) throws IOException {
        Cursor r = call(OP_GET_PINNED, new Payload().str(name));
        return new Pinned(r.u32("handle"), r.u8("kind"));
    }

    // ---- start-up ----

    /** Lets a JVM started with {@code hold=} run {@code main}; a no-op success when no hold is pending. */
    public void release() throws IOException {
        call(OP_RELEASE, new Payload());
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    // ---- wire ----

    private static Stats stats(Cursor r) {
        return new Stats(r.u64("run_cnt"), r.u64("run_time_ns"), r.u64("nmissed"), r.u64("faults"));
    }

    private static Entry entry(int kind, Cursor r) throws IOException {
        switch (kind) {
            case KIND_OBJECT:
                return new ObjectEntry(r.u32("id"), r.str("name"), r.u16("progs"), r.u16("maps"), r.u32("refs"));
            case KIND_PROG:
                return new ProgEntry(r.u32("id"), r.u32("obj_id"), r.str("name"), r.str("section"), r.u8("type"), r.u32("insns"),
                    stats(r));
            case KIND_MAP:
                return new MapEntry(r.u32("id"), r.u32("obj_id"), r.str("name"), r.u32("type"), r.u32("key_size"),
                    r.u32("value_size"), r.u32("max_entries"), r.u32("flags"));
            case KIND_LINK:
                return new LinkEntry(r.u32("id"), r.u32("prog_id"), r.str("target"), r.u64("cookie"), r.u32("methods"),
                    r.u8("open") != 0, r.str("pinned"), stats(r));
            default:
                throw new IOException("the agent sent an entry of unknown kind " + kind);
        }
    }

    private Frame pendingError() {
        try {
            Frame f = channel.isOpen() ? ControlProtocol.read(channel) : null;
            return f != null && f.op() == OP_ERROR ? f : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** One request, its reply's body (after status 0); an error reply throws ControlException. */
    private synchronized Cursor call(int op, Payload request) throws IOException {
        int s = ++seq;
        Frame f;
        try {
            ControlProtocol.write(channel, ControlProtocol.frame(op, s, request.toArray()));
            f = ControlProtocol.read(channel);
        } catch (IOException e) {
            // The agent may have refused us (ERROR, then close) before it read the request.
            Frame error = pendingError();
            if (error != null) {
                throw new ControlException(-error.status(), error.message());
            }
            throw e;
        }
        if (f == null) {
            throw new IOException("the agent closed the control socket " + socket + " without replying to " + opName(op));
        }
        if (f.op() == OP_ERROR) {
            channel.close();
            throw new ControlException(-f.status(), f.message());
        }
        if (f.op() != (op | REPLY) || f.seq() != s) {
            channel.close();
            throw new IOException(String.format("reply op 0x%04x seq %d to request %s seq %d: out of step; closed", f.op(), f.seq(),
                opName(op), s));
        }
        if (f.status() < 0) {
            throw new ControlException(-f.status(), f.message());
        }
        try {
            return f.body();
        } catch (ControlProtocol.BadPayload e) {
            throw new IOException("bad reply to " + opName(op) + ": " + e.getMessage(), e);
        }
    }
}

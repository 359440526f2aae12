package dev.sonde.agent.control;

import static dev.sonde.agent.control.ControlProtocol.*;

import dev.sonde.agent.MapDump;
import dev.sonde.agent.TraceDrainer;
import dev.sonde.agent.control.ControlProtocol.BadPayload;
import dev.sonde.agent.control.ControlProtocol.Cursor;
import dev.sonde.agent.control.ControlProtocol.Frame;
import dev.sonde.agent.control.ControlProtocol.Payload;
import dev.sonde.agent.control.Registry.Entity;
import dev.sonde.agent.control.Registry.LinkE;
import dev.sonde.agent.control.Registry.MapE;
import dev.sonde.agent.control.Registry.Obj;
import dev.sonde.agent.control.Registry.Prog;
import dev.sonde.bpf.elf.ObjectFormatException;
import dev.sonde.bpf.map.BpfMap;
import dev.sonde.bpf.map.MapException;
import dev.sonde.bpf.map.RingBuf;
import dev.sonde.bpf.vm.LoadException;
import dev.sonde.probe.control.AttachException;
import dev.sonde.probe.control.ProbeObject;
import dev.sonde.probe.symbol.Symbolized;
import java.io.IOException;
import java.lang.instrument.Instrumentation;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One client connection: its handle table and what each request does. One thread (the
 * connection's) calls {@link #handle} and {@link #close}, so the table needs no lock; what is
 * shared between connections is in {@link Registry}.
 *
 * <p>Rules 2–7 of notes/control-protocol.md are checked here, in that order: HELLO first, no reply
 * op, a known op, the payload's exact fields, handles open and of the right kind, 4096 handles.
 * A failed request changes nothing (an object that fails to load or attach is not kept).
 */
final class ControlConnection {
    private static final String AGENT = "sonde-agent " + version();
    /** Reply bytes kept free of records in a frame: header, status and counts. */
    private static final int BODY_BUDGET = MAX_FRAME - 64;
    /**
     * The longest RINGBUF_POLL or TRACE_READ wait, whatever timeout_ms asks: a client that dies
     * during a wait is noticed only at the reply's write, and until then its handles (its links)
     * stay. A client that wants to wait longer asks again.
     */
    static final long MAX_WAIT_MS = 10_000;

    private final Registry registry;
    private final Instrumentation inst;
    /** handles[h - 1]: the entity of handle h, or null when h is free. */
    private final Entity[] handles = new Entity[MAX_HANDLES];
    /** mirrors[h - 1]: the shared-memory ring handle h asked for, or null. */
    private final ShmRing[] mirrors = new ShmRing[MAX_HANDLES];
    private boolean hello;
    private BlockingQueue<String> trace;

    ControlConnection(Registry registry, Instrumentation inst) {
        this.registry = registry;
        this.inst = inst;
    }

    /** An error reply: -errno and why. */
    static final class Failed extends Exception {
        private static final long serialVersionUID = 1L;
        final int errno;

        Failed(int errno, String message) {
            super(message);
            this.errno = errno;
        }
    }

    ByteBuffer handle(Frame f) {
        int op = f.op();
        try {
            if ((op & REPLY) != 0) {
                throw new Failed(EPROTO, "op " + String.format("0x%04x", op) + " is a reply op; a client sends requests");
            }
            if (!hello && op != OP_HELLO) {
                throw new Failed(EPROTO, opName(op) + " before HELLO: the first request must be HELLO");
            }
            Cursor in = new Cursor(f.payload(), 0);
            byte[] body = dispatch(op, in);
            return ok(op, f.seq(), body);
        } catch (Failed e) {
            return error(op | REPLY, f.seq(), -e.errno, e.getMessage());
        } catch (BadPayload e) {
            return error(op | REPLY, f.seq(), -EINVAL, opName(op) + ": " + e.getMessage());
        } catch (RuntimeException | StackOverflowError | LinkageError e) {
            // a bug, or an object that breaks the loader: this request fails, the connection goes on
            return error(op | REPLY, f.seq(), -EINVAL, opName(op) + " failed: " + e);
        }
    }

    private byte[] dispatch(int op, Cursor in) throws Failed {
        Payload out = new Payload();
        switch (op) {
            case OP_HELLO -> {
                in.str("client");
                in.end("HELLO");
                hello = true;
                out.u16(VERSION).u64(ProcessHandle.current().pid()).str(AGENT).u32(MAX_FRAME);
            }
            case OP_OBJ_LOAD_PATH -> {
                String name = in.str("name");
                String path = in.str("path");
                in.end("OBJ_LOAD_PATH");
                Path p;
                try {
                    p = Path.of(path);
                } catch (java.nio.file.InvalidPathException e) {
                    throw new Failed(EINVAL, "'" + path + "' is not a path: " + e.getMessage());
                }
                byte[] bytes;
                try {
                    if (Files.exists(p) && !Files.isRegularFile(p)) {
                        throw new Failed(EINVAL, path + " is not a regular file");
                    }
                    if (Files.exists(p) && Files.size(p) > MAX_FRAME) {
                        throw new Failed(E2BIG, path + " is larger than " + MAX_FRAME + " bytes");
                    }
                    bytes = Files.readAllBytes(p);
                } catch (NoSuchFileException e) {
                    throw new Failed(ENOENT, path + ": no such file");
                } catch (IOException | SecurityException e) {
                    throw new Failed(EACCES, path + ": cannot read: " + e.getMessage());
                }
                load(name.isEmpty() ? (p.getFileName() == null ? path : p.getFileName().toString()) : name, bytes, out);
            }
            case OP_OBJ_LOAD_BYTES -> {
                String name = in.str("name");
                byte[] elf = in.blob("elf");
                in.end("OBJ_LOAD_BYTES");
                load(name.isEmpty() ? "object" : name, elf, out);
            }
            case OP_PROG_FIND -> {
                Obj obj = handle(in.u32("obj handle"), Obj.class, "an object");
                String name = in.str("name");
                in.end("PROG_FIND");
                Prog p = obj.progs.stream().filter(x -> x.program.name().equals(name)).findFirst()
                    .orElseThrow(() -> new Failed(ENOENT, obj.object.name() + " has no program " + name
                        + " (programs: " + String.join(", ", obj.progs.stream().map(x -> x.program.name()).toList()) + ")"));
                out.u32(open(p)).u32(p.id);
            }
            case OP_MAP_FIND -> {
                Obj obj = handle(in.u32("obj handle"), Obj.class, "an object");
                String name = in.str("name");
                in.end("MAP_FIND");
                MapE m = obj.maps.stream().filter(x -> x.map.name().equals(name)).findFirst()
                    .orElseThrow(() -> new Failed(ENOENT, obj.object.name() + " has no map " + name
                        + " (maps: " + String.join(", ", obj.maps.stream().map(x -> x.map.name()).toList()) + ")"));
                out.u32(open(m)).u32(m.id);
            }
            case OP_LIST -> {
                int kind = kind(in.u8("kind"));
                in.end("LIST");
                List<Entity> es = registry.list(kind);
                Payload entries = new Payload();
                int n = 0;
                for (Entity e : es) {
                    registry.entry(e, entries);
                    n++;
                    if (entries.size() > BODY_BUDGET) {
                        throw new Failed(EMSGSIZE, "the list of " + es.size() + " entries does not fit in a frame");
                    }
                }
                out.u32(n).bytes(entries.toArray());
            }
            case OP_INFO -> {
                Entity e = handle(in.u32("handle"), Entity.class, "any kind");
                in.end("INFO");
                out.u8(e.kind);
                registry.entry(e, out);
            }
            case OP_GET_BY_ID -> {
                int kind = kind(in.u8("kind"));
                int id = in.u32("id");
                in.end("GET_BY_ID");
                Entity e = registry.byId(kind, id);
                if (e == null || e.owner().closed) {
                    throw new Failed(ENOENT, "no " + kindName(kind) + " with id " + Integer.toUnsignedString(id));
                }
                out.u32(open(e));
            }
            case OP_CLOSE -> {
                int h = in.u32("handle");
                handle(h, Entity.class, "any kind");
                in.end("CLOSE");
                closeHandle(h);
            }
            case OP_ATTACH -> {
                Prog p = handle(in.u32("prog handle"), Prog.class, "a program");
                long cookie = in.u64("cookie");
                int flags = in.u32("flags");
                String target = in.str("target");
                in.end("ATTACH");
                if ((flags & ~ATTACH_PENDING) != 0) {
                    throw new Failed(EINVAL, String.format("unknown ATTACH flags 0x%x", flags & ~ATTACH_PENDING));
                }
                int slot = freeSlot();
                LinkE l;
                try {
                    l = registry.attach(p, cookie, (flags & ATTACH_PENDING) != 0, target);
                } catch (AttachException e) {
                    throw new Failed(ENOENT, e.getMessage());
                } catch (IllegalStateException | java.util.NoSuchElementException e) {
                    throw new Failed(EINVAL, e.getMessage());
                }
                handles[slot] = l;   // attach took the handle's reference
                out.u32(slot + 1).u32(l.id).u32(l.link.methods().size());
            }
            case OP_DETACH -> {
                LinkE l = handle(in.u32("link handle"), LinkE.class, "a link");
                in.end("DETACH");
                registry.detach(l);
            }
            case OP_MAP_LOOKUP -> {
                MapE m = handle(in.u32("map handle"), MapE.class, "a map");
                byte[] key = in.blob("key");
                in.end("MAP_LOOKUP");
                checkKey(m.map, key);
                byte[] v = new byte[m.map.javaValueSize()];
                status(m.map, m.map.lookup(key, v), "lookup");
                out.blob(v);
            }
            case OP_MAP_UPDATE -> {
                MapE m = handle(in.u32("map handle"), MapE.class, "a map");
                long flags = in.u64("flags");
                byte[] key = in.blob("key");
                byte[] value = in.blob("value");
                in.end("MAP_UPDATE");
                checkKey(m.map, key);
                if (value.length != m.map.javaValueSize()) {
                    throw new Failed(EINVAL, "map " + m.map.name() + " takes " + m.map.javaValueSize() + "-byte values, not "
                        + value.length);
                }
                status(m.map, m.map.update(key, value, flags), "update");
            }
            case OP_MAP_DELETE -> {
                MapE m = handle(in.u32("map handle"), MapE.class, "a map");
                byte[] key = in.blob("key");
                in.end("MAP_DELETE");
                checkKey(m.map, key);
                status(m.map, m.map.delete(key), "delete");
            }
            case OP_MAP_NEXT_KEY -> {
                MapE m = handle(in.u32("map handle"), MapE.class, "a map");
                byte[] key = in.blob("key");
                in.end("MAP_NEXT_KEY");
                if (key.length != 0) {
                    checkKey(m.map, key);
                }
                byte[] next = new byte[m.map.keySize()];
                status(m.map, m.map.getNextKey(key.length == 0 ? null : key, next), "get_next_key");
                out.blob(next);
            }
            case OP_MAP_DUMP -> {
                MapE m = handle(in.u32("map handle"), MapE.class, "a map");
                int max = in.u32("max");
                in.end("MAP_DUMP");
                dump(m.map, max == 0 ? Integer.MAX_VALUE : max, out);
            }
            case OP_DUMP_JSON -> {
                String name = in.str("name");
                in.end("DUMP_JSON");
                out.str32(dumpJson(name));
            }
            case OP_RINGBUF_POLL -> {
                MapE m = handle(in.u32("map handle"), MapE.class, "a map");
                int max = in.u32("max");
                int timeout = in.u32("timeout_ms");
                in.end("RINGBUF_POLL");
                poll(m, ring(m), max == 0 ? Integer.MAX_VALUE : max, Math.min(MAX_WAIT_MS, Integer.toUnsignedLong(timeout)), out);
            }
            case OP_RINGBUF_SHM -> {
                int h = in.u32("map handle");
                MapE m = handle(h, MapE.class, "a map");
                in.end("RINGBUF_SHM");
                RingBuf r = ring(m);
                synchronized (registry) {
                    if (m.mirror != null) {
                        throw new Failed(EBUSY, "ring buffer " + r.name() + " is mirrored already: " + m.mirror.path());
                    }
                    try {
                        m.mirror = ShmRing.start(r, m.id);
                    } catch (IOException e) {
                        throw new Failed(ENOSPC, "cannot create the shared-memory ring: " + e);
                    }
                    mirrors[h - 1] = m.mirror;
                    out.str(m.mirror.path().toString()).u32(m.mirror.dataSize());
                }
            }
            case OP_TRACE_READ -> {
                int max = in.u32("max");
                int timeout = in.u32("timeout_ms");
                in.end("TRACE_READ");
                traceRead(max == 0 ? Integer.MAX_VALUE : max, Math.min(MAX_WAIT_MS, Integer.toUnsignedLong(timeout)), out);
            }
            case OP_STATS -> {
                int h = in.u32("handle");
                in.end("STATS");
                Entity e = h == 0 ? null : handle(h, Entity.class, "an object, program or link");
                if (e instanceof MapE) {
                    throw new Failed(EBADF, "handle " + h + " is a map; STATS takes an object, program or link (or 0)");
                }
                Registry.stats(registry.stats(e), out);
            }
            case OP_SYM -> {
                long addr = in.u64("addr");
                in.end("SYM");
                Symbolized s = registry.sonde().symbols().symbolize(addr);
                if (s == null) {
                    throw new Failed(ENOENT, String.format("no method has address 0x%x", addr));
                }
                out.str(s.method().text()).u32(s.line());
            }
            case OP_METHODS -> {
                String pattern = in.str("pattern");
                in.end("METHODS");
                try {
                    Methods.list(pattern, inst, registry.sonde().symbols(), out, BODY_BUDGET);
                } catch (IllegalArgumentException e) {
                    throw new Failed(EINVAL, e.getMessage());
                }
            }
            case OP_PIN -> {
                int h = in.u32("handle");
                Entity e = handle(h, Entity.class, "any kind");
                String name = in.str("name");
                in.end("PIN");
                if (name.isEmpty()) {
                    throw new Failed(EINVAL, "a pin needs a name");
                }
                if (!registry.pin(name, e)) {
                    throw new Failed(EEXIST, "the pin name " + name + " is taken");
                }
            }
            case OP_UNPIN -> {
                String name = in.str("name");
                in.end("UNPIN");
                if (!registry.unpin(name)) {
                    throw new Failed(ENOENT, "nothing is pinned as " + name);
                }
            }
            case OP_GET_PINNED -> {
                String name = in.str("name");
                in.end("GET_PINNED");
                synchronized (registry) {
                    Entity e = registry.pinned(name);
                    if (e == null) {
                        throw new Failed(ENOENT, "nothing is pinned as " + name);
                    }
                    out.u32(open(e)).u8(e.kind);
                }
            }
            case OP_RELEASE -> {
                in.end("RELEASE");
                StartupHold.release(this);
            }
            default -> throw new Failed(EOPNOTSUPP, String.format("unknown op 0x%04x", op));
        }
        return out.toArray();
    }

    private void load(String name, byte[] bytes, Payload out) throws Failed {
        int slot = freeSlot();
        ProbeObject o;
        try {
            o = registry.sonde().open(name, bytes);
        } catch (ObjectFormatException e) {
            throw new Failed(EINVAL, name + " is not a BPF object Sonde can load: " + e.getMessage());
        } catch (LoadException e) {
            throw new Failed(EACCES, name + " does not load: " + e.getMessage());
        }
        Obj obj = registry.loaded(o);
        handles[slot] = obj;
        out.u32(slot + 1).u32(obj.id);
    }

    private static int kind(int k) throws Failed {
        if (k < KIND_OBJECT || k > KIND_LINK) {
            throw new Failed(EINVAL, "kind " + k + " is none of OBJECT 1, PROG 2, MAP 3, LINK 4");
        }
        return k;
    }

    static String kindName(int k) {
        return switch (k) {
            case KIND_OBJECT -> "object";
            case KIND_PROG -> "program";
            case KIND_MAP -> "map";
            case KIND_LINK -> "link";
            default -> "kind " + k;
        };
    }

    /** Rule 6: handle {@code h} open on this connection, of {@code type}. */
    private <T extends Entity> T handle(int h, Class<T> type, String wanted) throws Failed {
        if (h <= 0 || h > MAX_HANDLES || handles[h - 1] == null) {
            throw new Failed(EBADF, "handle " + Integer.toUnsignedString(h) + " is not open on this connection");
        }
        Entity e = handles[h - 1];
        if (!type.isInstance(e)) {
            throw new Failed(EBADF, "handle " + h + " is a " + kindName(e.kind) + ", not " + wanted);
        }
        return type.cast(e);
    }

    /** Rule 7: the lowest free handle's slot. */
    private int freeSlot() throws Failed {
        for (int i = 0; i < MAX_HANDLES; i++) {
            if (handles[i] == null) {
                return i;
            }
        }
        throw new Failed(EMFILE, MAX_HANDLES + " handles are open on this connection; close some");
    }

    /** A new handle on {@code e}, holding a reference. */
    private int open(Entity e) throws Failed {
        int slot = freeSlot();
        registry.acquire(e);
        handles[slot] = e;
        return slot + 1;
    }

    private void closeHandle(int h) {
        Entity e = handles[h - 1];
        handles[h - 1] = null;
        ShmRing m = mirrors[h - 1];
        if (m != null) {
            mirrors[h - 1] = null;
            synchronized (registry) {
                if (e instanceof MapE me && me.mirror == m) {
                    me.mirror = null;
                }
            }
            m.close();
        }
        registry.release(e);
    }

    /** The connection ended: every handle closes (in order), and the trace reader goes. */
    void close() {
        for (int h = 1; h <= MAX_HANDLES; h++) {
            if (handles[h - 1] != null) {
                try {
                    closeHandle(h);
                } catch (RuntimeException e) {
                    // one failed release must not keep the others
                }
            }
        }
        if (trace != null) {
            TraceDrainer d = TraceDrainer.running();
            if (d != null) {
                d.removeReader(trace);
            }
        }
        StartupHold.closed(this);   // after the handles: an exit waiting on it finds its links detached
    }

    private static void checkKey(BpfMap m, byte[] key) throws Failed {
        if (m instanceof RingBuf) {
            throw new Failed(EOPNOTSUPP, "map " + m.name() + " is a ring buffer: use RINGBUF_POLL or RINGBUF_SHM");
        }
        if (key.length != m.keySize()) {
            throw new Failed(EINVAL, "map " + m.name() + " takes " + m.keySize() + "-byte keys, not " + key.length);
        }
    }

    private static void status(BpfMap m, int r, String what) throws Failed {
        if (r < 0) {
            int errno = -r == 524 ? EOPNOTSUPP : -r;   // ENOTSUPP (kernel-internal) goes out as EOPNOTSUPP
            throw new Failed(errno, "map " + m.name() + ": " + what + ": " + errnoText(errno));
        }
    }

    static String errnoText(int errno) {
        return switch (errno) {
            case ENOENT -> "no such key";
            case EEXIST -> "the key exists (BPF_NOEXIST)";
            case E2BIG -> "the map is full";
            case EBADF -> "the map is closed";
            case EINVAL -> "invalid argument (flags, or an array index out of range)";
            case ENOMEM -> "out of memory";
            case EOPNOTSUPP -> "not supported by this map type";
            default -> "errno " + errno;
        };
    }

    private static void dump(BpfMap m, int max, Payload out) throws Failed {
        if (m instanceof RingBuf) {
            throw new Failed(EOPNOTSUPP, "map " + m.name() + " is a ring buffer: it has no keys to dump");
        }
        Payload entries = new Payload();
        int n = 0;
        byte[] key = null;
        int budget = BODY_BUDGET;
        // A hash map that changes under the walk may restart it (a deleted key's successor is the
        // first key, as in Linux): the walk is bounded by twice the map's capacity.
        long steps = 2L * m.maxEntries() + 16;
        try {
            while (n < max && steps-- > 0) {
                byte[] next = m.nextKey(key);
                if (next == null) {
                    break;
                }
                key = next;
                byte[] v = m.lookup(next);
                if (v == null) {
                    continue;   // deleted between get_next_key and lookup
                }
                if (entries.size() + 8 + next.length + v.length > budget) {
                    break;
                }
                entries.blob(next).blob(v);
                n++;
            }
        } catch (MapException e) {
            throw new Failed(EINVAL, "map " + m.name() + ": " + e.getMessage());
        }
        if (m.isClosed()) {
            throw new Failed(EBADF, "map " + m.name() + " is closed");
        }
        out.u32(n).bytes(entries.toArray());
    }

    private String dumpJson(String name) throws Failed {
        List<ProbeObject> objects = registry.sonde().objects();
        if (name.isEmpty()) {
            return MapDump.json(objects);
        }
        List<String> maps = new ArrayList<>();
        for (ProbeObject o : objects) {
            for (BpfMap m : o.maps()) {
                if (name.equals(m.name())) {
                    maps.add(MapDump.map(o.name(), m));
                }
            }
        }
        if (maps.isEmpty()) {
            throw new Failed(ENOENT, "no map named " + name);
        }
        return "{\"maps\":[\n" + String.join(",\n", maps) + "\n],\n\"programs\":[]}\n";
    }

    private RingBuf ring(MapE m) throws Failed {
        if (!(m.map instanceof RingBuf r)) {
            throw new Failed(EINVAL, "map " + m.map.name() + " is a " + m.map.type().bpftoolName + ", not a ringbuf");
        }
        if (r.isClosed()) {
            throw new Failed(EBADF, "map " + r.name() + " is closed");
        }
        return r;
    }

    private void poll(MapE m, RingBuf r, int max, long timeoutMs, Payload out) throws Failed {
        synchronized (registry) {
            if (m.mirror != null) {
                throw new Failed(EBUSY, "ring buffer " + r.name() + " is mirrored to " + m.mirror.path() + "; read it there");
            }
        }
        Payload records = new Payload();
        int[] n = {0};
        // A record is at most the ring's size (or what fits a frame); stop before one could overflow it.
        int biggest = Math.min(r.dataSize(), BODY_BUDGET / 2);
        RingBuf.Handler h = (buf, off, len) -> {
            records.u32(len).bytes(java.util.Arrays.copyOfRange(buf, off, off + len));
            n[0]++;
            return 0;
        };
        r.poll(h, 1, TimeUnit.MILLISECONDS.toNanos(timeoutMs));
        while (n[0] > 0 && n[0] < max && BODY_BUDGET - records.size() >= biggest + 4) {
            if (r.poll(h, 1) <= 0) {
                break;
            }
        }
        out.u32(n[0]).u64(r.drops()).bytes(records.toArray());
    }

    private void traceRead(int max, long timeoutMs, Payload out) throws Failed {
        if (trace == null) {
            TraceDrainer d = TraceDrainer.running();
            if (d == null) {
                throw new Failed(ENOENT, "no trace pipe in this JVM");
            }
            trace = new ArrayBlockingQueue<>(65536);
            d.addReader(trace);
        }
        List<String> lines = new ArrayList<>();
        try {
            String first = trace.poll(timeoutMs, TimeUnit.MILLISECONDS);
            if (first != null) {
                lines.add(first);
                int size = first.length() * 3;
                while (lines.size() < max && size < BODY_BUDGET / 2) {
                    String l = trace.poll();
                    if (l == null) {
                        break;
                    }
                    lines.add(l);
                    size += l.length() * 3 + 2;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        out.u32(lines.size());
        lines.forEach(out::str);
    }

    private static String version() {
        String v = ControlConnection.class.getPackage().getImplementationVersion();
        return v != null ? v : "0.1.0";
    }
}

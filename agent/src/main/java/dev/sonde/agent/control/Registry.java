package dev.sonde.agent.control;

import dev.sonde.bpf.elf.SecName;
import dev.sonde.bpf.map.BpfMap;
import dev.sonde.bpf.object.LoadedProgram;
import dev.sonde.probe.control.AttachException;
import dev.sonde.probe.control.AttachOptions;
import dev.sonde.probe.control.LinkStats;
import dev.sonde.probe.control.ProbeLink;
import dev.sonde.probe.control.ProbeObject;
import dev.sonde.probe.control.Sonde;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The JVM's ids and references for the control socket: every object, program, map and link of the
 * JVM's Sonde gets an id (per kind, from 1, never reused) the first time the socket sees it, and
 * the socket's handles and pins hold references on them as file descriptors and bpffs pins do.
 *
 * <ol>
 * <li>An object's references: the handles on it, its programs and its maps; the pins on any of
 *     them; each of its links that a client attached and that is still attached. An object the
 *     socket loaded is closed when the count reaches 0. An object of an agent session (start-up or
 *     {@code sonde attach}) is never closed here: the session holds it.</li>
 * <li>A link's references: the handles and the pin on it. A link a client attached is detached when
 *     the count reaches 0; a link of an agent session is detached only by DETACH.</li>
 * </ol>
 *
 * <p>Assumptions: called by connection threads at request rate. Every method takes this registry's
 * lock, so a count and the close it causes are one step; detaching and closing run under it (each
 * waits one grace period: probes never take this lock, so the wait ends). Guarantees: an id names
 * one thing for the JVM's life; a count never goes below 0 (a release without its acquire is a bug
 * that throws).
 */
final class Registry {
    /** Something a handle or a pin can refer to. */
    abstract static sealed class Entity permits Obj, Prog, MapE, LinkE {
        final int id;
        final int kind;

        Entity(int id, int kind) {
            this.id = id;
            this.kind = kind;
        }

        abstract Obj owner();
    }

    static final class Obj extends Entity {
        final ProbeObject object;
        final boolean socketLoaded;
        final List<Prog> progs = new ArrayList<>();
        final List<MapE> maps = new ArrayList<>();
        int refs;
        boolean closed;

        Obj(int id, ProbeObject object, boolean socketLoaded) {
            super(id, ControlProtocol.KIND_OBJECT);
            this.object = object;
            this.socketLoaded = socketLoaded;
        }

        @Override
        Obj owner() {
            return this;
        }
    }

    static final class Prog extends Entity {
        final Obj obj;
        final LoadedProgram program;

        Prog(int id, Obj obj, LoadedProgram program) {
            super(id, ControlProtocol.KIND_PROG);
            this.obj = obj;
            this.program = program;
        }

        @Override
        Obj owner() {
            return obj;
        }
    }

    static final class MapE extends Entity {
        final Obj obj;
        final BpfMap map;
        /** The shared-memory mirror of a ring buffer, or null; guarded by the registry. */
        ShmRing mirror;

        MapE(int id, Obj obj, BpfMap map) {
            super(id, ControlProtocol.KIND_MAP);
            this.obj = obj;
            this.map = map;
        }

        @Override
        Obj owner() {
            return obj;
        }
    }

    static final class LinkE extends Entity {
        final Obj obj;
        final Prog prog;
        final ProbeLink link;
        final boolean socketAttached;
        int refs;
        /** Detached through the socket (or its last reference went); a client's link gave back its object reference. */
        boolean detached;
        String pin = "";

        LinkE(int id, Obj obj, Prog prog, ProbeLink link, boolean socketAttached) {
            super(id, ControlProtocol.KIND_LINK);
            this.obj = obj;
            this.prog = prog;
            this.link = link;
            this.socketAttached = socketAttached;
        }

        @Override
        Obj owner() {
            return obj;
        }
    }

    private final Sonde sonde;
    private final int[] nextId = {0, 1, 1, 1, 1};
    private final Map<ProbeObject, Obj> objects = new IdentityHashMap<>();
    private final Map<ProbeLink, LinkE> links = new IdentityHashMap<>();
    /** By kind, then id: what is alive or still referenced. */
    private final List<Map<Integer, Entity>> byId = List.of(Map.of(), new TreeMap<>(), new TreeMap<>(), new TreeMap<>(), new TreeMap<>());
    private final Map<String, Entity> pins = new HashMap<>();

    Registry(Sonde sonde) {
        this.sonde = sonde;
    }

    Sonde sonde() {
        return sonde;
    }

    /** Gives ids to what Sonde has that the socket has not seen, and forgets what is gone and unreferenced. */
    synchronized void refresh() {
        List<ProbeObject> live = sonde.objects();
        Set<ProbeObject> alive = Collections.newSetFromMap(new IdentityHashMap<>());
        alive.addAll(live);
        for (ProbeObject o : live) {
            Obj obj = objects.get(o);
            if (obj == null) {
                obj = add(o, false);
            }
            for (ProbeLink l : o.links()) {
                // A link first seen detached needs no id (ProbeObject keeps its detached links).
                if (l.isOpen() && !links.containsKey(l)) {
                    addLink(obj, l, false);
                }
            }
        }
        for (Obj obj : List.copyOf(objects.values())) {
            if (!alive.contains(obj.object)) {
                obj.closed = true;   // closed by its session (its duration ended), or by Sonde.close
                if (obj.refs == 0) {
                    forget(obj);
                }
            }
        }
    }

    private Obj add(ProbeObject o, boolean socketLoaded) {
        Obj obj = new Obj(nextId[ControlProtocol.KIND_OBJECT]++, o, socketLoaded);
        objects.put(o, obj);
        byId.get(ControlProtocol.KIND_OBJECT).put(obj.id, obj);
        for (LoadedProgram p : o.programs()) {
            Prog prog = new Prog(nextId[ControlProtocol.KIND_PROG]++, obj, p);
            obj.progs.add(prog);
            byId.get(ControlProtocol.KIND_PROG).put(prog.id, prog);
        }
        for (BpfMap m : o.maps()) {
            MapE map = new MapE(nextId[ControlProtocol.KIND_MAP]++, obj, m);
            obj.maps.add(map);
            byId.get(ControlProtocol.KIND_MAP).put(map.id, map);
        }
        return obj;
    }

    private LinkE addLink(Obj obj, ProbeLink l, boolean socketAttached) {
        Prog prog = obj.progs.stream().filter(p -> p.program.name().equals(l.programName())).findFirst().orElse(null);
        LinkE link = new LinkE(nextId[ControlProtocol.KIND_LINK]++, obj, prog, l, socketAttached);
        links.put(l, link);
        byId.get(ControlProtocol.KIND_LINK).put(link.id, link);
        return link;
    }

    private void forget(Obj obj) {
        objects.remove(obj.object);
        byId.get(ControlProtocol.KIND_OBJECT).remove(obj.id);
        obj.progs.forEach(p -> byId.get(ControlProtocol.KIND_PROG).remove(p.id));
        obj.maps.forEach(m -> byId.get(ControlProtocol.KIND_MAP).remove(m.id));
        links.values().removeIf(l -> {
            if (l.obj == obj && l.refs == 0) {
                byId.get(ControlProtocol.KIND_LINK).remove(l.id);
                return true;
            }
            return false;
        });
    }

    /** Registers an object the socket just loaded; the caller's handle is its first reference. */
    synchronized Obj loaded(ProbeObject o) {
        Obj obj = add(o, true);
        obj.refs++;
        return obj;
    }

    /**
     * Attaches a program of {@code prog}'s object; the caller's handle is the link's first
     * reference, and the link holds one on its object while it is attached.
     */
    synchronized LinkE attach(Prog prog, long cookie, boolean pending, String target) throws AttachException {
        if (prog.obj.closed) {
            throw new IllegalStateException("object " + prog.obj.object.name() + " is closed");
        }
        AttachOptions options = AttachOptions.DEFAULT.withCookie(cookie).withPending(pending)
            .withTarget(target.isEmpty() ? null : target);
        ProbeLink l = prog.obj.object.attach(prog.program.name(), options);
        LinkE link = addLink(prog.obj, l, true);
        link.refs++;
        prog.obj.refs++;
        return link;
    }

    /** The entity of {@code kind} with {@code id} (after a refresh), or null. */
    synchronized Entity byId(int kind, int id) {
        refresh();
        return kind >= 1 && kind <= 4 ? byId.get(kind).get(id) : null;
    }

    /** What LIST shows of a kind: the objects, programs and maps of live objects; the attached links. */
    synchronized List<Entity> list(int kind) {
        refresh();
        List<Entity> out = new ArrayList<>();
        for (Entity e : byId.get(kind).values()) {
            if (e instanceof LinkE l ? l.link.isOpen() : !e.owner().closed) {
                out.add(e);
            }
        }
        return out;
    }

    synchronized void acquire(Entity e) {
        if (e instanceof LinkE l) {
            l.refs++;
        } else {
            e.owner().refs++;
        }
    }

    synchronized void release(Entity e) {
        if (e instanceof LinkE l) {
            if (--l.refs < 0) {
                throw new IllegalStateException("link " + l.id + " released more often than acquired");
            }
            if (l.refs == 0 && l.socketAttached) {
                detach(l);
            }
            if (l.refs == 0 && l.detached) {
                links.remove(l.link);
                byId.get(ControlProtocol.KIND_LINK).remove(l.id);
            }
        } else {
            Obj obj = e.owner();
            if (--obj.refs < 0) {
                throw new IllegalStateException("object " + obj.id + " released more often than acquired");
            }
            maybeClose(obj);
        }
    }

    /** Detaches now (one grace period); a client's link then gives back its object reference. Idempotent. */
    synchronized void detach(LinkE l) {
        if (l.detached) {
            return;
        }
        l.detached = true;
        l.link.close();
        if (l.socketAttached) {
            l.obj.refs--;
            maybeClose(l.obj);
        }
    }

    private void maybeClose(Obj obj) {
        if (obj.refs != 0) {
            return;
        }
        if (obj.socketLoaded && !obj.closed) {
            obj.closed = true;
            for (MapE m : obj.maps) {
                if (m.mirror != null) {
                    m.mirror.close();
                    m.mirror = null;
                }
            }
            obj.object.close();
        }
        if (obj.closed) {
            forget(obj);
        }
    }

    /** Pins {@code e} under {@code name}; false when the name is taken. */
    synchronized boolean pin(String name, Entity e) {
        if (pins.containsKey(name)) {
            return false;
        }
        pins.put(name, e);
        acquire(e);
        if (e instanceof LinkE l) {
            l.pin = name;
        }
        return true;
    }

    /** Removes a pin, releasing its reference; false when nothing is pinned under that name. */
    synchronized boolean unpin(String name) {
        Entity e = pins.remove(name);
        if (e == null) {
            return false;
        }
        if (e instanceof LinkE l) {
            l.pin = "";
        }
        release(e);
        return true;
    }

    synchronized Entity pinned(String name) {
        return pins.get(name);
    }

    /** The counters of a link, a program (its links), an object (its links), or the whole JVM (null). */
    synchronized LinkStats stats(Entity e) {
        if (e instanceof LinkE l) {
            return l.link.stats();
        }
        LinkStats s = LinkStats.ZERO;
        List<ProbeObject> scope = e == null ? sonde.objects() : List.of(e.owner().object);
        for (ProbeObject o : scope) {
            for (ProbeLink l : o.links()) {
                if (!(e instanceof Prog p) || l.programName().equals(p.program.name())) {
                    s = s.plus(l.stats());
                }
            }
        }
        return s;
    }

    /** A program's type as PROG entries give it. */
    static int progType(LoadedProgram p) {
        SecName s = p.secName();
        switch (s.type()) {
            case KPROBE:
            case KPROBE_MULTI:
                return s.isReturn() ? ControlProtocol.PROG_TYPE_KRETPROBE : ControlProtocol.PROG_TYPE_KPROBE;
            case TIMER:
                return ControlProtocol.PROG_TYPE_TIMER;
            default:
                return ControlProtocol.PROG_TYPE_OTHER;
        }
    }

    /** One entry of LIST/INFO, laid out as ControlProtocol's diagram says. */
    synchronized void entry(Entity e, ControlProtocol.Payload out) {
        if (e instanceof Obj o) {
            out.u32(o.id).str(o.object.name()).u16(o.progs.size()).u16(o.maps.size()).u32(o.refs + (o.socketLoaded ? 0 : 1));
        } else if (e instanceof Prog p) {
            out.u32(p.id).u32(p.obj.id).str(p.program.name()).str(p.program.section()).u8(progType(p.program))
                .u32(p.program.program().insns().length);
            stats(stats(p), out);
        } else if (e instanceof MapE m) {
            out.u32(m.id).u32(m.obj.id).str(m.map.name()).u32(m.map.type().id).u32(m.map.keySize())
                .u32(m.map.valueSize()).u32(m.map.maxEntries()).u32(m.map.flags());
        } else {
            LinkE l = (LinkE) e;
            out.u32(l.id).u32(l.prog == null ? 0 : l.prog.id).str(l.link.target().secName()).u64(l.link.cookie())
                .u32(l.link.methods().size()).u8(l.link.isOpen() ? 1 : 0).str(l.pin);
            stats(l.link.stats(), out);
        }
    }

    static void stats(LinkStats s, ControlProtocol.Payload out) {
        out.u64(s.runCount()).u64(s.runTimeNs()).u64(s.nmissed()).u64(s.faults());
    }
}

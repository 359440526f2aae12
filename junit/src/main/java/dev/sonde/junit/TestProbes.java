package dev.sonde.junit;

import dev.sonde.bpf.map.BpfMap;
import dev.sonde.bpf.map.RingBuf;
import dev.sonde.probe.control.LinkStats;
import dev.sonde.probe.control.ProbeLink;
import dev.sonde.probe.control.ProbeObject;
import dev.sonde.probe.control.Sonde;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * The probes of one test: the objects its {@link Probes} opened, the links attached, and typed
 * views of their maps. Names are a map's or program's name, or {@code "object.bpf.o:name"} when two
 * objects share it. Closing detaches every link (each with its grace period: when close returns,
 * no program of the test runs any more) and releases the objects' maps; it is idempotent.
 *
 * <p>Not thread-safe: the test thread uses it (views may be read from any thread).
 */
public final class TestProbes implements AutoCloseable {
    private final Sonde sonde;
    private final List<ProbeObject> objects = new ArrayList<>();
    private final List<ProbeLink> links = new ArrayList<>();
    private final Map<String, EventStream<?>> streams = new HashMap<>();
    private final TraceLines trace;
    private boolean closed;

    TestProbes(Sonde sonde) {
        this.sonde = sonde;
        this.trace = new TraceLines(sonde.trace());
    }

    /** Opens an object and attaches the named programs (all when none); all or nothing. */
    ProbeObject open(String name, byte[] bytes, String... programs) throws Exception {
        ProbeObject o = sonde.open(name, bytes);
        objects.add(o);
        if (programs.length == 0) {
            links.addAll(o.attachAll());
        } else {
            for (String p : programs) {
                links.add(o.attach(p));
            }
        }
        return o;
    }

    public Sonde sonde() {
        return sonde;
    }

    public List<ProbeObject> objects() {
        return List.copyOf(objects);
    }

    /** The one object of the test, or the one named {@code name}. */
    public ProbeObject object(String name) {
        for (ProbeObject o : objects) {
            if (o.name().equals(name) || name.isEmpty() && objects.size() == 1) {
                return o;
            }
        }
        throw new NoSuchElementException(name.isEmpty()
            ? "the test has " + objects.size() + " probe objects: name one " + names()
            : "no probe object " + name + " in this test " + names());
    }

    public List<ProbeLink> links() {
        return List.copyOf(links);
    }

    /** The link of program {@code name}. */
    public ProbeLink link(String name) {
        String[] on = split(name);
        ProbeLink found = null;
        for (ProbeObject o : objects) {
            if (on[0] != null && !o.name().equals(on[0])) {
                continue;
            }
            for (ProbeLink l : o.links()) {
                if (l.programName().equals(on[1]) && links.contains(l)) {
                    if (found != null) {
                        throw new IllegalArgumentException("two objects attach a program " + on[1]
                            + ": write \"object.bpf.o:" + on[1] + "\"");
                    }
                    found = l;
                }
            }
        }
        if (found == null) {
            throw new NoSuchElementException("no attached program " + name + " in " + names()
                + "; attached: " + links.stream().map(ProbeLink::programName).toList());
        }
        return found;
    }

    /** The statistics of program {@code name}'s link. */
    public LinkStats stats(String program) {
        return link(program).stats();
    }

    /** The statistics of every link of the test, summed. */
    public LinkStats stats() {
        LinkStats s = LinkStats.ZERO;
        for (ProbeLink l : links) {
            s = s.plus(l.stats());
        }
        return s;
    }

    public BpfMap map(String name) {
        String[] on = split(name);
        BpfMap found = null;
        for (ProbeObject o : objects) {
            if (on[0] != null && !o.name().equals(on[0])) {
                continue;
            }
            BpfMap m = o.map(on[1]).orElse(null);
            if (m != null) {
                if (found != null) {
                    throw new IllegalArgumentException("two objects have a map " + on[1]
                        + ": write \"object.bpf.o:" + on[1] + "\"");
                }
                found = m;
            }
        }
        if (found == null) {
            throw new NoSuchElementException("no map " + name + " in " + names());
        }
        return found;
    }

    public LongCounters counters(String map) {
        return new LongCounters(map(map));
    }

    public <K, V> RecordMap<K, V> records(String map, Class<K> key, Class<V> value) {
        return RecordMap.of(map(map), key, value);
    }

    /** The stream of ring buffer {@code ring}; one per ring and test, so every call gets the same one. */
    @SuppressWarnings("unchecked")
    public <E> EventStream<E> events(String ring, Class<E> type) {
        BpfMap m = map(ring);
        if (!(m instanceof RingBuf)) {
            throw new IllegalArgumentException(m + " is not a ring buffer");
        }
        Codec<E> codec = Codec.of(type);
        String key = ring + "/" + System.identityHashCode(m);
        EventStream<?> s = streams.get(key);
        if (s == null) {
            s = new EventStream<>((RingBuf) m, codec);
            streams.put(key, s);
        } else if (s.codec() != codec) {
            throw new IllegalArgumentException("ring " + ring + " is already read as " + s.codec()
                + "; one stream per ring and test");
        }
        return (EventStream<E>) s;
    }

    /** The edges of ring {@code ring}: {@code events(ring, Edge.class)}. */
    public EventStream<Edge> edges(String ring) {
        return events(ring, Edge.class);
    }

    public TraceLines trace() {
        return trace;
    }

    public boolean isClosed() {
        return closed;
    }

    /**
     * Detaches the links (each waits for the grace period), then closes the objects. Every step
     * is tried; the first failure is rethrown with the others suppressed.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        RuntimeException failure = null;
        for (ProbeLink l : links) {
            try {
                l.close();
            } catch (RuntimeException e) {
                failure = add(failure, e);
            }
        }
        for (ProbeObject o : objects) {
            try {
                o.close();
            } catch (RuntimeException e) {
                failure = add(failure, e);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private static RuntimeException add(RuntimeException first, RuntimeException e) {
        if (first == null) {
            return e;
        }
        first.addSuppressed(e);
        return first;
    }

    private List<String> names() {
        return objects.stream().map(ProbeObject::name).toList();
    }

    /** {"object", "name"} for "object:name", {null, "name"} for "name". */
    private static String[] split(String name) {
        int c = name.indexOf(':');
        return c < 0 ? new String[] {null, name} : new String[] {name.substring(0, c), name.substring(c + 1)};
    }

    @Override
    public String toString() {
        return "TestProbes" + names() + " links " + links;
    }
}

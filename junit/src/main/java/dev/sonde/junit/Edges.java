package dev.sonde.junit;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Failure-message formatting of events: edges relative to the first one, with thread names. */
final class Edges {
    private Edges() {
    }

    /** Up to {@code max} events, one per line, each prefixed by a newline and two spaces. */
    static String list(Collection<?> events, int max) {
        long t0 = origin(events);
        Map<Long, String> names = threadNames();
        StringBuilder sb = new StringBuilder();
        int n = 0;
        for (Object e : events) {
            if (n++ == max) {
                sb.append("\n  … ").append(events.size() - max).append(" more");
                break;
            }
            sb.append("\n  ").append(e instanceof Edge ? format((Edge) e, t0, names) : String.valueOf(e));
        }
        return sb.toString();
    }

    static long origin(Collection<?> events) {
        long t0 = Long.MAX_VALUE;
        for (Object e : events) {
            if (e instanceof Edge && ((Edge) e).ns() < t0) {
                t0 = ((Edge) e).ns();
            }
        }
        return t0 == Long.MAX_VALUE ? 0 : t0;
    }

    /** {@code +12.345us T17 "racer-1" enter site 1 key 0}. */
    static String format(Edge e, long t0, Map<Long, String> names) {
        return String.format("%s %s %s site %d key %d", time(e.ns(), t0), thread(e.threadId(), names), e.kindName(),
            e.site(), e.key());
    }

    /** Remembers the edges' thread names (comm) for {@link #thread}. */
    static void seen(Edge e) {
        if (!e.comm().isEmpty()) {
            SEEN.putIfAbsent(e.threadId(), e.comm());
        } else {
            seen(e.threadId());
        }
    }

    static String time(long ns, long t0) {
        return String.format("+%.3fus", (ns - t0) / 1000.0);
    }

    static String thread(long id, Map<Long, String> names) {
        String name = names.get(id);
        return name == null || name.isEmpty() ? "T" + id : "T" + id + " \"" + name + "\"";
    }

    /**
     * Thread names by id: the live threads', and those {@link #seen} recorded while they lived
     * (racing threads have usually ended when a message is written).
     */
    static Map<Long, String> threadNames() {
        Map<Long, String> names = new HashMap<>(SEEN);
        names.putAll(live());
        return names;
    }

    /** Remembers the name of thread {@code id} if it is alive and not yet known: called per decoded edge. */
    static void seen(long id) {
        if (!SEEN.containsKey(id)) {
            SEEN.putAll(live());
            // Java thread ids are never reused, so a name once seen stays right.
            SEEN.putIfAbsent(id, "");
        }
    }

    @SuppressWarnings("deprecation")   // Thread.getId: threadId() is JDK 19+
    private static Map<Long, String> live() {
        Map<Long, String> names = new HashMap<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            names.put(t.getId(), t.getName());
        }
        return names;
    }

    private static final Map<Long, String> SEEN = new ConcurrentHashMap<>();

    static <E> List<E> firstOf(List<E> l, int n) {
        return l.size() <= n ? l : l.subList(0, n);
    }
}

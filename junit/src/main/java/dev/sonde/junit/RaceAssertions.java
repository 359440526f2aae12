package dev.sonde.junit;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;

/**
 * Assertions over the events probes recorded, in the style of JUnit's {@code Assertions}: each
 * throws {@link AssertionError} whose message shows the offending events (times relative to the
 * first event, thread ids and names, kind, site, key).
 *
 * <p>Timestamps come from {@code bpf_ktime_get_ns}, i.e. {@code System.nanoTime}, one clock for
 * every thread. An entry probe stamps before the method body and a return probe after it, so a
 * measured stay contains the real one: for sections whose probes fire inside the lock that guards
 * them (a {@code synchronized} method, or a method called with the lock held) a correct program
 * shows no overlap, and a stay that overlaps another thread's really did run at the same time
 * unless both ends fall in the few instructions between stamp and body.
 */
public final class RaceAssertions {
    private static final int SHOWN = 12;

    private RaceAssertions() {
    }

    // ---- intervals ----------------------------------------------------------------------------

    /**
     * Pairs each thread's entries and exits per (site, key) into stays, in time order; nested
     * entries of one thread pair innermost first. Exits without an entry (the probe attached while
     * the thread was inside) are ignored.
     */
    public static List<Interval> intervals(Collection<Edge> edges) {
        List<Edge> sorted = byTime(edges);
        Map<List<Long>, Deque<Edge>> open = new HashMap<>();
        List<Interval> out = new ArrayList<>();
        for (Edge e : sorted) {
            if (e.kind() != Edge.ENTER && e.kind() != Edge.EXIT) {
                continue;
            }
            List<Long> k = List.of(e.threadId(), (long) e.site(), e.key());
            Deque<Edge> stack = open.computeIfAbsent(k, x -> new ArrayDeque<>());
            if (e.isEnter()) {
                stack.push(e);
            } else if (!stack.isEmpty()) {
                out.add(new Interval(stack.pop(), e));
            }
        }
        for (Deque<Edge> stack : open.values()) {
            stack.forEach(e -> out.add(new Interval(e, null)));
        }
        out.sort(Comparator.comparingLong(Interval::start));
        return out;
    }

    /** Pairs of stays of different threads in the same (site, key) that share a moment, earliest first. */
    public static List<Overlap> overlaps(Collection<Edge> edges) {
        List<Overlap> out = new ArrayList<>();
        Map<List<Long>, List<Interval>> active = new HashMap<>();
        for (Interval i : intervals(edges)) {
            List<Interval> here = active.computeIfAbsent(List.of((long) i.site(), i.key()), x -> new ArrayList<>());
            here.removeIf(a -> a.end() <= i.start());
            for (Interval a : here) {
                if (a.threadId() != i.threadId()) {
                    out.add(new Overlap(a, i));
                }
            }
            here.add(i);
        }
        return out;
    }

    // ---- mutual exclusion ---------------------------------------------------------------------

    /**
     * No two threads were ever inside the same section (same site and key) at once. Fails with the
     * first overlapping stays, the most threads seen inside together, and the events around them.
     */
    public static void assertNoOverlap(Collection<Edge> edges) {
        assertNoOverlap(edges, null);
    }

    /** {@link #assertNoOverlap(Collection)} on everything the stream received; a dropped record fails too. */
    public static void assertNoOverlap(EventStream<Edge> stream) {
        List<Edge> edges = stream.events();
        if (stream.drops() > 0) {
            throw new AssertionError("ring " + stream.name() + " dropped " + stream.drops()
                + " records: the edges are incomplete, mutual exclusion cannot be shown");
        }
        assertNoOverlap(edges, stream.name());
    }

    private static void assertNoOverlap(Collection<Edge> edges, String ring) {
        List<Overlap> pairs = overlaps(edges);
        if (pairs.isEmpty()) {
            return;
        }
        Interval a = pairs.get(0).first();
        Interval b = pairs.get(0).second();
        long t0 = Edges.origin(edges);
        Map<Long, String> names = Edges.threadNames();
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("threads %s and %s were inside site %d key %d at the same time",
            Edges.thread(a.threadId(), names), Edges.thread(b.threadId(), names), a.site(), a.key()));
        sb.append(String.format(" (%d overlapping pairs, up to %d threads inside at once, %d stays%s)",
            pairs.size(), mostInside(edges, a.site(), a.key()), intervals(edges).size(),
            ring == null ? "" : " from ring " + ring));
        sb.append("\n first overlap:");
        sb.append("\n  ").append(stay(a, t0, names));
        sb.append("\n  ").append(stay(b, t0, names));
        sb.append("\n events from the first entry to the last exit of the two:");
        long from = Math.min(a.start(), b.start());
        long to = Math.max(a.end(), b.end());
        List<Edge> around = new ArrayList<>();
        for (Edge e : byTime(edges)) {
            if (e.ns() >= from && e.ns() <= to && e.site() == a.site() && e.key() == a.key()) {
                around.add(e);
            }
        }
        for (Edge e : Edges.firstOf(around, SHOWN)) {
            sb.append("\n  ").append(Edges.format(e, t0, names));
        }
        if (around.size() > SHOWN) {
            sb.append("\n  … ").append(around.size() - SHOWN).append(" more");
        }
        throw new AssertionError(sb.toString());
    }

    /** The most threads inside (site, key) at one moment. */
    public static int mostInside(Collection<Edge> edges, int site, long key) {
        List<long[]> points = new ArrayList<>();
        for (Interval i : intervals(edges)) {
            if (i.site() == site && i.key() == key) {
                points.add(new long[] {i.start(), 1});
                points.add(new long[] {i.end(), -1});
            }
        }
        // Ends before starts at the same instant: touching stays do not overlap.
        points.sort(Comparator.<long[]>comparingLong(p -> p[0]).thenComparingLong(p -> p[1]));
        int inside = 0;
        int most = 0;
        for (long[] p : points) {
            inside += (int) p[1];
            most = Math.max(most, inside);
        }
        return most;
    }

    private static String stay(Interval i, long t0, Map<Long, String> names) {
        return String.format("%s inside [%s, %s]", Edges.thread(i.threadId(), names), Edges.time(i.start(), t0),
            i.exit() == null ? "still inside" : Edges.time(i.end(), t0));
    }

    // ---- order --------------------------------------------------------------------------------

    /**
     * Every thread's edges, in time order, spell {@code cycle} (as {@link Edge#step}: "enter 1",
     * "exit 1", …) repeated a whole number of times.
     */
    public static void assertPerThreadOrder(Collection<Edge> edges, String... cycle) {
        assertPerThreadOrder(byTime(edges), Edge::threadId, Edge::step, List.of(cycle));
    }

    /**
     * Every thread's events, in the given order, have labels that spell {@code cycle} repeated a
     * whole number of times. Fails naming the thread, the position, what was expected there and the
     * thread's events.
     */
    public static <E> void assertPerThreadOrder(List<E> events, ToLongFunction<? super E> thread,
            Function<? super E, ?> label, List<?> cycle) {
        if (cycle.isEmpty()) {
            throw new IllegalArgumentException("an empty cycle");
        }
        Map<Long, List<E>> perThread = new TreeMap<>();
        for (E e : events) {
            perThread.computeIfAbsent(thread.applyAsLong(e), x -> new ArrayList<>()).add(e);
        }
        for (Map.Entry<Long, List<E>> t : perThread.entrySet()) {
            List<E> mine = t.getValue();
            for (int i = 0; i <= mine.size(); i++) {
                Object want = cycle.get(i % cycle.size());
                boolean atEnd = i == mine.size();
                if (atEnd && i % cycle.size() == 0) {
                    break;
                }
                Object got = atEnd ? "(no more events)" : label.apply(mine.get(i));
                if (!Objects.equals(want, got)) {
                    throw new AssertionError(String.format("thread %s: event %d is %s, expected %s (cycle %s); its events:%s",
                        Edges.thread(t.getKey(), Edges.threadNames()), i, got, want, cycle,
                        Edges.list(window(mine, i), SHOWN)));
                }
            }
        }
    }

    private static <E> List<E> window(List<E> l, int at) {
        int from = Math.max(0, at - SHOWN / 2);
        return l.subList(from, Math.min(l.size(), from + SHOWN));
    }

    /**
     * For every item (the edges' key), each edge at {@code afterSite} comes after an edge at
     * {@code beforeSite} of the same item: e.g. every consume after its produce. Items with edges
     * at {@code beforeSite} only are fine (not consumed yet).
     */
    public static void assertHappensBefore(Collection<Edge> edges, int beforeSite, int afterSite) {
        assertHappensBefore(byTime(edges), e -> e.site() == beforeSite, e -> e.site() == afterSite, Edge::key, Edge::ns,
            "site " + beforeSite, "site " + afterSite);
    }

    /**
     * For every item, each event matching {@code after} is later (by {@code time}) than the first
     * event of that item matching {@code before}. Fails listing the first offending items and their
     * events.
     */
    public static <E> void assertHappensBefore(Collection<E> events, Predicate<? super E> before,
            Predicate<? super E> after, ToLongFunction<? super E> item, ToLongFunction<? super E> time,
            String beforeName, String afterName) {
        Map<Long, List<E>> perItem = new LinkedHashMap<>();
        for (E e : events) {
            if (before.test(e) || after.test(e)) {
                perItem.computeIfAbsent(item.applyAsLong(e), x -> new ArrayList<>()).add(e);
            }
        }
        List<String> bad = new ArrayList<>();
        int checked = 0;
        for (Map.Entry<Long, List<E>> it : perItem.entrySet()) {
            long first = Long.MAX_VALUE;
            for (E e : it.getValue()) {
                if (before.test(e)) {
                    first = Math.min(first, time.applyAsLong(e));
                }
            }
            for (E e : it.getValue()) {
                if (after.test(e)) {
                    checked++;
                    if (time.applyAsLong(e) <= first) {
                        bad.add(String.format("item %d: %s %s:%s", it.getKey(), afterName,
                            first == Long.MAX_VALUE ? "without any " + beforeName : "before its " + beforeName,
                            Edges.list(it.getValue(), SHOWN).replace("\n  ", "\n    ")));
                        break;
                    }
                }
            }
        }
        if (!bad.isEmpty()) {
            StringBuilder sb = new StringBuilder(String.format("%d of %d items have a %s that does not follow its %s",
                bad.size(), perItem.size(), afterName, beforeName));
            for (String b : Edges.firstOf(bad, 5)) {
                sb.append("\n  ").append(b);
            }
            if (bad.size() > 5) {
                sb.append("\n  … ").append(bad.size() - 5).append(" more items");
            }
            throw new AssertionError(sb.append("\n (").append(checked).append(" ").append(afterName)
                .append(" events checked)").toString());
        }
    }

    private static List<Edge> byTime(Collection<Edge> edges) {
        List<Edge> sorted = new ArrayList<>(edges);
        sorted.sort(Comparator.comparingLong(Edge::ns));
        return sorted;
    }
}

package dev.sonde.junit;

import dev.sonde.bpf.map.RingBuf;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import org.awaitility.core.ConditionTimeoutException;

/**
 * The records of a ring buffer, decoded as {@code E} and kept: every read first drains what the
 * probes have committed since, in the ring's (reservation) order, then answers from everything
 * received during the test. One stream per ring and test; it is the ring's only consumer.
 *
 * <p>Records are read on the calling thread (a test thread, never one inside a probe). A record
 * shorter than {@code E}'s layout fails the read, naming both sizes.
 */
public final class EventStream<E> {
    private final RingBuf ring;
    private final Codec<E> codec;
    private final List<E> events = new ArrayList<>();
    private final RingBuf.Handler collect;

    EventStream(RingBuf ring, Codec<E> codec) {
        this.ring = ring;
        this.codec = codec;
        this.collect = (buf, off, len) -> {
            E e = codec.decode(buf, off, len);
            if (e instanceof Edge) {
                Edges.seen((Edge) e);
            }
            events.add(e);
            return 0;
        };
    }

    public static <E> EventStream<E> of(RingBuf ring, Class<E> type) {
        return new EventStream<>(ring, Codec.of(type));
    }

    Codec<E> codec() {
        return codec;
    }

    public String name() {
        return ring.name();
    }

    public RingBuf ring() {
        return ring;
    }

    /** Drains the ring; returns how many records were new. */
    public synchronized int poll() {
        int n = 0;
        int got;
        while ((got = ring.poll(collect, 4096)) > 0) {
            n += got;
        }
        return n;
    }

    /** Every event received so far, oldest first (drains first). */
    public synchronized List<E> events() {
        poll();
        return List.copyOf(events);
    }

    /** How many events were received so far (drains first). */
    public synchronized int size() {
        poll();
        return events.size();
    }

    /** Records the probes could not write because the ring was full: any, and a stream is incomplete. */
    public long drops() {
        return ring.drops();
    }

    /** {@code size()} for Awaitility. */
    public Callable<Integer> count() {
        return this::size;
    }

    /** Waits (up to {@link Waits#DEFAULT}) until at least {@code n} events arrived; returns them all. */
    public List<E> awaitCount(int n) {
        return awaitCount(n, Waits.DEFAULT);
    }

    public List<E> awaitCount(int n, Duration atMost) {
        return awaitMatching(n, e -> true, atMost, n + " events");
    }

    /** Waits until at least {@code n} events match {@code which}; returns every event received. */
    public List<E> awaitMatching(int n, Predicate<? super E> which, Duration atMost) {
        return awaitMatching(n, which, atMost, n + " matching events");
    }

    private List<E> awaitMatching(int n, Predicate<? super E> which, Duration atMost, String what) {
        try {
            Waits.upTo(atMost).until(() -> events().stream().filter(which).count() >= n);
        } catch (ConditionTimeoutException e) {
            List<E> got = events();
            throw new AssertionError("ring " + ring.name() + ": expected " + what + " within " + atMost + ", got "
                + got.stream().filter(which).count() + " (" + got.size() + " in all, " + drops() + " dropped)"
                + Edges.list(got, 20), e);
        }
        return events();
    }

    @Override
    public String toString() {
        return "EventStream[" + ring.name() + ", " + events.size() + " events]";
    }
}

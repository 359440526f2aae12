package dev.sonde.probe.control;

import dev.sonde.probe.attach.Target;
import dev.sonde.probe.timer.TimerRun;
import dev.sonde.trampoline.Link;
import java.util.ArrayList;
import java.util.List;

/**
 * A program attached to the methods a target resolved to, or to a timer ({@link TimerRun}).
 * Closing it detaches: when
 * {@link #close} returns, no new run of the program starts on those methods and every run that had
 * started has finished (the grace period). A method with no probe left gets its original bytecode
 * back shortly after, on Sonde's restorer thread ({@link Sonde#awaitRestored} waits for it).
 */
public final class ProbeLink implements AutoCloseable {
    private final Sonde sonde;
    private final String programName;
    private final Target target;
    private final long cookie;
    private final List<Link> links;
    private final List<ProbeHandler> handlers;
    private final List<String> methods;
    /** The handler of a pattern link (its per-method handlers grow as methods are first hit), or null. */
    private final PendingHandler pending;
    /** The ticks of a timer link, or null. */
    private final TimerRun timer;

    /** A timer link. */
    ProbeLink(Sonde sonde, String programName, Target target, long cookie, TimerRun timer) {
        this.sonde = sonde;
        this.programName = programName;
        this.target = target;
        this.cookie = cookie;
        this.links = List.of();
        this.handlers = List.of();
        this.methods = List.of();
        this.pending = null;
        this.timer = timer;
    }

    ProbeLink(Sonde sonde, String programName, Target target, long cookie, List<Link> links, List<ProbeHandler> handlers,
              PendingHandler pending) {
        this.sonde = sonde;
        this.programName = programName;
        this.target = target;
        this.cookie = cookie;
        this.links = List.copyOf(links);
        this.handlers = List.copyOf(handlers);
        List<String> names = new ArrayList<>();
        for (Link l : links) {
            l.methods().forEach(m -> names.add(m.className() + "." + m.name() + m.descriptor()));
        }
        this.methods = List.copyOf(names);
        this.pending = pending;
        this.timer = null;
    }

    public String programName() {
        return programName;
    }

    public Target target() {
        return target;
    }

    public long cookie() {
        return cookie;
    }

    /**
     * The methods attached, as {@code class.method(descriptor)}: those the target resolved to at
     * attach and, for a pending (pattern) link, those instrumented since as their classes loaded.
     */
    public List<String> methods() {
        if (pending == null) {
            return methods;
        }
        java.util.LinkedHashSet<String> all = new java.util.LinkedHashSet<>(methods);
        for (Link l : links) {
            l.methods().forEach(m -> all.add(m.className() + "." + m.name() + m.descriptor()));
        }
        return List.copyOf(all);
    }

    public LinkStats stats() {
        if (timer != null) {
            return timer.stats();
        }
        long runs = 0;
        long time = 0;
        long faults = 0;
        long missed = 0;
        List<ProbeHandler> all = pending == null ? handlers : pending.handlers();
        for (ProbeHandler h : all) {
            runs += h.counters.sum(SlotCounters.RUNS);
            time += h.counters.sum(SlotCounters.TIME);
            faults += h.counters.sum(SlotCounters.FAULTS);
        }
        for (Link l : links) {
            missed += l.nmissed();
        }
        return new LinkStats(runs, time, missed, faults);
    }

    public boolean isOpen() {
        return timer != null ? timer.isRunning() : links.stream().anyMatch(Link::isOpen);
    }

    /** The ticks of a timer link; null for a method link. */
    public TimerRun timer() {
        return timer;
    }

    /** Detaches, waiting for the grace period (a timer: for its run in progress). Idempotent. */
    @Override
    public void close() {
        sonde.detach(this);
    }

    List<Link> trampolineLinks() {
        return links;
    }

    @Override
    public String toString() {
        return "ProbeLink[" + programName + " -> " + target.secName() + ", " + (timer != null ? "timer" : links.size() + " methods") + "]";
    }
}

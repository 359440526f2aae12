package dev.sonde.probe.control;

/**
 * Statistics of one link, as bpftool shows them per program: runs, run time (0 unless run-time
 * statistics are on), hits skipped (re-entrant, or every execution slot busy) and faulted runs.
 */
public record LinkStats(long runCount, long runTimeNs, long nmissed, long faults) {
    public LinkStats plus(LinkStats o) {
        return new LinkStats(runCount + o.runCount, runTimeNs + o.runTimeNs, nmissed + o.nmissed, faults + o.faults);
    }

    public static final LinkStats ZERO = new LinkStats(0, 0, 0, 0);
}

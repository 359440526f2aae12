package dev.sonde.probe.timer;

import dev.sonde.bpf.exec.Executable;
import dev.sonde.bpf.helper.ThreadInfo;
import dev.sonde.bpf.slot.ExecutionSlots;
import dev.sonde.bpf.vm.Cpu;
import dev.sonde.probe.control.LinkStats;
import dev.sonde.probe.hit.ProbeHit;
import dev.sonde.probe.hit.ProbeHits;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * A timer program attached: {@code timer/<period>} runs the program once per tick,
 * {@code timer/<period>/threads} once per tick for each running application thread
 * ({@link ThreadSampler}), with the helpers answering for that thread ({@link ProbeHit#sample}).
 *
 * <p>Ticks. One daemon thread per link ({@code sonde-timer-<program>}) keeps a fixed-rate schedule:
 * tick k is due at start + k·period. When a tick ends after the next one was due (the program or
 * the sampling took longer than the period, or the thread was not scheduled), the ticks that
 * passed are not run late but skipped and counted in {@code nmissed}, as a perf event that cannot
 * be delivered is. A run that finds every execution slot busy is skipped and counted the same way.
 *
 * <p>A timer program's context has no readable bytes (bpf-vm's TIMER program type): it is only
 * passed to helpers. {@code bpf_get_func_ip} gives a sample's innermost frame (0 in a plain tick),
 * {@code bpf_get_attach_cookie} the link's cookie.
 *
 * <p>Concurrency. Assumptions: {@link #close} may be called from any thread but the timer thread
 * (no program can call it). Guarantees: when {@link #close} returns, no run is in progress and
 * none will start (it clears {@link #running}, then joins the timer thread, which checks it
 * before each run; the join orders everything the runs did before what follows close); stats are
 * written only by the timer thread (plain increments of volatile fields, one writer) and read by
 * anyone.
 */
public final class TimerRun implements AutoCloseable {
    private final Executable program;
    private final String programName;
    private final long periodNanos;
    private final long cookie;
    private final ExecutionSlots slots;
    private final ProbeHits hits;
    private final boolean timed;
    /** Null for a plain timer. */
    private final ThreadSampler sampler;
    private final Thread thread;

    /** Written false by close; read by the timer thread before every run (volatile: pairs with close's write). */
    private volatile boolean running = true;

    private volatile long ticks;
    private volatile long runs;
    private volatile long runTimeNs;
    private volatile long missed;
    private volatile long faults;

    private TimerRun(Executable program, String programName, Duration period, long cookie, ExecutionSlots slots,
                     ProbeHits hits, boolean timed, ThreadSampler sampler) {
        this.program = program;
        this.programName = programName;
        this.periodNanos = Math.max(1, period.toNanos());
        this.cookie = cookie;
        this.slots = slots;
        this.hits = hits;
        this.timed = timed;
        this.sampler = sampler;
        this.thread = new Thread(this::loop, "sonde-timer-" + programName);
        thread.setDaemon(true);
    }

    /**
     * Starts the ticks: the first is due one period from now.
     *
     * @param sampler null for a plain timer; the sampler of a {@code /threads} timer
     */
    public static TimerRun start(Executable program, String programName, Duration period, long cookie,
                                 ExecutionSlots slots, ProbeHits hits, boolean timed, ThreadSampler sampler) {
        TimerRun r = new TimerRun(program, programName, period, cookie, slots, hits, timed, sampler);
        r.thread.start();
        return r;
    }

    private void loop() {
        long next = System.nanoTime() + periodNanos;
        while (running) {
            long now = System.nanoTime();
            if (now - next < 0) {
                LockSupport.parkNanos(this, next - now);
                continue;
            }
            long late = (now - next) / periodNanos;
            if (late > 0) {
                missed += late;
            }
            next += (late + 1) * periodNanos;
            ticks++;
            try {
                tick();
            } catch (RuntimeException | LinkageError e) {
                // Sampling failed (e.g. stack traces unavailable): the tick is lost, the timer goes on.
                missed++;
            }
        }
    }

    private void tick() {
        if (sampler == null) {
            runOnce(null);
            return;
        }
        List<ThreadSampler.Sample> samples = sampler.sample();
        for (ThreadSampler.Sample s : samples) {
            if (!running) {
                return;
            }
            runOnce(s);
        }
    }

    private void runOnce(ThreadSampler.Sample s) {
        Cpu cpu = slots.tryEnter();
        if (cpu == null) {
            missed++;
            return;
        }
        ProbeHit hit = hits.of(cpu);
        try {
            hit.begin(cpu, null, cookie, 0);
            if (s != null) {
                hit.sample(ThreadInfo.PID << 32 | (s.threadId() & 0xffffffffL), s.name(), s.frames(), s.depth());
            }
            long ctx = hit.bind(cpu);
            long t0 = timed ? System.nanoTime() : 0;
            program.run(cpu, ctx, 0);
            if (timed) {
                runTimeNs += System.nanoTime() - t0;
            }
            runs++;
            if (cpu.faulted()) {
                faults++;
            }
        } finally {
            hit.end(cpu);
            slots.exit(cpu);
        }
    }

    public String programName() {
        return programName;
    }

    /** Ticks begun (each runs the program once, or once per sampled thread). */
    public long ticks() {
        return ticks;
    }

    /** Runs, run time, skipped ticks and runs (nmissed), faulted runs. */
    public LinkStats stats() {
        return new LinkStats(runs, runTimeNs, missed, faults);
    }

    public boolean isRunning() {
        return running && thread.isAlive();
    }

    /**
     * Stops the ticks and waits for a run in progress to end; idempotent. After it returns no run
     * of this timer is in progress or will start.
     */
    @Override
    public void close() {
        running = false;   // pairs with the volatile read in loop and tick
        LockSupport.unpark(thread);
        if (Thread.currentThread() == thread) {
            return;
        }
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "TimerRun[" + programName + ", every " + periodNanos + " ns" + (sampler != null ? ", per thread" : "") + "]";
    }
}

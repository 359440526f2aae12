package dev.sonde.probe.control;

import dev.sonde.bpf.ctx.PtRegs;
import dev.sonde.bpf.exec.Executable;
import dev.sonde.bpf.vm.Cpu;
import dev.sonde.probe.hit.ContextReads;
import dev.sonde.probe.hit.ProbeHit;
import dev.sonde.probe.hit.ProbeHits;
import dev.sonde.probe.symbol.MethodSymbol;
import dev.sonde.probe.symbol.StackCapture;
import dev.sonde.trampoline.Frame;
import dev.sonde.trampoline.Handler;
import dev.sonde.trampoline.MethodInfo;

/**
 * The firing path: one handler per (program, method). On the traced thread, holding the slot
 * {@code cpu}: fill the slot's hit record from the trampoline's frame without boxing, bind the
 * pt_regs image, run the program, count, end the hit. Only what the program can read is filled:
 * the pt_regs fields of its {@link ContextReads} mask, and object handles only for the
 * parameters, {@code this} and the return value behind those fields. It allocates nothing (unless the program
 * reads the caller's address or the stack, which needs a stack walk), and throws nothing: a
 * fault is counted, and anything else the trampoline catches and counts as an error.
 */
final class ProbeHandler implements Handler {
    private final Executable program;
    private final MethodSymbol method;
    private final boolean onReturn;
    private final long cookie;
    private final boolean needsCaller;
    private final boolean timed;
    private final ProbeHits hits;
    private final StackCapture stacks;
    final SlotCounters counters;

    /** The pt_regs fields the program may read ({@link ContextReads}); only these are filled. */
    private final long fields;
    /** How many leading parameters the program may read: all with sp, else up to the last register read. */
    private final int paramsRead;
    private final boolean thisRead;
    private final boolean retRead;
    /** Whether {@link #fill} has anything to do: some parameter, {@code this}, the caller or the return value is read. */
    private final boolean fills;

    ProbeHandler(Executable program, long fields, MethodSymbol method, boolean onReturn, long cookie, boolean needsCaller,
                 boolean timed, ProbeHits hits, StackCapture stacks, int slots) {
        this.program = program;
        this.fields = fields;
        int params = 0;
        for (int p = 1; p <= PtRegs.REGISTER_PARAMS; p++) {
            if ((fields & ContextReads.bit(PtRegs.param(p))) != 0) {
                params = p;
            }
        }
        this.paramsRead = (fields & ContextReads.bit(PtRegs.SP)) != 0 ? ProbeHit.MAX_PARAMS : params;
        this.thisRead = (fields & ContextReads.bit(PtRegs.R12)) != 0;
        this.retRead = (fields & ContextReads.bit(PtRegs.AX)) != 0;
        this.fills = paramsRead > 0 || thisRead || retRead || needsCaller;
        this.method = method;
        this.onReturn = onReturn;
        this.cookie = cookie;
        this.needsCaller = needsCaller;
        this.timed = timed;
        this.hits = hits;
        this.stacks = stacks;
        this.counters = new SlotCounters(slots);
    }

    @Override
    public void onEntry(Frame frame, Cpu cpu) {
        if (!onReturn) {
            fire(frame, cpu);
        }
    }

    @Override
    public void onExit(Frame frame, Cpu cpu) {
        if (onReturn) {
            fire(frame, cpu);
        }
    }

    @Override
    public boolean handlesEntry() {
        return !onReturn;
    }

    @Override
    public boolean handlesExit() {
        return onReturn;
    }

    /** {@link #fire} lets nothing out: what it did not expect it counts as a fault. */
    @Override
    public boolean catchesAll() {
        return true;
    }

    /** {@code this}, the returned object and the throwable only when the program's context reads them. */
    @Override
    public boolean readsObjects() {
        return thisRead || retRead;
    }

    /**
     * One run. Kept small (HotSpot inlines a hot method of up to 325 bytecodes, FreqInlineSize),
     * so that with the handler a constant of the dispatch image it is inlined into the trampoline,
     * and the program's {@code run} with it; what only some programs need is out of line.
     */
    private void fire(Frame frame, Cpu cpu) {
        ProbeHit hit = hits.of(cpu);
        MethodInfo m = frame.method();
        hit.begin(cpu, method, cookie, m.argCount());
        try {
            if (fills) {
                fill(hit, frame, m);
            } else if (frame.isExit()) {
                hit.returningUnread(frame.isExceptional());
            }
            long ctx = hit.bind(cpu, fields);
            if (timed) {
                runTimed(cpu, ctx);
            } else {
                program.run(cpu, ctx, 0);
            }
            counters.add(cpu.id, SlotCounters.RUNS, 1);
            if (cpu.faulted()) {
                counters.add(cpu.id, SlotCounters.FAULTS, 1);
            }
        } catch (Throwable t) {
            counters.add(cpu.id, SlotCounters.FAULTS, 1);
        } finally {
            hit.end(cpu);
        }
    }

    private void runTimed(Cpu cpu, long ctx) {
        long t0 = System.nanoTime();
        program.run(cpu, ctx, 0);
        counters.add(cpu.id, SlotCounters.TIME, System.nanoTime() - t0);
    }

    /** The parameters, {@code this}, the caller and the return value that the program can read. */
    private void fill(ProbeHit hit, Frame frame, MethodInfo m) {
        int filled = Math.min(m.argCount(), paramsRead);
        for (int i = 0; i < filled; i++) {
            char k = m.argKind(i);
            if (k == 'L' || k == '[') {
                hit.paramObject(i, frame.refArg(i));
            } else {
                hit.param(i, frame.arg(i));
            }
        }
        if (thisRead) {
            hit.thisObject(frame.self());
        }
        if (needsCaller) {
            hit.caller(stacks.caller());
        }
        if (frame.isExit()) {
            if (!retRead) {
                hit.returningUnread(frame.isExceptional());
            } else if (frame.isExceptional()) {
                hit.throwing(frame.thrown());
            } else {
                char r = m.returnKind();
                if (r == 'V') {
                    hit.returningVoid();
                } else if (r == 'L' || r == '[') {
                    hit.returningObject(frame.returnRef());
                } else {
                    hit.returning(frame.returnValue());
                }
            }
        }
    }
}

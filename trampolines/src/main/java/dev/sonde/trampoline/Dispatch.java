package dev.sonde.trampoline;

import dev.sonde.bpf.vm.Cpu;
import dev.sonde.bpf.slot.ExecutionSlots;
import dev.sonde.trampoline.boot.Hooks;
import dev.sonde.trampoline.boot.ThreadState;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.List;

/**
 * The hit path behind a trampoline's invokedynamic, and the dispatch images.
 *
 * <p>Assumptions: called on the traced thread with its re-entrancy flag set (Hooks.enter), with
 * the argument arrays of its state {@code ts} (the calling thread's own) filled. Guarantees: takes an execution slot before it reads the
 * image and releases it after the last handler returned (DESIGN.md §2); counts a hit that finds no
 * slot as missed; lets no throwable out; allocates nothing.
 */
final class Dispatch {
    /** A handler's call: {@code (Frame, Cpu)void}. */
    static final MethodType HANDLER = MethodType.methodType(void.class, Frame.class, Cpu.class);
    /**
     * A dispatch image: {@code (Frame, Cpu, Object self, Object retRef, Throwable thrown)void}. The
     * application's objects travel as arguments and are stored into the frame only in front of a
     * handler that {@linkplain Handler#readsObjects reads them}: a reference store into the
     * long-lived frame pays G1's post-write barrier (a StoreLoad fence).
     */
    static final MethodType IMAGE = HANDLER.appendParameterTypes(Object.class, Object.class, Throwable.class);
    static final MethodType ENTRY_SITE = MethodType.methodType(void.class, ThreadState.class, Object.class);
    static final MethodType EXIT_SITE = MethodType.methodType(void.class, ThreadState.class, Object.class,
            long.class, Object.class, Throwable.class);
    static final MethodHandle ENTRY;
    static final MethodHandle EXIT;
    private static final MethodHandle ON_ENTRY;
    private static final MethodHandle ON_EXIT;
    private static final MethodHandle FAILED;
    private static final MethodHandle STORE_OBJECTS;
    private static final MethodHandle EMPTY = MethodHandles.empty(IMAGE);

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            ENTRY = l.findStatic(Dispatch.class, "entry", ENTRY_SITE.insertParameterTypes(0, MethodSite.class, MethodHandle.class));
            EXIT = l.findStatic(Dispatch.class, "exit", EXIT_SITE.insertParameterTypes(0, MethodSite.class, MethodHandle.class));
            ON_ENTRY = l.findVirtual(Handler.class, "onEntry", HANDLER);
            ON_EXIT = l.findVirtual(Handler.class, "onExit", HANDLER);
            STORE_OBJECTS = l.findStatic(Dispatch.class, "storeObjects", IMAGE);
            FAILED = l.findStatic(Dispatch.class, "failed",
                    MethodType.methodType(void.class, Attachment.class, Throwable.class, Frame.class, Cpu.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private Dispatch() {}

    /**
     * The image of {@code attachments}: {@code (Frame, Cpu)void}, calling each handler in order,
     * each inside its own catch (unless it {@linkplain Handler#catchesAll catches all} itself) so
     * that a throwing handler neither reaches the target nor stops the handlers after it. Built from bound method handles only, so that with the image a
     * constant (a MutableCallSite target) HotSpot inlines the handlers into the trampoline.
     */
    static MethodHandle image(List<Attachment> attachments, boolean exit) {
        MethodHandle image = null;
        for (int i = attachments.size() - 1; i >= 0; i--) {
            Attachment a = attachments.get(i);
            if (!wants(a, exit)) {
                continue;
            }
            MethodHandle call = (exit ? ON_EXIT : ON_ENTRY).bindTo(a.handler);
            if (!a.handler.catchesAll()) {
                call = MethodHandles.catchException(call, Throwable.class, FAILED.bindTo(a));
            }
            call = MethodHandles.dropArguments(call, 2, Object.class, Object.class, Throwable.class);
            if (a.handler.readsObjects()) {
                call = MethodHandles.foldArguments(call, STORE_OBJECTS);
            }
            // The last handler is the image's tail itself, not folded into an empty one: one
            // method-handle frame fewer between the trampoline and the handler (see Handler.catchesAll).
            image = image == null ? call : MethodHandles.foldArguments(image, call);
        }
        return image == null ? EMPTY : image;
    }

    private static boolean wants(Attachment a, boolean exit) {
        return exit ? a.handler.handlesExit() : a.handler.handlesEntry();
    }

    /** Whether some attachment has work at the entry ({@code exit} false) or the return trampoline. */
    static boolean armed(List<Attachment> attachments, boolean exit) {
        for (Attachment a : attachments) {
            if (wants(a, exit)) {
                return true;
            }
        }
        return false;
    }

    private static void failed(Attachment a, Throwable t, Frame f, Cpu c) {
        a.failed();
    }

    /** In front of a handler that reads them: the hit's application objects into its frame. */
    private static void storeObjects(Frame f, Cpu c, Object self, Object retRef, Throwable thrown) {
        f.self = self;
        f.retRef = retRef;
        f.thrown = thrown;
    }

    static void entry(MethodSite s, MethodHandle image, ThreadState ts, Object self) {
        // Volatile read: pairs with the volatile write in MethodSite.publish (see entryArmed there).
        // Unarmed, the reference parameters the trampoline put in the thread's array must not stay
        // there (a later hit of another method would see them, and they would stay reachable).
        if (!s.entryOn) {
            clear(s, ts.refs);
            return;
        }
        fire(s, image, ts, self, false, 0, null, null);
    }

    static void exit(MethodSite s, MethodHandle image, ThreadState ts, Object self,
                     long ret, Object retRef, Throwable thrown) {
        if (!s.exitOn) {   // as in entry
            clear(s, ts.refs);
            return;
        }
        fire(s, image, ts, self, true, ret, retRef, thrown);
    }

    /** One side of a hit: claim a slot, fill the slot's frame, run the image, release. */
    private static void fire(MethodSite s, MethodHandle image, ThreadState ts, Object self, boolean exit,
                             long ret, Object retRef, Throwable thrown) {
        ExecutionSlots.Occupant seat = seat(s.slots, ts);
        Cpu cpu = s.slots.tryEnter(seat);
        if (cpu == null) {
            Hooks.countMiss(s.id);
            clear(s, ts.refs);
            return;
        }
        Frame f = s.frames[cpu.id];
        try {
            // Sonde's own references (method, the thread's arrays) are compared before stored and
            // left in place after the hit: a reference store into this long-lived frame pays G1's
            // post-write barrier (a StoreLoad fence), and the same thread calling the same method
            // on the same slot is the common case. The application's objects are stored and dropped.
            if (f.method != s.info) {
                f.method = s.info;
            }
            if (f.args != ts.prims) {
                f.args = ts.prims;
            }
            if (f.refArgs != ts.refs) {
                f.refArgs = ts.refs;
            }
            f.exit = exit;
            f.exceptional = thrown != null;
            f.ret = ret;
            image.invokeExact(f, cpu, self, retRef, thrown);
        } catch (Throwable t) {
            // The image catches per handler; this is the last line (e.g. a StackOverflowError in
            // the image's own code). Nothing may reach the target.
        } finally {
            release(s, f, ts.refs, seat, cpu);
        }
    }

    /**
     * The calling thread's seat at {@code slots}, kept in its trampoline state so that a hit does
     * no thread-local lookup of its own ({@code ts} is the calling thread's: the trampoline looked
     * it up on this thread). Allocation-free after the thread's first hit on these slots.
     */
    private static ExecutionSlots.Occupant seat(ExecutionSlots slots, ThreadState ts) {
        Object o = ts.seat;
        if (o instanceof ExecutionSlots.Occupant && ((ExecutionSlots.Occupant) o).of(slots)) {
            return (ExecutionSlots.Occupant) o;
        }
        ExecutionSlots.Occupant seat = slots.occupant();
        ts.seat = seat;
        return seat;
    }

    /** Drops every object reference the hit left in the frame and the thread's arrays, then exits the slot. */
    private static void release(MethodSite s, Frame f, Object[] refs, ExecutionSlots.Occupant seat, Cpu cpu) {
        f.self = null;   // null stores: G1's post-write barrier filters them out at once
        f.retRef = null;
        f.thrown = null;
        clear(s, refs);
        s.slots.exit(seat, cpu);
    }

    private static void clear(MethodSite s, Object[] refs) {
        int[] idx = s.refArgs;
        for (int i = 0; i < idx.length; i++) {
            refs[idx[i]] = null;
        }
    }
}

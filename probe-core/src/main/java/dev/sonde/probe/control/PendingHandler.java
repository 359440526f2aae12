package dev.sonde.probe.control;

import dev.sonde.bpf.vm.Cpu;
import dev.sonde.probe.symbol.MethodSymbol;
import dev.sonde.probe.symbol.Symbols;
import dev.sonde.trampoline.Frame;
import dev.sonde.trampoline.Handler;
import dev.sonde.trampoline.MethodInfo;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * The handler of a pattern link ({@link AttachOptions#withPending}): one handler for every method
 * the pattern selects, now and as classes load. It keeps one {@link ProbeHandler} per method,
 * indexed by the trampolines' method id, made on the method's first hit.
 *
 * <p>Why on the first hit: the trampolines attach a loading class's methods before the class is
 * defined, so there is no {@code Class} to register a symbol for yet. On the first hit the
 * method's frame is on the stack, and a stack walk finds its class (that hit allocates; every
 * later hit reads one array element and allocates nothing).
 *
 * <p>Assumptions: hits of one method may race on its first hit; creation takes this handler's
 * lock and the loser uses the winner's handler. Guarantee: a hit sees either null (and takes the
 * lock) or a fully built handler.
 */
final class PendingHandler implements Handler {
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(ProbeHandler[].class);
    private static final StackWalker WALKER = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);

    private final Symbols symbols;
    private final Function<MethodSymbol, ProbeHandler> factory;
    /** Index = trampoline method id; grows by copying under the lock, published by the volatile write. */
    private volatile ProbeHandler[] byMethod = new ProbeHandler[64];
    private final List<ProbeHandler> all = new ArrayList<>();   // guarded by this

    /** Whether the program is a return probe: then only the return side needs a slot. */
    private final boolean onReturn;

    PendingHandler(Symbols symbols, boolean onReturn, Function<MethodSymbol, ProbeHandler> factory) {
        this.symbols = symbols;
        this.onReturn = onReturn;
        this.factory = factory;
    }

    @Override
    public boolean handlesEntry() {
        return !onReturn;
    }

    @Override
    public boolean handlesExit() {
        return onReturn;
    }

    @Override
    public void onEntry(Frame frame, Cpu cpu) {
        handler(frame).onEntry(frame, cpu);
    }

    @Override
    public void onExit(Frame frame, Cpu cpu) {
        handler(frame).onExit(frame, cpu);
    }

    private ProbeHandler handler(Frame frame) {
        int id = frame.methodId();
        ProbeHandler[] t = byMethod;
        // Acquire: pairs with the setRelease in create, so the handler's fields are seen built.
        ProbeHandler h = id < t.length ? (ProbeHandler) SLOT.getAcquire(t, id) : null;
        return h != null ? h : create(frame.method());
    }

    private synchronized ProbeHandler create(MethodInfo m) {
        ProbeHandler[] t = byMethod;
        if (m.id() < t.length && t[m.id()] != null) {
            return t[m.id()];
        }
        Class<?> type = WALKER.walk(s -> s
            .filter(f -> f.getClassName().equals(m.className()) && f.getMethodName().equals(m.name())
                && f.getDescriptor().equals(m.descriptor()))
            .findFirst().map(StackWalker.StackFrame::getDeclaringClass).orElse(null));
        if (type == null) {
            throw new IllegalStateException("the frame of " + m + " is not on the stack of its own hit");
        }
        ProbeHandler h = factory.apply(symbols.register(type, m.name(), m.descriptor()));
        if (m.id() >= t.length) {
            t = Arrays.copyOf(t, Math.max(t.length * 2, m.id() + 1));
            byMethod = t;   // volatile: the copy is complete before readers can load it
        }
        SLOT.setRelease(t, m.id(), h);   // pairs with the getAcquire in handler
        all.add(h);
        return h;
    }

    /** The per-method handlers made so far (for the link's stats). */
    synchronized List<ProbeHandler> handlers() {
        return List.copyOf(all);
    }
}

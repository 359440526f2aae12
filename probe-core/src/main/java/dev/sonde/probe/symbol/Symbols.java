package dev.sonde.probe.symbol;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.reflect.Executable;
import java.util.Arrays;

/**
 * The symbol table: every method Sonde has seen, by synthetic address ({@link SymbolLayout}) and
 * by (class, name, descriptor), as {@code /proc/kallsyms} is for the kernel.
 *
 * <p>Assumptions: registration is rare (attach, the first stack walk through a method) and takes
 * this table's lock; lookups happen on the probe path (stack capture) and take none.
 *
 * <p>Guarantees:
 * <ol>
 * <li>A method gets one id for the life of the table, never 0, never reused; the same (class, name,
 *     descriptor) registered twice gets the same symbol.</li>
 * <li>{@link #method(long)} and {@link #lookup} never lock, allocate or throw; a reader sees every
 *     symbol whose registration completed before its lookup began, fully built.</li>
 * <li>The table holds names, not classes: it keeps no class loader alive. (The per-class index is a
 *     {@link ClassValue}, which the class itself owns.)</li>
 * </ol>
 */
public final class Symbols {
    private static final Symbols GLOBAL = new Symbols();
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(MethodSymbol[].class);

    /** Index = method id; grows by copying under the lock, published by the volatile write. */
    private volatile MethodSymbol[] byId = new MethodSymbol[256];
    private int count;

    /** Per class: its symbols, copy-on-write under the lock, read with a volatile load. */
    private static final class ClassMethods {
        volatile MethodSymbol[] methods = new MethodSymbol[0];
    }

    private final ClassValue<ClassMethods> perClass = new ClassValue<>() {
        @Override
        protected ClassMethods computeValue(Class<?> type) {
            return new ClassMethods();
        }
    };

    /** The JVM's table, shared by every probe. */
    public static Symbols global() {
        return GLOBAL;
    }

    public MethodSymbol register(Executable e) {
        return register(e.getDeclaringClass(), Descriptors.nameOf(e), Descriptors.of(e));
    }

    /** The symbol of {@code cls.name descriptor}, created on first sight. */
    public MethodSymbol register(Class<?> cls, String name, String descriptor) {
        MethodSymbol m = lookup(cls, name, descriptor);
        if (m != null) {
            return m;
        }
        synchronized (this) {
            m = lookup(cls, name, descriptor);
            if (m != null) {
                return m;
            }
            if (count == SymbolLayout.MAX_ID) {
                throw new IllegalStateException("symbol table full: " + count + " methods");
            }
            int id = ++count;
            m = new MethodSymbol(id, cls.getName(), name, descriptor);
            MethodSymbol[] table = byId;
            if (id >= table.length) {
                table = Arrays.copyOf(table, table.length * 2);
                byId = table;
            }
            // Release: a reader that loads this element sees the symbol's final fields and names;
            // pairs with the getAcquire in method(long).
            SLOT.setRelease(table, id, m);
            ClassMethods cm = perClass.get(cls);
            MethodSymbol[] old = cm.methods;
            MethodSymbol[] grown = Arrays.copyOf(old, old.length + 1);
            grown[old.length] = m;
            cm.methods = grown; // volatile: pairs with the volatile read in lookup
            return m;
        }
    }

    /** The symbol of {@code cls.name descriptor}, or null if none was registered. Lock-free. */
    public MethodSymbol lookup(Class<?> cls, String name, String descriptor) {
        MethodSymbol[] ms = perClass.get(cls).methods;
        for (MethodSymbol m : ms) {
            if (m.methodName().equals(name) && m.descriptor().equals(descriptor)) {
                return m;
            }
        }
        return null;
    }

    /** The method an address lies in (any bci), or null when it names none. Lock-free. */
    public MethodSymbol method(long address) {
        if (!SymbolLayout.isSymbol(address)) {
            return null;
        }
        int id = SymbolLayout.methodId(address);
        MethodSymbol[] table = byId;
        return id < table.length ? (MethodSymbol) SLOT.getAcquire(table, id) : null;
    }

    /**
     * The address of a stack frame: its method (registered on first sight) plus its bytecode
     * index; the frame's line is recorded the first time its (method, bci) is seen. Needs a walker
     * with {@code RETAIN_CLASS_REFERENCE}.
     */
    public long frameAddress(StackWalker.StackFrame f) {
        Class<?> cls = f.getDeclaringClass();
        String name = f.getMethodName();
        String desc = f.getDescriptor();
        MethodSymbol m = lookup(cls, name, desc);
        if (m == null) {
            m = register(cls, name, desc);
        }
        int bci = Math.max(0, f.getByteCodeIndex());
        if (!m.hasLine(bci)) {
            int line = f.getLineNumber();
            if (line >= 0) {
                synchronized (this) {
                    m.recordLine(bci, line, f.getFileName());
                }
            }
        }
        return m.address(bci);
    }

    /** The method, bci and line of an address, or null when it names no method. */
    public Symbolized symbolize(long address) {
        MethodSymbol m = method(address);
        if (m == null) {
            return null;
        }
        int bci = SymbolLayout.bci(address);
        return new Symbolized(m, bci, m.line(bci));
    }

    public synchronized int size() {
        return count;
    }

    /**
     * The table as {@code /proc/kallsyms} prints the kernel's: one line per method, in address
     * order, {@code <16 hex digits> T <class>.<method><descriptor>}.
     */
    public String kallsyms() {
        StringBuilder sb = new StringBuilder();
        writeKallsyms(sb);
        return sb.toString();
    }

    public void writeKallsyms(Appendable out) {
        MethodSymbol[] table;
        int n;
        synchronized (this) {
            table = byId;
            n = count;
        }
        try {
            for (int id = 1; id <= n; id++) {
                MethodSymbol m = table[id];
                out.append(String.format("%016x T %s\n", m.address(), m.text()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package dev.sonde.probe.timer;

import dev.sonde.probe.symbol.Descriptors;
import dev.sonde.probe.symbol.MethodSymbol;
import dev.sonde.probe.symbol.StackCapture;
import dev.sonde.probe.symbol.Symbols;
import java.lang.reflect.Executable;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The Java stacks of the application's running threads, as synthetic addresses, for a
 * {@code timer/<period>/threads} tick: what a perf-event program sees of the thread a CPU was
 * running when the timer interrupted it.
 *
 * <p>Which threads: those {@link Thread#getAllStackTraces} reports that are {@code RUNNABLE} and
 * whose innermost frame is not a native method (a thread inside a native method is most likely
 * blocked in I/O, off the CPU, which perf would not sample), leaving out the calling thread,
 * Sonde's own threads (named {@code sonde-…}) and the JVM's ({@code system} thread group).
 *
 * <p>Frames: each {@link StackTraceElement} becomes the address of its method in the JVM's
 * {@link Symbols} table, bci 0 (a sampled frame has a line but no bytecode index), so stacks
 * resolve with the same table as get_stack's. The element names its class only by name, so the
 * sampler keeps an index of the loaded classes by name (from {@code Instrumentation}, rebuilt at
 * most once a second when a name is missing, and dropped with the sampler: it holds the classes
 * strongly while a profile runs). A method name with one declaration gets that method's own symbol
 * (the one probes and get_stack use); an overloaded name gets a symbol with an empty descriptor,
 * {@code class.method}, as the element cannot tell the overloads apart. Frames of Sonde's own
 * classes are left out, as {@link StackCapture} leaves them out; frames whose class is not found
 * (none should be) are left out and counted.
 *
 * <p>Cost: this allocates (the JVM's stack traces, the thread map, the sample list): sampling is
 * a timer's work, off every probed method's path. Not thread-safe: one timer thread uses it.
 */
public final class ThreadSampler {
    /** Frames kept per sample, innermost first: the depth of a stack-trace map value. */
    public static final int MAX_DEPTH = 127;
    private static final long REINDEX_NANOS = 1_000_000_000L;

    /** One running thread at one tick. {@code frames[0, depth)}, innermost first. */
    public record Sample(Thread thread, long threadId, String name, long[] frames, int depth) {
    }

    private final Symbols symbols;
    private final Supplier<Class<?>[]> loadedClasses;
    private Map<String, List<Class<?>>> byName = Map.of();
    private long indexedAt = Long.MIN_VALUE / 2;
    private final Map<StackTraceElement, Long> addresses = new HashMap<>();
    private long unresolved;

    /** @param loadedClasses the JVM's loaded classes ({@code Instrumentation::getAllLoadedClasses}) */
    public ThreadSampler(Symbols symbols, Supplier<Class<?>[]> loadedClasses) {
        this.symbols = symbols;
        this.loadedClasses = loadedClasses;
    }

    /** Frames left out because their class was not found among the loaded classes. */
    public long unresolvedFrames() {
        return unresolved;
    }

    /** The running application threads now, each with its stack. */
    public List<Sample> sample() {
        Thread self = Thread.currentThread();
        Map<Thread, StackTraceElement[]> all = Thread.getAllStackTraces();
        List<Sample> out = new ArrayList<>();
        for (Map.Entry<Thread, StackTraceElement[]> e : all.entrySet()) {
            Thread t = e.getKey();
            StackTraceElement[] st = e.getValue();
            if (t == self || st.length == 0 || st[0].isNativeMethod() || !isApplicationThread(t)
                    || t.getState() != Thread.State.RUNNABLE) {
                continue;
            }
            long[] frames = new long[Math.min(st.length, MAX_DEPTH)];
            int n = 0;
            for (int i = 0; i < st.length && n < frames.length; i++) {
                long a = address(st[i]);
                if (a != 0) {
                    frames[n++] = a;
                }
            }
            if (n > 0) {
                out.add(new Sample(t, threadId(t), t.getName(), frames, n));
            }
        }
        return out;
    }

    static boolean isApplicationThread(Thread t) {
        ThreadGroup g = t.getThreadGroup();
        return g != null && !"system".equals(g.getName()) && !t.getName().startsWith("sonde-");
    }

    @SuppressWarnings("deprecation") // Thread.getId: threadId() is JDK 19+
    private static long threadId(Thread t) {
        return t.getId();
    }

    /** The address of a frame's method, 0 for a frame left out. */
    long address(StackTraceElement f) {
        Long known = addresses.get(f);
        if (known != null) {
            return known;
        }
        String cls = f.getClassName();
        if (isSonde(cls)) {
            addresses.put(f, 0L);
            return 0;
        }
        Class<?> c = find(cls, f.getClassLoaderName());
        if (c == null) {
            unresolved++;
            return 0;   // not cached: the class may be indexed at the next rebuild
        }
        long a = symbol(c, f.getMethodName()).address();
        addresses.put(f, a);
        return a;
    }

    private static boolean isSonde(String className) {
        return className.startsWith("dev.sonde.bpf.") || className.startsWith("dev.sonde.probe.")
            || className.startsWith("dev.sonde.trampoline") || className.startsWith("dev.sonde.agent.");
    }

    private MethodSymbol symbol(Class<?> c, String name) {
        Executable only = null;
        int count = 0;
        try {
            if (name.equals("<init>")) {
                for (Executable e : c.getDeclaredConstructors()) {
                    only = e;
                    count++;
                }
            } else if (!name.equals("<clinit>")) {
                for (Method m : c.getDeclaredMethods()) {
                    if (m.getName().equals(name)) {
                        only = m;
                        count++;
                    }
                }
            }
        } catch (LinkageError | SecurityException e) {
            count = 0;
        }
        if (count == 1) {
            return symbols.register(c, Descriptors.nameOf(only), Descriptors.of(only));
        }
        return symbols.register(c, name, name.equals("<clinit>") ? "()V" : "");
    }

    private Class<?> find(String name, String loaderName) {
        List<Class<?>> cs = byName.get(name);
        if (cs == null) {
            long now = System.nanoTime();
            if (now - indexedAt < REINDEX_NANOS) {
                return null;
            }
            indexedAt = now;
            Map<String, List<Class<?>>> index = new HashMap<>();
            for (Class<?> c : loadedClasses.get()) {
                if (!c.isArray() && !c.isPrimitive()) {
                    index.computeIfAbsent(c.getName(), k -> new ArrayList<>(1)).add(c);
                }
            }
            byName = index;
            cs = index.get(name);
            if (cs == null) {
                return null;
            }
        }
        if (cs.size() > 1 && loaderName != null) {
            for (Class<?> c : cs) {
                ClassLoader l = c.getClassLoader();
                if (l != null && loaderName.equals(l.getName())) {
                    return c;
                }
            }
        }
        return cs.get(0);
    }

    @Override
    public String toString() {
        return "ThreadSampler[" + byName.size() + " class names, " + addresses.size() + " frames, unresolved "
            + unresolved + "]";
    }
}

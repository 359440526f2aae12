package dev.sonde.trampoline;

import dev.sonde.bpf.slot.ExecutionSlots;
import dev.sonde.trampoline.boot.Hooks;
import java.lang.instrument.Instrumentation;
import java.lang.instrument.UnmodifiableClassException;
import java.lang.invoke.CallSite;
import java.lang.invoke.ConstantCallSite;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.MutableCallSite;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;

/**
 * Entry and return trampolines on Java methods, installed by retransformation, and the dispatch of
 * each hit to the handlers attached to the method.
 *
 * <pre>
 *   Trampolines t = Trampolines.install(instrumentation, slots);
 *   try (Link l = t.attach(Shop.class, "pay", "(JI)Z", handler)) { ... }   // close = detach
 *   Link all = t.attach(MethodPattern.parse("java.util.*List::add"), handler);
 * </pre>
 *
 * <p>Concurrency. Assumptions: control operations (attach, detach, close) may come from any
 * thread but not from inside a handler (detach waits for a grace period, which would wait for the
 * caller's own slot; it throws instead). Guarantees:
 * <ol>
 * <li>Control operations are serialised by one lock, held across retransformation and the grace
 *     period. The transformer never takes it (it reads concurrent maps and immutable snapshots,
 *     plus the short site lock for classes that load and match an armed pattern), so class loading
 *     cannot deadlock against a control operation.</li>
 * <li>attach: when it returns, every call of a target method that starts afterwards runs the
 *     handler on entry and on exit (or counts a miss).</li>
 * <li>detach: (1) unpublish — new images without the handler are set on the methods' call sites
 *     ({@link MethodSite}); (2) {@code MutableCallSite.syncAll}; (3) one {@code synchronize()} for
 *     the whole batch: every hit that could still see an old image has released its slot. Then
 *     detach returns: no handler of the links runs any more. (4) A method left without handlers
 *     keeps its site, with empty images, until (5) the restorer, shortly after and off the
 *     caller's thread, forgets the sites that are still empty and retransforms their classes in
 *     one call, during which the transformer declines, so the methods run their original bytecode
 *     again. A frame still running the old instrumented code reaches only its old site, whose
 *     image is empty.</li>
 * <li>restore: deferred as Linux defers freeing a trampoline image to a work item after its grace
 *     periods. One retransformation costs a safepoint whose length grows with the whole JVM
 *     (HotSpot walks every loaded class's constant-pool cache and every compiled method's
 *     metadata: milliseconds in a JVM of a few thousand classes), so it is taken off detach's
 *     path, detaches close together share one, and an attach to a method whose restore is still
 *     pending reuses its trampoline without retransforming. {@link #awaitRestored} runs the
 *     pending restores now and returns when every method without handlers has its original
 *     bytecode back. A retransformation makes a class match the sites it has at that moment (the
 *     transformer reads them), so restores and attaches may retransform the same class in either
 *     order. Sonde's retransformations are serialised by one lock of their own (the transformer
 *     runs on the retransforming thread, inside the call, so a later call sees the later sites);
 *     restores by another, not by the control lock, so a detach never waits behind one. A batch
 *     that the JVM rejects is retried class by class; a failed attach restores its classes at
 *     once, so no pending site ever lacks its trampoline.</li>
 * </ol>
 */
public final class Trampolines implements AutoCloseable {
    /** Classes that are never instrumented: the hit path runs through them before its re-entrancy guard is set. */
    private static final String[] DENIED = {
        "dev/sonde/trampoline/boot/", "dev/sonde/bpf/slot/", "dev/sonde/bpf/vm/Cpu", "net/bytebuddy/",
        "java/lang/ThreadLocal", "java/lang/Thread", "java/lang/ref/", "java/lang/invoke/", "java/lang/Object",
        "jdk/internal/", "sun/",
    };
    private static final String OWN_PACKAGE = "dev/sonde/trampoline/";
    private static Trampolines current;   // guarded by Trampolines.class

    private final Instrumentation inst;
    private final ExecutionSlots slots;
    private final Frame[] frames;
    private final Transformer transformer = new Transformer(this);
    private final Module bootModule = Hooks.class.getModule();
    private final ReentrantLock control = new ReentrantLock();
    /** The site lock: guards site attachment lists, the maps' updates and links' attachment lists. */
    private final Object sites = new Object();
    private final Map<Integer, MethodSite> byId = new ConcurrentHashMap<>();
    /** Per class: its sites by name + descriptor (immutable maps, replaced under the site lock). */
    private final Map<ClassKey, Map<String, MethodSite>> byClass = new ConcurrentHashMap<>();
    private final Map<ClassKey, Class<?>> classes = new ConcurrentHashMap<>();
    private final List<AttachLink> armed = new CopyOnWriteArrayList<>();
    private final Set<AttachLink> open = ConcurrentHashMap.newKeySet();
    private final Map<ClassKey, Throwable> failures = new ConcurrentHashMap<>();
    private final AtomicInteger nextId = new AtomicInteger(1);
    /** Sites left without handlers whose classes await their restore (guarded by the site lock). */
    private final Set<MethodSite> unused = new LinkedHashSet<>();
    /** Serialises restores (the restorer's and {@link #awaitRestored}'s); a detach never waits for it. */
    private final ReentrantLock restoring = new ReentrantLock();
    /**
     * Serialises Sonde's retransformations (attach's and the restores'): {@link #failures} is
     * cleared before and read after each one, which is only this call's if no other runs between.
     * Taken last (control -> retransforming, restoring -> retransforming).
     */
    private final ReentrantLock retransforming = new ReentrantLock();
    private final ScheduledThreadPoolExecutor restorer = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "sonde-restore");
        t.setDaemon(true);
        return t;
    });
    /**
     * A restore's failure not yet reported by {@link #awaitRestored}, or null: restores run off the
     * detaching thread, so they are reported here (written under {@link #restoring}; volatile for
     * {@link #lastRestoreFailure}).
     */
    private volatile String restoreFailure;
    private volatile boolean closed;

    private Trampolines(Instrumentation inst, ExecutionSlots slots) {
        this.inst = inst;
        this.slots = slots;
        restorer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);   // close() restores itself
        this.frames = new Frame[slots.count()];
        for (int i = 0; i < frames.length; i++) {
            frames[i] = new Frame();
        }
    }

    /**
     * Puts the boot package on the bootstrap class path, registers the linker and the transformer.
     * One instance at a time per JVM (the boot hooks are JVM-wide); {@link #close} ends it.
     */
    public static synchronized Trampolines install(Instrumentation inst, ExecutionSlots slots) {
        if (current != null) {
            throw new IllegalStateException("trampolines are already installed in this JVM; close the other instance first");
        }
        if (!inst.isRetransformClassesSupported()) {
            throw new IllegalStateException("this Instrumentation cannot retransform classes (Can-Retransform-Classes)");
        }
        BootJar.install(inst);
        Trampolines t = new Trampolines(inst, slots);
        try {
            MethodHandle linker = MethodHandles.lookup().findVirtual(Trampolines.class, "link",
                    MethodType.methodType(CallSite.class, String.class, MethodType.class, int.class)).bindTo(t);
            Hooks.setLinker(linker);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
        t.warmUp();
        inst.addTransformer(t.transformer, true);
        current = t;
        return t;
    }

    /** Loads and initialises the hit path's and the writer's classes now, outside any transformation. */
    private void warmUp() {
        Hooks.leave(Hooks.enter(0));
        dev.sonde.trampoline.boot.ThreadState ts = Hooks.state();
        if (Hooks.enter(ts, 0)) {
            Hooks.leave(ts);
        }
        new MethodSite(0, new MethodInfo(0, "warm.Up", "m", "(IJ)V", true), new ClassKey(null, "warm/Up"), slots, frames);
        try {
            Class.forName(TrampolineWriter.MethodTrampoline.class.getName(), true, Trampolines.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }

    public ExecutionSlots slots() {
        return slots;
    }

    // ---- attach -------------------------------------------------------------------------------

    /** Attaches to every method named {@code method} declared in {@code type} (all overloads). */
    public Link attach(Class<?> type, String method, Handler handler) {
        return attach(type, method, null, handler);
    }

    /**
     * Attaches to {@code type}'s method {@code method} with {@code descriptor} (null: every
     * overload). Throws IllegalArgumentException naming the problem, with nothing changed, when
     * no such method is declared, when a match is abstract or native, or when the class cannot be
     * retransformed.
     */
    public Link attach(Class<?> type, String method, String descriptor, Handler handler) {
        return attachAll(List.of(new Request(type, method, descriptor, handler))).get(0);
    }

    /** One method (or, with a null descriptor, every overload) and its handler, for {@link #attachAll}. */
    public record Request(Class<?> type, String method, String descriptor, Handler handler) {}

    /**
     * Attaches each request as {@link #attach(Class, String, String, Handler)} does, with one
     * retransformation for all the classes that get new trampolines (each costs a JVM-wide
     * safepoint, so a probe on many methods pays it once). All or nothing: on an error no link is
     * attached and the IllegalArgumentException names the problem.
     */
    public List<Link> attachAll(List<Request> requests) {
        List<MethodPattern> patterns = new ArrayList<>();
        List<List<Target>> targets = new ArrayList<>();
        for (Request r : requests) {
            if (r.handler == null) {
                throw new NullPointerException("handler");
            }
            MethodPattern p = MethodPattern.of(r.type.getName(), r.method);
            if (r.descriptor != null) {
                p = p.withDescriptor(r.descriptor);
            }
            patterns.add(p);
            targets.add(resolve(r.type, p, true));
        }
        control.lock();
        try {
            checkOpen();   // before the first is registered: all or nothing
            List<AttachLink> links = new ArrayList<>();
            for (int i = 0; i < requests.size(); i++) {
                links.add(register(patterns.get(i), requests.get(i).handler, false));
            }
            attachTargets(links, targets);
            return List.copyOf(links);
        } finally {
            control.unlock();
        }
    }

    /**
     * Attaches to every method that {@code pattern} selects in the classes loaded now, and, as they
     * load, in classes that load later. A pattern with an exact class and method name whose class
     * is loaded is checked as strictly as {@link #attach(Class, String, String, Handler)}.
     */
    public Link attach(MethodPattern pattern, Handler handler) {
        control.lock();
        try {
            // Armed before the scan: a class that loads during the scan is caught by onLoad, or by
            // the scan, or both (attachTargets skips a method the link already has).
            AttachLink link = register(pattern, handler, true);
            List<Target> targets = new ArrayList<>();
            try {
                List<Class<?>> loaded = new ArrayList<>();
                for (Class<?> c : inst.getAllLoadedClasses()) {
                    if (pattern.matchesClass(c.getName())) {
                        loaded.add(c);
                    }
                }
                boolean strict = pattern.isExactClass() && pattern.isExactMethod() && !loaded.isEmpty();
                for (Class<?> c : loaded) {
                    targets.addAll(resolve(c, pattern, strict));
                }
            } catch (RuntimeException e) {
                detach(List.of(link));
                throw e;
            }
            attachTargets(List.of(link), List.of(targets));
            return link;
        } finally {
            control.unlock();
        }
    }

    private AttachLink register(MethodPattern pattern, Handler handler, boolean arm) {
        if (handler == null) {
            throw new NullPointerException("handler");
        }
        checkOpen();
        AttachLink link = new AttachLink(this, pattern, handler, arm);
        synchronized (sites) {
            open.add(link);
            if (arm) {
                armed.add(link);
            }
        }
        return link;
    }

    private record Target(Class<?> type, String name, String descriptor, boolean isStatic) {}

    private List<Target> resolve(Class<?> c, MethodPattern p, boolean strict) {
        String why = unmodifiable(c);
        if (why != null) {
            if (strict) {
                throw new IllegalArgumentException("cannot attach to " + p + ": class " + c.getName() + " " + why);
            }
            return List.of();
        }
        List<Executable> all = new ArrayList<>();
        try {
            all.addAll(List.of(c.getDeclaredConstructors()));
            all.addAll(List.of(c.getDeclaredMethods()));
        } catch (LinkageError e) {
            if (strict) {
                throw new IllegalArgumentException("cannot attach to " + p + ": the methods of " + c.getName() + " do not resolve", e);
            }
            return List.of();
        }
        List<Target> out = new ArrayList<>();
        List<String> declared = new ArrayList<>();
        for (Executable e : all) {
            String name = e instanceof Constructor ? "<init>" : e.getName();
            String desc = e instanceof Method ? Type.getMethodDescriptor((Method) e) : Type.getConstructorDescriptor((Constructor<?>) e);
            declared.add(name + desc);
            if (!p.matchesMethod(name, desc)) {
                continue;
            }
            int mod = e.getModifiers();
            if (Modifier.isAbstract(mod) || Modifier.isNative(mod)) {
                if (strict) {
                    throw new IllegalArgumentException("cannot attach to " + c.getName() + "::" + name + desc + ": it is "
                            + (Modifier.isNative(mod) ? "native" : "abstract") + " and has no bytecode to instrument");
                }
                continue;
            }
            out.add(new Target(c, name, desc, Modifier.isStatic(mod)));
        }
        if (strict && out.isEmpty()) {
            throw new IllegalArgumentException("no method " + p + " declared in " + c.getName() + "; it declares " + declared);
        }
        return out;
    }

    private String unmodifiable(Class<?> c) {
        if (c.isArray() || c.isPrimitive()) {
            return "is an array or primitive type";
        }
        if (c.isHidden()) {
            return "is a hidden class";
        }
        if (isDenied(c.getName().replace('.', '/'))) {
            return "is never instrumented: the trampoline path itself runs through it";
        }
        if (!inst.isModifiableClass(c)) {
            return "cannot be retransformed (the JVM says it is not modifiable)";
        }
        return null;
    }

    static boolean isDenied(String internalName) {
        if (internalName.startsWith(OWN_PACKAGE) && internalName.indexOf('/', OWN_PACKAGE.length()) < 0) {
            return true;   // this package itself (its subpackages other than boot are not Sonde's)
        }
        for (String d : DENIED) {
            if (internalName.startsWith(d)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Attaches registered links, each to its targets, with one retransformation of the classes
     * that get new trampolines (caller holds the control lock); on a failure every link is
     * detached again and IllegalArgumentException names the first link.
     */
    private void attachTargets(List<AttachLink> links, List<List<Target>> targetsOf) {
        Map<Class<?>, Boolean> retransform = new LinkedHashMap<>();
        List<MutableCallSite> changed = new ArrayList<>();
        synchronized (sites) {
            for (int i = 0; i < links.size(); i++) {
                attachLocked(links.get(i), targetsOf.get(i), retransform, changed);
            }
        }
        if (!changed.isEmpty()) {
            MutableCallSite.syncAll(changed.toArray(new MutableCallSite[0]));
        }
        if (!retransform.isEmpty()) {
            try {
                retransform(retransform.keySet());
            } catch (RuntimeException e) {
                detach(links);
                // At once, not later: the new sites never got their trampolines, and an attach
                // that found them pending would reuse them as if they had (control -> restoring,
                // the order close() takes too).
                restorePending();
                throw new IllegalArgumentException("cannot attach to " + links.get(0).pattern()
                    + (links.size() > 1 ? " (and " + (links.size() - 1) + " more)" : "") + ": " + e.getMessage(), e);
            }
        }
    }

    /** Attaches one link to its targets, noting the classes to retransform and the call sites changed (caller holds the site lock). */
    private void attachLocked(AttachLink link, List<Target> targets, Map<Class<?>, Boolean> retransform, List<MutableCallSite> changed) {
        for (Target t : targets) {
            ClassKey key = ClassKey.of(t.type);
            classes.put(key, t.type);
            MethodSite known = site(key, t.name + t.descriptor);
            boolean fresh = known == null || !known.installed;   // not installed: a failed attach's or load's site
            MethodSite s = siteFor(key, t.name, t.descriptor, t.isStatic);
            if (link.isAttachedTo(s)) {
                continue;   // listed twice, or attached by onLoad meanwhile
            }
            unused.remove(s);   // its restore was pending: the trampoline in place serves again
            if (fresh) {
                retransform.put(t.type, Boolean.TRUE);
            }
            attachLocked(link, s);
            changed.addAll(List.of(s.callSites()));
        }
    }

    private MethodSite site(ClassKey key, String nameDesc) {
        Map<String, MethodSite> m = byClass.get(key);
        return m == null ? null : m.get(nameDesc);
    }

    /** The site of a method, created if it has none (caller holds the site lock). */
    private MethodSite siteFor(ClassKey key, String name, String desc, boolean isStatic) {
        MethodSite s = site(key, name + desc);
        if (s != null) {
            return s;
        }
        int id = nextId.getAndIncrement();
        Hooks.ensureCounter(id);
        s = new MethodSite(id, new MethodInfo(id, key.binaryName(), name, desc, isStatic), key, slots, frames);
        byId.put(id, s);
        Map<String, MethodSite> next = new HashMap<>(byClass.getOrDefault(key, Map.of()));
        next.put(name + desc, s);
        byClass.put(key, Map.copyOf(next));
        return s;
    }

    private void attachLocked(AttachLink link, MethodSite s) {
        Attachment a = new Attachment(link, link.handler(), s, Hooks.missed(s.id));
        s.add(a);
        link.add(a);
    }

    // ---- detach -------------------------------------------------------------------------------

    /** Detaches {@code links} with one grace period for all of them (as unregister_kprobes does). */
    public void detach(Collection<? extends Link> links) {
        if (slots.holdsSlot()) {
            throw new IllegalStateException("detach from inside a handler would wait for its own execution slot");
        }
        control.lock();
        try {
            List<MethodSite> emptied = new ArrayList<>();
            List<MutableCallSite> changed = new ArrayList<>();
            synchronized (sites) {   // step 1: unpublish
                for (Link l : links) {
                    if (!(l instanceof AttachLink) || !l.isOpen() || !open.remove(l)) {
                        continue;
                    }
                    AttachLink link = (AttachLink) l;
                    armed.remove(link);
                    for (Attachment a : link.closeLocked()) {
                        if (a.site.remove(a)) {
                            emptied.add(a.site);
                        }
                        changed.addAll(List.of(a.site.callSites()));
                    }
                }
            }
            if (changed.isEmpty()) {
                return;
            }
            MutableCallSite.syncAll(changed.toArray(new MutableCallSite[0]));   // step 2
            slots.synchronize();                                                // step 3
            boolean queued = false;
            synchronized (sites) {                                              // step 4
                for (MethodSite s : emptied) {
                    if (s.attachments().isEmpty() && byId.get(s.id) == s) {
                        queued |= unused.add(s);
                    }
                }
            }
            if (queued && !closed) {
                scheduleRestore();                                              // step 5, later
            }
        } finally {
            control.unlock();
        }
    }

    /** How long the restorer waits after a detach, so that detaches close together share one retransformation. */
    private static final long RESTORE_DELAY_MS = 10;

    private void scheduleRestore() {
        try {
            restorer.schedule(this::restoreInBackground, RESTORE_DELAY_MS, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // closing: close() restores what is pending itself
        }
    }

    private void restoreInBackground() {
        try {
            restorePending();
        } catch (RuntimeException | Error e) {   // the restorer thread must survive to restore later ones
            restoreFailure = e.toString();
        }
    }

    /**
     * Restores now what detach left pending: every method without handlers runs its original
     * bytecode when this returns (unless a retransformation failed: then IllegalStateException
     * names the classes, and they keep their empty trampolines). Detach returns before that
     * restore; tests and benchmarks that compare class bytes or measure the unprobed method after
     * a detach call this first.
     */
    public void awaitRestored() {
        restoring.lock();
        try {
            restorePending();
            String failed = restoreFailure;   // this call's, or a background restore's not yet reported
            if (failed != null) {
                restoreFailure = null;
                throw new IllegalStateException(failed);
            }
        } finally {
            restoring.unlock();
        }
    }

    /** A restore's failure that {@link #awaitRestored} has not reported yet, or null. */
    public String lastRestoreFailure() {
        return restoreFailure;
    }

    /** Forgets the pending sites that are still unused and retransforms their classes in one call; returns a failure message or null. */
    private String restorePending() {
        restoring.lock();
        try {
            Set<Class<?>> restore = new LinkedHashSet<>();
            synchronized (sites) {
                for (MethodSite s : unused) {
                    if (!s.attachments().isEmpty() || byId.get(s.id) != s) {
                        continue;   // attached again meanwhile (attachTargets also drops it from unused)
                    }
                    byId.remove(s.id);
                    Map<String, MethodSite> next = new HashMap<>(byClass.getOrDefault(s.owner, Map.of()));
                    next.remove(s.info.name() + s.info.descriptor());
                    Class<?> c = classFor(s.owner);
                    if (next.isEmpty()) {
                        byClass.remove(s.owner);
                        classes.remove(s.owner);
                    } else {
                        byClass.put(s.owner, Map.copyOf(next));
                    }
                    if (c != null) {
                        restore.add(c);
                    }
                }
                unused.clear();
            }
            if (restore.isEmpty()) {
                return null;
            }
            try {
                retransform(restore);
                return null;
            } catch (IllegalStateException batch) {
                // The JVM rejects a whole retransformClasses call for one bad class: each class
                // alone, so that one failure (say, another agent's transformer) costs only its own.
                List<String> failed = new ArrayList<>();
                for (Class<?> c : restore) {
                    try {
                        retransform(List.of(c));
                    } catch (IllegalStateException e) {
                        failed.add(e.getMessage());
                    }
                }
                if (failed.isEmpty()) {
                    return null;
                }
                restoreFailure = "restoring the original bytecode: " + String.join("; ", failed);
                return restoreFailure;
            }
        } finally {
            restoring.unlock();
        }
    }

    /** The restore lock, for tests that must keep the restorer from running. */
    ReentrantLock restoreLock() {
        return restoring;
    }

    private Class<?> classFor(ClassKey key) {
        Class<?> c = classes.get(key);
        if (c != null) {
            return c;
        }
        for (Class<?> k : inst.getAllLoadedClasses()) {
            if (k.getClassLoader() == key.loader() && k.getName().equals(key.binaryName())) {
                return k;
            }
        }
        return null;   // unloaded meanwhile: nothing to restore
    }

    private void retransform(Collection<Class<?>> cs) {
        retransforming.lock();
        try {
            retransformLocked(cs);
        } finally {
            retransforming.unlock();
        }
    }

    private void retransformLocked(Collection<Class<?>> cs) {
        List<ClassKey> keys = new ArrayList<>();
        for (Class<?> c : cs) {
            ClassKey k = ClassKey.of(c);
            keys.add(k);
            failures.remove(k);
            ensureReads(c.getModule());
        }
        try {
            inst.retransformClasses(cs.toArray(new Class<?>[0]));
        } catch (UnmodifiableClassException | LinkageError | UnsupportedOperationException e) {
            throw new IllegalStateException("retransforming " + names(keys) + " failed: " + e, e);
        }
        for (ClassKey k : keys) {
            Throwable f = failures.remove(k);
            if (f != null) {
                throw new IllegalStateException("instrumenting " + k.binaryName() + " failed: " + f, f);
            }
        }
    }

    private static String names(List<ClassKey> keys) {
        List<String> n = new ArrayList<>();
        for (ClassKey k : keys) {
            n.add(k.binaryName());
        }
        return n.toString();
    }

    /** A named module (java.base...) must read the bootstrap loader's unnamed module to link to Hooks. */
    private void ensureReads(Module m) {
        if (m != null && m.isNamed() && !m.canRead(bootModule)) {
            inst.redefineModule(m, Set.of(bootModule), Map.of(), Map.of(), Set.of(), Map.of());
        }
    }

    // ---- called by the transformer and the bootstrap method -----------------------------------

    Object siteLock() {
        return sites;
    }

    Map<String, MethodSite> sitesOf(ClassKey key) {
        return byClass.get(key);
    }

    void transformFailed(ClassKey key, Throwable t) {
        failures.put(key, t);
    }

    /** A class is loading: attach the armed links whose pattern selects it (before it is defined). */
    void onLoad(ClassKey key, Module module, byte[] bytes) {
        if (armed.isEmpty()) {
            return;
        }
        String binary = key.binaryName();
        List<AttachLink> matching = new ArrayList<>();
        for (AttachLink l : armed) {
            if (l.pattern().matchesClass(binary)) {
                matching.add(l);
            }
        }
        if (matching.isEmpty()) {
            return;
        }
        List<String[]> methods = new ArrayList<>();
        new ClassReader(bytes).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String desc, String signature, String[] exceptions) {
                if ((access & (Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE)) == 0 && !"<clinit>".equals(name)) {
                    methods.add(new String[] {name, desc, (access & Opcodes.ACC_STATIC) != 0 ? "s" : ""});
                }
                return null;
            }
        }, ClassReader.SKIP_CODE | ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
        ensureReads(module);
        // No syncAll needed: the class is not defined yet, no code can have folded these sites.
        synchronized (sites) {
            for (AttachLink l : matching) {
                if (!l.isOpen()) {
                    continue;
                }
                for (String[] m : methods) {
                    if (l.pattern().matchesMethod(m[0], m[1])) {
                        MethodSite s = siteFor(key, m[0], m[1], !m[2].isEmpty());
                        if (!l.isAttachedTo(s)) {
                            attachLocked(l, s);
                        }
                    }
                }
            }
        }
    }

    /** The linker behind {@link Hooks#link}: binds a trampoline's call site to its method's site. */
    @SuppressWarnings("unused")   // reached through a method handle
    private CallSite link(String name, MethodType type, int methodId) {
        MethodSite s = byId.get(methodId);
        if (s == null) {
            return new ConstantCallSite(MethodHandles.empty(type));   // a stale frame of detached code
        }
        return "entry".equals(name) ? s.entryArmed : s.exitArmed;
    }

    // ---- introspection and close --------------------------------------------------------------

    /** The methods that have trampolines now. */
    public List<MethodInfo> instrumentedMethods() {
        List<MethodInfo> out = new ArrayList<>();
        for (MethodSite s : byId.values()) {
            out.add(s.info);
        }
        return out;
    }

    /** The dispatch point of method {@code id}, or null once it has none (for tests). */
    MethodSite site(int id) {
        return byId.get(id);
    }

    /** Skipped runs of {@code method}'s trampolines since it got them (all links together). */
    public long nmissed(MethodInfo method) {
        return Hooks.missed(method.id());
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("trampolines are closed");
        }
    }

    /** Detaches every open link (one grace period), then removes the transformer. */
    @Override
    public void close() {
        control.lock();
        try {
            if (closed) {
                return;
            }
            detach(new ArrayList<>(open));
            restorer.shutdown();
            restorePending();   // before the transformer goes: it is what declines for these classes
            inst.removeTransformer(transformer);
            Hooks.setLinker(null);
            closed = true;
        } finally {
            control.unlock();
        }
        synchronized (Trampolines.class) {
            if (current == this) {
                current = null;
            }
        }
    }
}

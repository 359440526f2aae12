package dev.sonde.probe.control;

import dev.sonde.bpf.ctx.PtRegs;
import dev.sonde.bpf.elf.ObjectFormatException;
import dev.sonde.bpf.object.BpfObject;
import dev.sonde.bpf.object.LoadOptions;
import dev.sonde.bpf.object.LoadedProgram;
import dev.sonde.bpf.slot.ExecutionSlots;
import dev.sonde.bpf.verifier.AccessFact;
import dev.sonde.bpf.verifier.PointerKind;
import dev.sonde.bpf.vm.HelperTable;
import dev.sonde.bpf.vm.LoadException;
import dev.sonde.bpf.vm.Options;
import dev.sonde.probe.attach.Target;
import dev.sonde.probe.attach.TargetException;
import dev.sonde.probe.attach.TargetResolver;
import dev.sonde.probe.hit.ContextReads;
import dev.sonde.probe.hit.JvmHelpers;
import dev.sonde.probe.hit.JvmProbeEnv;
import dev.sonde.probe.hit.ProbeHits;
import dev.sonde.probe.symbol.Descriptors;
import dev.sonde.probe.symbol.MethodSymbol;
import dev.sonde.probe.symbol.StackCapture;
import dev.sonde.probe.symbol.Symbols;
import dev.sonde.probe.timer.ThreadSampler;
import dev.sonde.probe.timer.TimerRun;
import dev.sonde.probe.trace.TraceBuffer;
import dev.sonde.trampoline.Link;
import dev.sonde.trampoline.MethodPattern;
import dev.sonde.trampoline.Trampolines;
import java.io.IOException;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.Executable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The probe control library: one instance per JVM, installed with the JVM's Instrumentation.
 * Open clang objects, attach their programs to Java methods, read their maps and the trace pipe,
 * detach. Everything a probe needs at run time (execution slots, trampolines, hit records, the
 * helper table with the JVM helpers, symbols, the trace buffer) lives here.
 *
 * <pre>
 *   try (Sonde sonde = Sonde.install(inst);
 *        ProbeObject o = sonde.open(Path.of("count.bpf.o"))) {
 *       o.attachAll();
 *       ...  // the application runs; o.map("counts") fills up
 *   }        // detached (grace period), maps released
 * </pre>
 */
public final class Sonde implements AutoCloseable {
    private static Sonde installed;

    private final Instrumentation inst;
    private final SondeConfig config;
    private final ExecutionSlots slots;
    private final Trampolines trampolines;
    private final ProbeHits hits;
    private final Symbols symbols = Symbols.global();
    private final StackCapture stacks;
    private final TraceBuffer trace;
    private final HelperTable helpers;
    private final List<ProbeObject> objects = new ArrayList<>();
    private final List<ProbeLink> links = new ArrayList<>();

    private Sonde(Instrumentation inst, SondeConfig config) {
        this.inst = inst;
        this.config = config;
        this.slots = new ExecutionSlots(config.slots());
        this.trampolines = Trampolines.install(inst, slots);
        this.hits = new ProbeHits(slots);
        this.stacks = StackCapture.of(symbols);
        this.trace = new TraceBuffer(config.slots());
        this.helpers = JvmHelpers.all(new JvmProbeEnv(stacks), trace);
    }

    /** Installs Sonde in this JVM, once; a second call returns the same instance. */
    public static synchronized Sonde install(Instrumentation inst, SondeConfig config) {
        if (installed == null) {
            installed = new Sonde(inst, config);
        }
        return installed;
    }

    public static Sonde install(Instrumentation inst) {
        return install(inst, SondeConfig.defaults());
    }

    /** The installed instance, or null. */
    public static synchronized Sonde installed() {
        return installed;
    }

    public ProbeObject open(Path path) throws IOException, ObjectFormatException, LoadException {
        return open(path.getFileName().toString(), Files.readAllBytes(path));
    }

    /** Loads, verifies and compiles an object; nothing is attached yet. */
    public ProbeObject open(String name, byte[] bytes) throws ObjectFormatException, LoadException {
        LoadOptions load = LoadOptions.of(Options.defaults().withHelpers(helpers))
            .withVerify(config.verify()).withMode(config.mode());
        ProbeObject o = new ProbeObject(this, BpfObject.load(name, bytes, slots, load));
        synchronized (objects) {
            objects.add(o);
        }
        return o;
    }

    ProbeLink attach(ProbeObject owner, LoadedProgram p, AttachOptions options) throws AttachException {
        String sec = options.target() != null ? options.target() : p.section();
        Target target;
        try {
            target = Target.parse(sec);
        } catch (TargetException e) {
            throw new AttachException(owner.name() + ": program " + p.name() + ": " + e.getMessage(), e);
        }
        if (target.kind() == Target.Kind.TIMER) {
            ThreadSampler sampler = target.perThread() ? new ThreadSampler(symbols, inst::getAllLoadedClasses) : null;
            TimerRun run = TimerRun.start(p.executable(), p.name(), target.period(), options.cookie(), slots, hits,
                config.runTimeStats(), sampler);
            return register(new ProbeLink(this, p.name(), target, options.cookie(), run));
        }
        boolean needsCaller = readsStackPointer(p);
        Class<?>[] loaded = inst.getAllLoadedClasses();
        if (options.pending() && (target.isMulti() || !isLoaded(target.classPattern(), loaded))) {
            return attachPending(owner, p, target, options, needsCaller);
        }
        List<Executable> methods;
        try {
            methods = TargetResolver.resolve(target, loaded);
        } catch (TargetException e) {
            throw new AttachException(owner.name() + ": program " + p.name() + ": " + e.getMessage(), e);
        }
        List<Trampolines.Request> requests = new ArrayList<>();
        List<ProbeHandler> handlers = new ArrayList<>();
        long fields = ContextReads.of(p);
        for (Executable e : methods) {
            MethodSymbol symbol = symbols.register(e);
            ProbeHandler h = new ProbeHandler(p.executable(), fields, symbol, target.isReturn(), options.cookie(), needsCaller,
                config.runTimeStats(), hits, stacks, slots.count());
            requests.add(new Trampolines.Request(e.getDeclaringClass(), Descriptors.nameOf(e), Descriptors.of(e), h));
            handlers.add(h);
        }
        List<Link> done;
        try {
            done = trampolines.attachAll(requests);   // one retransformation for all the methods
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new AttachException(owner.name() + ": program " + p.name() + ": " + e.getMessage(), e);
        }
        return register(new ProbeLink(this, p.name(), target, options.cookie(), done, handlers, null));
    }

    /**
     * A pattern link: the trampolines attach to the matching methods of loaded classes now and of
     * classes that load later, as they load; each method gets its handler on its first hit.
     */
    private ProbeLink attachPending(ProbeObject owner, LoadedProgram p, Target target, AttachOptions options,
                                    boolean needsCaller) throws AttachException {
        MethodPattern pattern = MethodPattern.of(target.classPattern(), target.methodPattern());
        if (target.descriptor().isPresent()) {
            pattern = pattern.withDescriptor(target.descriptor().get());
        }
        long fields = ContextReads.of(p);
        PendingHandler pending = new PendingHandler(symbols, target.isReturn(), symbol -> new ProbeHandler(p.executable(), fields, symbol,
            target.isReturn(), options.cookie(), needsCaller, config.runTimeStats(), hits, stacks, slots.count()));
        Link l;
        try {
            l = trampolines.attach(pattern, pending);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new AttachException(owner.name() + ": program " + p.name() + ": " + e.getMessage(), e);
        }
        return register(new ProbeLink(this, p.name(), target, options.cookie(), List.of(l), List.of(), pending));
    }

    private static boolean isLoaded(String binaryName, Class<?>[] loaded) {
        for (Class<?> c : loaded) {
            if (c.getName().equals(binaryName)) {
                return true;
            }
        }
        return false;
    }

    private ProbeLink register(ProbeLink link) {
        synchronized (links) {
            links.add(link);
        }
        return link;
    }

    /** Whether a program may read pt_regs' sp (then each hit captures the caller, a stack walk). */
    private static boolean readsStackPointer(LoadedProgram p) {
        if (p.proof() == null) {
            return true;
        }
        for (AccessFact f : p.proof().access()) {
            if (f != null && (f.kind() == PointerKind.CTX || f.kind() == PointerKind.MIXED)
                    && f.minOff() <= PtRegs.SP + 7 && f.maxOff() + f.size() > PtRegs.SP) {
                return true;
            }
        }
        return false;
    }

    void detach(ProbeLink link) {
        synchronized (links) {
            if (!links.remove(link)) {
                return;
            }
        }
        if (link.timer() != null) {
            link.timer().close();
        } else {
            trampolines.detach(link.trampolineLinks());
        }
    }

    void forget(ProbeObject o) {
        synchronized (objects) {
            objects.remove(o);
        }
    }

    /**
     * Returns once every method that detaching left without probes runs its original bytecode
     * again. A link's {@code close} returns when its programs can no longer run (the grace period
     * has passed); giving the methods their original bytecode back is one retransformation that
     * follows shortly after on a Sonde thread, shared by the detaches close together. Call this
     * before comparing class bytes or measuring the unprobed method after a detach. Throws
     * IllegalStateException naming the classes if that retransformation failed.
     */
    public void awaitRestored() {
        trampolines.awaitRestored();
    }

    public List<ProbeLink> links() {
        synchronized (links) {
            return List.copyOf(links);
        }
    }

    public List<ProbeObject> objects() {
        synchronized (objects) {
            return List.copyOf(objects);
        }
    }

    /** printk lines; drain with {@link TraceBuffer#drain} or {@link TraceBuffer#drainTo}. */
    public TraceBuffer trace() {
        return trace;
    }

    public Symbols symbols() {
        return symbols;
    }

    public ExecutionSlots slots() {
        return slots;
    }

    public SondeConfig config() {
        return config;
    }

    /** Detaches everything, releases every object. The instance stays installed (trampolines are JVM-wide). */
    @Override
    public void close() {
        objects().forEach(ProbeObject::close);
        links().forEach(ProbeLink::close);
    }
}

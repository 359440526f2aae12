package dev.sonde.agent;

import dev.sonde.agent.control.ControlServer;
import dev.sonde.agent.control.StartupHold;
import dev.sonde.bpf.elf.ObjectFormatException;
import dev.sonde.bpf.vm.LoadException;
import dev.sonde.probe.control.AttachException;
import dev.sonde.probe.control.AttachOptions;
import dev.sonde.probe.control.ProbeLink;
import dev.sonde.probe.control.ProbeObject;
import dev.sonde.probe.control.Sonde;
import dev.sonde.probe.control.SondeConfig;
import java.io.IOException;
import java.lang.instrument.Instrumentation;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One start of the agent (premain, or one agentmain): the objects it loaded and attached, and how
 * it ends.
 *
 * <ol>
 * <li>Options are parsed; a bad one is reported and the session does nothing else.</li>
 * <li>Sonde is installed (once per JVM) and the trace drainer pointed at {@code trace=}.</li>
 * <li>Each object is read, loaded, verified and attached, every program by its SEC name, with
 *     pending targets (classes that load later are instrumented as they load). An object that
 *     fails any step is reported, closed, and the next one goes on.</li>
 * <li>With {@code hold=} (premain only), {@code main} waits until a client sends RELEASE over the
 *     control socket or the seconds pass ({@link #hold}).</li>
 * <li>The session ends at JVM exit (a shutdown hook), or after {@code duration=} when one was
 *     given: then its links are detached first. Ending drains the trace pipe, names the targets
 *     that never matched a method, and writes the dump.</li>
 * </ol>
 * Nothing here throws into the application: every failure becomes one {@code sonde:} line on
 * standard error.
 */
final class Session {
    private final AgentOptions options;
    private final AgentLog log;
    private final List<ProbeObject> objects = new ArrayList<>();
    private final AtomicBoolean ended = new AtomicBoolean();
    private Sonde sonde;
    private TraceDrainer drainer;

    private Session(AgentOptions options, AgentLog log) {
        this.options = options;
        this.log = log;
    }

    static void start(String args, Instrumentation inst, boolean premain) {
        AgentOptions options;
        try {
            options = AgentOptions.parse(args);
        } catch (IllegalArgumentException e) {
            new AgentLog(null).info("bad agent options '" + args + "': " + e.getMessage() + "; no probes attached");
            return;
        }
        Session s = new Session(options, new AgentLog(options.report().orElse(null)));
        if (!premain && options.hold().isPresent()) {
            s.log.info("hold= ignored: the agent was loaded into a running JVM, whose main runs already");
            options = options.withHold(null);
            s = new Session(options, s.log);
        }
        try {
            s.run(inst);
        } catch (Throwable t) {   // never into the application
            s.log.info("agent failed: " + t);
        }
    }

    private void run(Instrumentation inst) {
        try {
            SondeConfig config = SondeConfig.defaults().withRunTimeStats(options.stats());
            if (options.slots() > 0) {
                config = config.withSlots(options.slots());
            }
            sonde = Sonde.install(inst, config);
            if (options.slots() > 0 && sonde.slots().count() != options.slots()) {
                log.info("slots=" + options.slots() + " ignored: Sonde was installed in this JVM with "
                    + sonde.slots().count() + " execution slots, fixed from then on");
            }
        } catch (RuntimeException | LinkageError e) {
            log.info("cannot install Sonde in this JVM: " + e);
            return;
        }
        try {
            drainer = TraceDrainer.start(sonde.trace(), options.trace().orElse(null));
        } catch (IOException e) {
            log.info("cannot open the trace file " + options.trace().get() + ": " + e.getMessage()
                + "; printk lines go to standard error");
            try {
                drainer = TraceDrainer.start(sonde.trace(), null);
            } catch (IOException impossible) {
                throw new IllegalStateException(impossible);
            }
        }
        // The socket first: a client that sees the first printk line or count (AttachTest) finds it
        // answering, not a stale file of an earlier JVM with this pid.
        String control = "";
        options.hold().ifPresent(h -> StartupHold.arm());
        if (options.socketOn()) {
            try {
                control = "; control socket " + ControlServer.start(sonde, inst, options.socket().map(Path::of).orElse(null), log::info);
            } catch (IOException | RuntimeException e) {
                log.info("cannot open the control socket" + options.socket().map(s -> " " + s).orElse("") + ": " + e);
            }
        }
        for (Path p : options.probes()) {
            ProbeObject o = load(p);
            if (o != null) {
                objects.add(o);
            }
        }
        log.info("ready: " + objects.size() + " of " + options.probes().size() + " probe objects attached" + control);
        Thread hook = new Thread(this::end, "sonde-exit");
        Runtime.getRuntime().addShutdownHook(hook);
        if (options.hold().isPresent()) {
            hold(options.hold().get(), !control.isEmpty());
        }
        options.duration().ifPresent(d -> {
            Thread timer = new Thread(() -> {
                try {
                    Thread.sleep(d.toMillis());
                } catch (InterruptedException e) {
                    return;
                }
                detachAll();
                end();
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // the hook runs, and finds the session ended
                }
            }, "sonde-duration");
            timer.setDaemon(true);
            timer.start();
        });
    }

    /**
     * {@code hold=}: premain waits for a client's RELEASE (StartupHold); when one came, the JVM's
     * exit waits as long for that client to close its connection (it reads its last counts then).
     */
    private void hold(Duration h, boolean socket) {
        String s = h.toNanos() % 1_000_000_000L == 0 ? Long.toString(h.toSeconds()) : Double.toString(h.toNanos() / 1e9);
        if (!socket) {
            StartupHold.disarm();
            log.info("hold=" + s + " ignored: there is no control socket for a client to release it");
            return;
        }
        boolean released;
        try {
            released = StartupHold.await(h);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();   // main runs, and sees the interrupt as premain got it
            released = false;
        }
        if (!released) {
            log.info("hold of " + s + " s ended without a client");
            return;
        }
        log.info("hold released by a client");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                if (!StartupHold.awaitReleaserClosed(h)) {
                    log.info("exit: the client that released the hold did not close its connection within " + s + " s");
                }
            } catch (InterruptedException e) {
                // exiting anyway
            }
        }, "sonde-hold-exit"));
    }

    private ProbeObject load(Path p) {
        String name = p.getFileName() == null ? p.toString() : p.getFileName().toString();
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(p);
        } catch (NoSuchFileException e) {
            log.info("probe object " + p + ": no such file");
            return null;
        } catch (IOException e) {
            log.info("probe object " + p + ": cannot read: " + e);
            return null;
        }
        ProbeObject o;
        try {
            o = sonde.open(name, bytes);
        } catch (ObjectFormatException | LoadException | RuntimeException e) {
            log.info("probe object " + p + " does not load: " + e.getMessage());
            return null;
        }
        List<ProbeLink> links;
        try {
            links = o.attachAll(AttachOptions.DEFAULT.withPending(true));
        } catch (AttachException | RuntimeException e) {
            log.info("probe object " + p + " is not attached: " + e.getMessage());
            o.close();
            return null;
        }
        int methods = 0;
        List<String> waiting = new ArrayList<>();
        for (ProbeLink l : links) {
            int n = l.methods().size();
            methods += n;
            if (n == 0) {
                waiting.add(l.programName() + " (" + l.target().secName() + ")");
            }
        }
        log.info(name + ": attached " + links.size() + " program" + (links.size() == 1 ? "" : "s") + " to " + methods
            + " loaded method" + (methods == 1 ? "" : "s") + (waiting.isEmpty() ? "" : "; waiting for classes to load: "
            + String.join(", ", waiting)));
        return o;
    }

    /** Open links that never found a method (a detached link has none left, so it is asked before). */
    private void reportUnmatched() {
        for (ProbeObject o : objects) {
            for (ProbeLink l : o.links()) {
                if (l.isOpen() && l.methods().isEmpty()) {
                    log.info(o.name() + ": program " + l.programName() + ": " + l.target().secName()
                        + " matched no method" + (l.target().isMulti() ? " (no loaded class matched "
                        + l.target().classPattern() + ")" : " (class " + l.target().classPattern()
                        + " was never loaded, or declares no " + l.target().methodPattern() + ")"));
                }
            }
        }
    }

    private void detachAll() {
        if (ended.get()) {
            return;   // the JVM is exiting and the exit hook ended the session first
        }
        reportUnmatched();
        int n = 0;
        for (ProbeObject o : objects) {
            for (ProbeLink l : o.links()) {
                l.close();
                n++;
            }
        }
        log.info("detached " + n + " link" + (n == 1 ? "" : "s") + " after " + options.duration().get().toMillis() / 1000.0 + " s");
    }

    /** Once: final trace drain, targets that never matched, the dump; after a duration also the objects' release. */
    private void end() {
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        try {
            if (drainer != null) {
                drainer.drain();
            }
            reportUnmatched();
            options.dump().ifPresent(this::writeDump);
            if (options.duration().isPresent()) {
                objects.forEach(ProbeObject::close);
                log.info("session ended");
            }
        } catch (Throwable t) {
            log.info("ending the session failed: " + t);
        }
    }

    private void writeDump(Path path) {
        try {
            Path dir = path.toAbsolutePath().getParent();
            Path tmp = Files.createTempFile(dir, ".sonde-dump", ".tmp");
            Files.writeString(tmp, MapDump.json(objects), StandardCharsets.UTF_8);
            // Readers see the whole dump or none (the CLI waits for the file to appear).
            Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            log.info("cannot write the dump " + path + ": " + e);
        }
    }
}

package dev.sonde.probe.control;

import dev.sonde.bpf.map.BpfMap;
import dev.sonde.bpf.object.BpfObject;
import dev.sonde.bpf.object.LoadedProgram;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;

/**
 * A loaded (verified, compiled) object in a Sonde instance: its programs and maps, and attach.
 * Closing it detaches its links and then releases its maps.
 */
public final class ProbeObject implements AutoCloseable {
    private final Sonde sonde;
    private final BpfObject object;
    private final List<ProbeLink> links = new ArrayList<>();

    ProbeObject(Sonde sonde, BpfObject object) {
        this.sonde = sonde;
        this.object = object;
    }

    public String name() {
        return object.name();
    }

    public BpfObject bpf() {
        return object;
    }

    public List<LoadedProgram> programs() {
        return object.programs();
    }

    public Optional<BpfMap> map(String name) {
        return object.map(name);
    }

    public List<BpfMap> maps() {
        return object.maps();
    }

    /** Attaches {@code program} to the methods of its SEC name (or the options' target). */
    public ProbeLink attach(String program, AttachOptions options) throws AttachException {
        LoadedProgram p = object.program(program)
            .orElseThrow(() -> new NoSuchElementException(object.name() + " has no program " + program));
        ProbeLink link = sonde.attach(this, p, options);
        synchronized (links) {
            links.add(link);
        }
        return link;
    }

    public ProbeLink attach(String program) throws AttachException {
        return attach(program, AttachOptions.DEFAULT);
    }

    /**
     * Attaches every program by its SEC name, in the object's order. All or nothing: when one
     * fails, the ones attached before it are detached again and the error names the program.
     */
    public List<ProbeLink> attachAll() throws AttachException {
        return attachAll(AttachOptions.DEFAULT);
    }

    /** {@link #attachAll()} with {@code options} for every program (e.g. {@link AttachOptions#withPending}). */
    public List<ProbeLink> attachAll(AttachOptions options) throws AttachException {
        List<ProbeLink> done = new ArrayList<>();
        try {
            for (LoadedProgram p : object.programs()) {
                done.add(attach(p.name(), options));
            }
        } catch (AttachException | RuntimeException e) {
            done.forEach(ProbeLink::close);
            throw e;
        }
        return done;
    }

    public List<ProbeLink> links() {
        synchronized (links) {
            return List.copyOf(links);
        }
    }

    /** Detaches every link of this object (one grace period each), then releases the maps. */
    @Override
    public void close() {
        links().forEach(ProbeLink::close);
        object.close();
        sonde.forget(this);
    }
}

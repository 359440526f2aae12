package dev.sonde.bpf.object;

import dev.sonde.bpf.elf.BpfObjectFile;
import dev.sonde.bpf.elf.DataSpec;
import dev.sonde.bpf.elf.LinkedProgram;
import dev.sonde.bpf.elf.MapDefinition;
import dev.sonde.bpf.jit.AccessProofs;
import dev.sonde.bpf.map.BpfMap;
import dev.sonde.bpf.verifier.AccessFact;
import dev.sonde.bpf.verifier.MapInfo;
import dev.sonde.bpf.verifier.Proof;
import dev.sonde.bpf.verifier.ProgramType;
import dev.sonde.bpf.verifier.VerifierConfig;
import dev.sonde.bpf.vm.Options;
import java.util.ArrayList;
import java.util.List;

/**
 * Between a loaded object and the verifier: what each program may assume (its context from its
 * SEC name, the object's maps, the helpers, source lines), and what its proof lets the JIT drop.
 */
public final class Verification {
    private Verification() {
    }

    /** The verifier configuration of one linked program of an object (for the loader). */
    static VerifierConfig config(LinkedProgram lp, Options options, LoadOptions load, BpfObjectFile file,
                                 List<BpfMap> maps) {
        VerifierConfig cfg = switch (lp.secName().type()) {
            case KPROBE, KPROBE_MULTI -> VerifierConfig.of(lp.secName().isReturn() ? ProgramType.KRETPROBE : ProgramType.KPROBE);
            case TIMER -> VerifierConfig.of(ProgramType.TIMER);
            default -> load.rawMemory() >= 0 ? VerifierConfig.raw(load.rawMemory()) : VerifierConfig.of(ProgramType.RAW);
        };
        List<MapInfo> infos = new ArrayList<>();
        for (int i = 0; i < maps.size(); i++) {
            MapDefinition d = file.maps().get(i);
            BpfMap m = maps.get(i);
            if (d instanceof DataSpec data) {
                infos.add(MapInfo.globalData(m.name(), m.valueSize(), data.readOnly() ? data.bytes() : null));
            } else {
                infos.add(MapInfo.of(m.name(), m.type().id, m.keySize(), m.valueSize(), m.maxEntries()));
            }
        }
        return cfg.withHelpers(options.helpers())
            .withMaps(infos)
            .withCpuVersion(options.cpuVersion())
            .withSourceLines(slot -> lp.lineAt(slot).map(l -> l.location()).orElse(null));
    }

    /**
     * Accesses proven inside a stack frame or inside the values of one map become unchecked JIT
     * accesses; everything else (context, caller memory, mixed paths) keeps its check.
     */
    static AccessProofs accessProofs(Proof proof, List<BpfMap> maps) {
        return accessProofs(proof, maps, null);
    }

    /**
     * As {@link #accessProofs(Proof, List)}, for a proof made with {@code cfg}. For a RAW program
     * verified with caller memory ({@code VerifierConfig.raw(len)}), accesses proven inside that
     * memory become unchecked too, and every fact is then tied to the entry state the verifier
     * assumed: the JIT-compiled code tests once per run that r1 is the start of caller region 0,
     * r2 = len and the region has at least len bytes with the permissions needed, and runs on the
     * interpreter otherwise ({@link AccessProofs#withRawEntry}).
     *
     * @param maps the program's maps by index, as the proof's map facts number them
     * @param cfg  the configuration the proof was made with; null to leave caller memory checked
     */
    public static AccessProofs accessProofs(Proof proof, List<BpfMap> maps, VerifierConfig cfg) {
        AccessProofs out = AccessProofs.none();
        boolean caller = cfg != null && cfg.type() == ProgramType.RAW && cfg.rawMemSize() >= 0;
        if (caller) {
            out = out.withRawEntry(cfg.rawMemSize());
        }
        AccessFact[] facts = proof.access();
        for (int slot = 0; slot < facts.length; slot++) {
            AccessFact f = facts[slot];
            if (f == null || !f.inBounds()) {
                continue;
            }
            switch (f.kind()) {
                case STACK -> out = f.region() == 0 ? out.withFrame(slot) : out.withStack(slot);
                case MAP_VALUE, GLOBAL_DATA, RINGBUF_RECORD -> {
                    if (f.region() >= 0 && f.region() < maps.size() && maps.get(f.region()).valueRegionId() >= 0) {
                        out = out.withRegion(slot, maps.get(f.region()).valueRegionId());
                    }
                }
                case CALLER_MEM -> {
                    if (caller && f.region() == 0) {
                        out = out.withCaller(slot, f.write());
                    }
                }
                default -> {
                }
            }
        }
        return out;
    }
}

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
final class Verification {
    private Verification() {
    }

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
        AccessProofs out = AccessProofs.none();
        AccessFact[] facts = proof.access();
        for (int slot = 0; slot < facts.length; slot++) {
            AccessFact f = facts[slot];
            if (f == null || !f.inBounds()) {
                continue;
            }
            switch (f.kind()) {
                case STACK -> out = out.withStack(slot);
                case MAP_VALUE, GLOBAL_DATA, RINGBUF_RECORD -> {
                    if (f.region() >= 0 && f.region() < maps.size() && maps.get(f.region()).valueRegionId() >= 0) {
                        out = out.withRegion(slot, maps.get(f.region()).valueRegionId());
                    }
                }
                default -> {
                }
            }
        }
        return out;
    }
}

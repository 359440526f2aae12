package dev.sonde.bpf.object;

import dev.sonde.bpf.elf.BpfObjectFile;
import dev.sonde.bpf.elf.DataSpec;
import dev.sonde.bpf.elf.LinkedProgram;
import dev.sonde.bpf.elf.MapDefinition;
import dev.sonde.bpf.elf.ObjectFormatException;
import dev.sonde.bpf.isa.DecodeException;
import dev.sonde.bpf.isa.Decoder;
import dev.sonde.bpf.isa.Insn;
import dev.sonde.bpf.isa.Op;
import dev.sonde.bpf.map.ArrayMap;
import dev.sonde.bpf.map.BpfMap;
import dev.sonde.bpf.map.MapException;
import dev.sonde.bpf.map.MapSpec;
import dev.sonde.bpf.map.MapType;
import dev.sonde.bpf.map.ProgArray;
import dev.sonde.bpf.slot.ExecutionSlots;
import dev.sonde.bpf.exec.ExecMode;
import dev.sonde.bpf.exec.Executable;
import dev.sonde.bpf.jit.AccessProofs;
import dev.sonde.bpf.verifier.Proof;
import dev.sonde.bpf.verifier.Verifier;
import dev.sonde.bpf.verifier.VerifierConfig;
import dev.sonde.bpf.verifier.VerifierException;
import dev.sonde.bpf.vm.LoadException;
import dev.sonde.bpf.vm.Options;
import dev.sonde.bpf.vm.Program;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A clang object loaded into the VM, as libbpf's {@code bpf_object__load} does: (1) parse and link
 * it ({@link BpfObjectFile}), (2) create its maps, global-data sections as one-entry arrays with
 * their initial bytes, (3) prepare each program with its map references resolved to addresses,
 * (4) fill PROG_ARRAY initial slots. The object owns its maps; {@link #close} releases them (each
 * after a grace period). If any step fails, everything created so far is closed again and the
 * error names the object, the program, the instruction and its C source line.
 */
public final class BpfObject implements AutoCloseable {
    private final String name;
    private final BpfObjectFile file;
    private final List<BpfMap> maps;
    private final Map<String, LoadedProgram> programs;

    private BpfObject(String name, BpfObjectFile file, List<BpfMap> maps, Map<String, LoadedProgram> programs) {
        this.name = name;
        this.file = file;
        this.maps = maps;
        this.programs = programs;
    }

    /**
     * Loads an object. {@code options} supplies the helpers, cpu version and budget; its lddw
     * resolver is replaced by this object's maps.
     */
    public static BpfObject load(String name, byte[] bytes, ExecutionSlots slots, Options options)
            throws ObjectFormatException, LoadException {
        return load(name, bytes, slots, new LoadOptions(options, false, ExecMode.INTERPRET, -1));
    }

    /**
     * Loads an object; with {@link LoadOptions#verify} every program must pass the verifier (its
     * log becomes the error) and the JIT may drop the checks the proof covers.
     */
    public static BpfObject load(String name, byte[] bytes, ExecutionSlots slots, LoadOptions load)
            throws ObjectFormatException, LoadException {
        Options options = load.vm();
        BpfObjectFile file = BpfObjectFile.parse(name, bytes);
        List<BpfMap> maps = new ArrayList<>();
        try {
            for (MapDefinition d : file.maps()) {
                maps.add(createMap(name, d, slots));
            }
            Options withMaps = options.withResolver((slot, op, imm, next) -> resolve(name, maps, slot, op, imm, next));
            Map<String, LoadedProgram> programs = new LinkedHashMap<>();
            for (LinkedProgram lp : file.programs()) {
                programs.put(lp.name(), prepare(name, lp, withMaps, load, file, maps, slots));
            }
            fillProgArrays(name, file, maps, programs);
            return new BpfObject(name, file, Collections.unmodifiableList(maps), Collections.unmodifiableMap(programs));
        } catch (LoadException | RuntimeException e) {
            maps.forEach(BpfMap::close);
            throw e;
        }
    }

    private static BpfMap createMap(String object, MapDefinition d, ExecutionSlots slots) throws LoadException {
        MapSpec spec = new MapSpec(d.type(), d.name(), d.keySize(), d.valueSize(), d.maxEntries(), d.flags());
        BpfMap m;
        try {
            if (MapType.byId(d.type()) == null) {
                throw new LoadException(-1, object + ": map " + d.name() + ": map type " + d.type() + " is not supported");
            }
            m = MapType.create(spec, slots);
        } catch (MapException e) {
            throw new LoadException(-1, object + ": map " + d.name() + ": " + e.getMessage(), e);
        }
        if (d instanceof DataSpec data) {
            byte[] init = data.bytes();
            System.arraycopy(init, 0, ((ArrayMap) m).storage(), 0, init.length);
        }
        return m;
    }

    private static long resolve(String object, List<BpfMap> maps, int slot, Op op, int imm, int next) throws LoadException {
        if (imm < 0 || imm >= maps.size()) {
            throw new LoadException(slot, object + ": lddw refers to map index " + imm + ", object has " + maps.size());
        }
        BpfMap m = maps.get(imm);
        return switch (op) {
            case LDDW_MAP_FD, LDDW_MAP_IDX -> m.address();
            case LDDW_MAP_VALUE, LDDW_MAP_IDX_VALUE -> {
                if (!(m instanceof ArrayMap a) || next < 0 || next >= m.valueSize()) {
                    throw new LoadException(slot, object + ": lddw refers to byte " + next + " of the value of "
                        + m + ", which has no such value");
                }
                yield a.valueAddress(0, 0) + next;
            }
            default -> throw new LoadException(slot, op.mnemonic + " with pseudo source " + op.discrValue + " is not supported");
        };
    }

    private static LoadedProgram prepare(String object, LinkedProgram lp, Options options, LoadOptions load,
                                         BpfObjectFile file, List<BpfMap> maps, ExecutionSlots slots) throws LoadException {
        Insn[] insns;
        try {
            insns = Decoder.decode(lp.insns());
        } catch (DecodeException e) {
            throw located(object, lp, e.slot(), e.getMessage().replaceFirst("^insn \\d+: ", ""), e);
        }
        Program p;
        try {
            p = Program.load(object + ":" + lp.name(), insns, options);
        } catch (LoadException e) {
            throw located(object, lp, e.insn(), e.getMessage().replaceFirst("^insn \\d+: ", ""), e);
        }
        Proof proof = null;
        AccessProofs proofs = AccessProofs.none();
        if (load.verify()) {
            VerifierConfig cfg = Verification.config(lp, options, load, file, maps);
            try {
                proof = Verifier.verify(insns, cfg);
            } catch (VerifierException e) {
                throw located(object, lp, -1, "rejected by the verifier: " + e.getMessage(), e);
            }
            proofs = Verification.accessProofs(proof, maps, cfg);
        }
        Executable exe = Executable.of(p, load.mode(), proofs, slots.regionTable());
        return new LoadedProgram(object, lp.name(), lp.section(), lp.secName(), p, exe, proof, lp);
    }

    /** "o.bpf.o: program f (kprobe/X::y): insn 12 (f.bpf.c:31): reason". */
    private static LoadException located(String object, LinkedProgram lp, int slot, String reason, Exception cause) {
        String line = slot >= 0 ? lp.lineAt(slot).map(l -> " (" + l.location() + ")").orElse("") : "";
        String where = object + ": program " + lp.name() + " (" + lp.section() + "): "
            + (slot >= 0 ? "insn " + slot + line + ": " : "");
        return LoadException.located(slot, where + reason, cause);
    }

    private static void fillProgArrays(String object, BpfObjectFile file, List<BpfMap> maps,
                                       Map<String, LoadedProgram> programs) throws LoadException {
        for (int i = 0; i < maps.size(); i++) {
            if (!(maps.get(i) instanceof ProgArray pa) || !(file.maps().get(i) instanceof dev.sonde.bpf.elf.MapSpec spec)) {
                continue;
            }
            for (Map.Entry<Integer, String> slot : spec.initialSlots().entrySet()) {
                LoadedProgram p = programs.get(slot.getValue());
                if (p == null) {
                    throw new LoadException(-1, object + ": prog array " + spec.name() + " slot " + slot.getKey()
                        + " names program " + slot.getValue() + ", which the object does not have");
                }
                int rc = pa.set(slot.getKey(), p.program());
                if (rc != 0) {
                    throw new LoadException(-1, object + ": prog array " + spec.name() + " slot " + slot.getKey() + ": errno " + -rc);
                }
            }
        }
    }

    public String name() {
        return name;
    }

    public BpfObjectFile file() {
        return file;
    }

    /** The maps in the object's order (BTF maps, legacy maps, then global data), as the dump lists them. */
    public List<BpfMap> maps() {
        return maps;
    }

    public Optional<BpfMap> map(String mapName) {
        return maps.stream().filter(m -> m.name().equals(mapName)).findFirst();
    }

    public List<LoadedProgram> programs() {
        return List.copyOf(programs.values());
    }

    public Optional<LoadedProgram> program(String programName) {
        return Optional.ofNullable(programs.get(programName));
    }

    /** Releases the maps; each frees its memory after a grace period. Programs become unusable. */
    @Override
    public void close() {
        maps.forEach(BpfMap::close);
    }

    @Override
    public String toString() {
        return "BpfObject[" + name + ", maps " + maps.size() + ", programs " + programs.keySet() + "]";
    }
}

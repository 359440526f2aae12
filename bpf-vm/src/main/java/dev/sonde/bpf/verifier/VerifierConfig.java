package dev.sonde.bpf.verifier;

import dev.sonde.bpf.vm.HelperTable;
import java.util.List;
import java.util.Set;
import java.util.function.IntFunction;

/**
 * Everything the verifier is told besides the instructions. Immutable; {@code with…} returns a
 * changed copy.
 *
 * @param type              what r1 (and for RAW r2) hold at entry
 * @param rawMemSize        RAW only: bytes of caller memory in r1 (r2 = this value exactly); -1 for
 *                          no memory (r1 = r2 = 0)
 * @param rawMemWritable    RAW only: whether the program may store into r1's memory
 * @param helpers           helper prototypes by id (the bodies are not used)
 * @param allowedHelpers    ids the program type may call; null allows every helper of the table
 * @param maps              the maps the program refers to, by index
 * @param sourceLine        slot → "file.c:line" for messages; may return null; may be null
 * @param maxInsns          instructions the exploration may visit in total (Linux: 1,000,000)
 * @param maxStates         explored states it may keep for pruning
 * @param cpuVersion        the -mcpu level whose instructions are accepted (1..4)
 * @param allowPointerLeaks pointers may be stored into maps, caller memory, ring-buffer records and
 *                          returned in r0 (Linux's privileged mode); off by default
 * @param maxChainStack     bytes of stack the deepest bpf-to-bpf call chain may use in total: Sonde
 *                          gives every frame its own 512 bytes (8 × 512); Linux allows 512
 */
public record VerifierConfig(ProgramType type, int rawMemSize, boolean rawMemWritable, HelperTable helpers,
                             Set<Integer> allowedHelpers, List<MapInfo> maps, IntFunction<String> sourceLine,
                             long maxInsns, int maxStates, int cpuVersion, boolean allowPointerLeaks,
                             int maxChainStack) {
    public static final long DEFAULT_MAX_INSNS = 1_000_000;
    public static final int MAX_FRAMES = 8;
    public static final int FRAME_SIZE = 512;

    public VerifierConfig {
        maps = List.copyOf(maps);
        allowedHelpers = allowedHelpers == null ? null : Set.copyOf(allowedHelpers);
        if (cpuVersion < 1 || cpuVersion > 4) {
            throw new IllegalArgumentException("cpu version must be 1..4, is " + cpuVersion);
        }
        if (type == ProgramType.RAW && rawMemSize < -1) {
            throw new IllegalArgumentException("raw memory size " + rawMemSize);
        }
    }

    /** Defaults for a program type: no helpers, no maps, cpu v4, 1,000,000 instructions. */
    public static VerifierConfig of(ProgramType type) {
        return new VerifierConfig(type, -1, true, HelperTable.empty(), null, List.of(), null, DEFAULT_MAX_INSNS,
            1_000_000, 4, false, MAX_FRAMES * FRAME_SIZE);
    }

    /** A RAW program whose r1 is {@code len} bytes of read-write caller memory and r2 = len. */
    public static VerifierConfig raw(int len) {
        return of(ProgramType.RAW).withRawMemory(len, true);
    }

    public VerifierConfig withRawMemory(int len, boolean writable) {
        return new VerifierConfig(type, len, writable, helpers, allowedHelpers, maps, sourceLine, maxInsns, maxStates,
            cpuVersion, allowPointerLeaks, maxChainStack);
    }

    public VerifierConfig withHelpers(HelperTable h) {
        return new VerifierConfig(type, rawMemSize, rawMemWritable, h, allowedHelpers, maps, sourceLine, maxInsns,
            maxStates, cpuVersion, allowPointerLeaks, maxChainStack);
    }

    public VerifierConfig withAllowedHelpers(Set<Integer> ids) {
        return new VerifierConfig(type, rawMemSize, rawMemWritable, helpers, ids, maps, sourceLine, maxInsns,
            maxStates, cpuVersion, allowPointerLeaks, maxChainStack);
    }

    public VerifierConfig withMaps(List<MapInfo> m) {
        return new VerifierConfig(type, rawMemSize, rawMemWritable, helpers, allowedHelpers, m, sourceLine, maxInsns,
            maxStates, cpuVersion, allowPointerLeaks, maxChainStack);
    }

    public VerifierConfig withSourceLines(IntFunction<String> lines) {
        return new VerifierConfig(type, rawMemSize, rawMemWritable, helpers, allowedHelpers, maps, lines, maxInsns,
            maxStates, cpuVersion, allowPointerLeaks, maxChainStack);
    }

    public VerifierConfig withLimits(long insns, int states) {
        return new VerifierConfig(type, rawMemSize, rawMemWritable, helpers, allowedHelpers, maps, sourceLine, insns,
            states, cpuVersion, allowPointerLeaks, maxChainStack);
    }

    public VerifierConfig withCpuVersion(int v) {
        return new VerifierConfig(type, rawMemSize, rawMemWritable, helpers, allowedHelpers, maps, sourceLine,
            maxInsns, maxStates, v, allowPointerLeaks, maxChainStack);
    }

    public VerifierConfig withPointerLeaks(boolean allow) {
        return new VerifierConfig(type, rawMemSize, rawMemWritable, helpers, allowedHelpers, maps, sourceLine,
            maxInsns, maxStates, cpuVersion, allow, maxChainStack);
    }

    public VerifierConfig withMaxChainStack(int bytes) {
        return new VerifierConfig(type, rawMemSize, rawMemWritable, helpers, allowedHelpers, maps, sourceLine,
            maxInsns, maxStates, cpuVersion, allowPointerLeaks, bytes);
    }

    String line(int slot) {
        return sourceLine == null ? null : sourceLine.apply(slot);
    }

    boolean helperAllowed(int id) {
        return allowedHelpers == null || allowedHelpers.contains(id);
    }
}

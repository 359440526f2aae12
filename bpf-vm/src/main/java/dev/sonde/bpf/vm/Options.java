package dev.sonde.bpf.vm;

import dev.sonde.bpf.isa.Op;
import java.util.EnumSet;
import java.util.Set;

/**
 * How a program is prepared: which instructions it may use, which helpers it may call, how pseudo
 * {@code lddw} forms resolve and how many instructions one run may execute. Immutable;
 * {@code with…} returns a changed copy.
 */
public record Options(int cpuVersion, Set<Op.Group> groups, HelperTable helpers, LddwResolver resolver,
                      long budget) {

    public static final long DEFAULT_BUDGET = 1_000_000;

    /**
     * Turns an {@code lddw} with a pseudo source (map, map value, BTF id, map index) into the
     * 64-bit constant the program sees. {@code src} 0 and 4 (code address) never reach it.
     */
    @FunctionalInterface
    public interface LddwResolver {
        long resolve(int slot, Op op, int imm, int nextImm) throws LoadException;
    }

    public Options {
        groups = Set.copyOf(groups);
        if (cpuVersion < 1 || cpuVersion > 4) {
            throw new IllegalArgumentException("cpu version must be 1..4, is " + cpuVersion);
        }
        if (budget <= 0) {
            throw new IllegalArgumentException("instruction budget must be positive, is " + budget);
        }
    }

    /** cpu v4, every group, no helpers, no pseudo lddw, the default budget. */
    public static Options defaults() {
        return new Options(4, EnumSet.allOf(Op.Group.class), HelperTable.empty(), Options::noMaps, DEFAULT_BUDGET);
    }

    private static long noMaps(int slot, Op op, int imm, int nextImm) throws LoadException {
        throw new LoadException(slot, "lddw with pseudo source " + op.discrValue
            + " refers to a map, but this program was loaded without an object");
    }

    public Options withCpuVersion(int v) {
        return new Options(v, groups, helpers, resolver, budget);
    }

    public Options withGroups(Set<Op.Group> g) {
        return new Options(cpuVersion, g, helpers, resolver, budget);
    }

    public Options withHelpers(HelperTable h) {
        return new Options(cpuVersion, groups, h, resolver, budget);
    }

    public Options withResolver(LddwResolver r) {
        return new Options(cpuVersion, groups, helpers, r, budget);
    }

    public Options withBudget(long b) {
        return new Options(cpuVersion, groups, helpers, resolver, b);
    }
}

package dev.sonde.bpf.vm;

import java.util.List;

/**
 * What a helper takes and returns, in the terms the verifier checks (after Linux's
 * {@code struct bpf_func_proto}). It sits beside the helper's body in the {@link HelperTable}
 * entry, so the verifier and the runtime read one description.
 *
 * @param ret  the kind of value left in r0
 * @param args r1.. in order; registers past the list are not read by the helper
 * @param retSizeArg for {@link Ret#MEM_OR_NULL}: the 0-based index of the argument that gives the
 *                   size of the returned memory (a constant); -1 otherwise
 */
public record HelperProto(Ret ret, List<Arg> args, int retSizeArg) {

    /** r0 after the call. */
    public enum Ret {
        /** A scalar (possibly a negative errno). */
        INTEGER,
        /** Nothing meaningful; r0 is unreadable after the call. */
        VOID,
        /** A pointer to a value of the map passed as the first argument, or 0. */
        MAP_VALUE_OR_NULL,
        /** A pointer to freshly reserved ring-buffer memory of a constant size, or 0. */
        MEM_OR_NULL
    }

    /** One argument register. */
    public enum Arg {
        /** Any initialised value, scalar or pointer (Linux ARG_ANYTHING). */
        ANYTHING,
        /** A scalar. */
        SCALAR,
        /** A map, from {@code lddw src=1}. */
        MAP,
        /** Readable memory of the map's key size. */
        MAP_KEY,
        /** Readable memory of the map's value size. */
        MAP_VALUE,
        /** The program's context pointer. */
        CTX,
        /** Readable, initialised memory whose size is the next argument. */
        MEM,
        /** Writable memory (may be uninitialised) whose size is the next argument. */
        UNINIT_MEM,
        /** The size of the preceding memory argument: a scalar with a known bound, greater than 0. */
        SIZE,
        /** Like {@link #SIZE} but 0 is allowed. */
        SIZE_OR_ZERO,
        /** A code address from {@code lddw src=4}. */
        FUNC,
        /** A pointer to the stack, or 0 (a callback's context). */
        STACK_OR_NULL,
        /** A record returned by ring-buffer reserve, not yet submitted or discarded (released by the call). */
        RINGBUF_RECORD,
        /** A NUL-terminated string in read-only global data. */
        CONST_STR,
        /** Writable memory of 8 bytes (a {@code u64 *} out-parameter). */
        U64_OUT,
        /** Any value: an address the helper reads defensively (probe_read's source). */
        UNSAFE_PTR
    }

    public HelperProto {
        args = List.copyOf(args);
        if (args.size() > 5) {
            throw new IllegalArgumentException("a helper takes at most 5 arguments");
        }
    }

    public static HelperProto of(Ret ret, Arg... args) {
        return new HelperProto(ret, List.of(args), -1);
    }

    /** A helper returning memory whose size is argument {@code sizeArg} (0-based). */
    public static HelperProto returningMem(int sizeArg, Arg... args) {
        return new HelperProto(Ret.MEM_OR_NULL, List.of(args), sizeArg);
    }

    /** For test helpers: five arguments of any kind, an integer result. */
    public static final HelperProto ANY = of(Ret.INTEGER, Arg.ANYTHING, Arg.ANYTHING, Arg.ANYTHING,
        Arg.ANYTHING, Arg.ANYTHING);
}

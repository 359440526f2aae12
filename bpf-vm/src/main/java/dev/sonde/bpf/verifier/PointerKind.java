package dev.sonde.bpf.verifier;

/** What a pointer register points into (Linux's {@code enum bpf_reg_type}, for Sonde's regions). */
public enum PointerKind {
    /** The program's context (pt_regs image for probes); read-only for probes. */
    CTX("ctx"),
    /** A stack frame of the current call chain. */
    STACK("fp"),
    /** A map value returned by a lookup helper. */
    MAP_VALUE("map_value"),
    /** A map value addressed directly by {@code lddw src=2/6} (global data: .data, .bss, .rodata). */
    GLOBAL_DATA("global_data"),
    /** A ring-buffer record returned by {@code bpf_ringbuf_reserve}; must be submitted or discarded. */
    RINGBUF_RECORD("ringbuf_mem"),
    /** Memory the caller of a RAW program passes in r1. */
    CALLER_MEM("caller_mem"),
    /** A map itself ({@code lddw src=1/5}): only an argument to helpers, never dereferenced. */
    MAP_PTR("map_ptr"),
    /** A code address ({@code lddw src=4}): only an argument to helpers such as bpf_loop. */
    CODE("func"),
    /** In proof facts only: one instruction reached through pointers of different kinds. */
    MIXED("mixed");

    /** The short name the log prints, close to Linux's. */
    public final String logName;

    PointerKind(String logName) {
        this.logName = logName;
    }

    /** Whether loads and stores may go through it at all. */
    boolean isMemory() {
        return this != MAP_PTR && this != CODE && this != MIXED;
    }
}

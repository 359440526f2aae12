package dev.sonde.bpf.vm;

/** Why a run was aborted. Every kind ends the run with r0 = 0 and a counted fault, nothing else. */
public enum FaultKind {
    NULL_POINTER("address in region 0 (null, a small integer, or a pointer moved below its region)"),
    NO_REGION("address names no region"),
    OUT_OF_BOUNDS("access outside its region"),
    READ_ONLY("store into a read-only region"),
    NOT_READABLE("load from a region that cannot be read directly"),
    MISALIGNED_ATOMIC("atomic access not aligned to its size"),
    BUDGET_EXHAUSTED("instruction budget exhausted"),
    CALL_DEPTH("more than 8 call frames"),
    FELL_OFF_END("execution ran past the last instruction"),
    BAD_HELPER("call of an unknown helper"),
    BAD_CODE_ADDRESS("call through a value that is no code address"),
    TAIL_CALL_LIMIT("more than 33 chained tail calls"),
    NOT_A_MAP("helper argument is not a map"),
    HELPER_ERROR("a helper failed unexpectedly");

    public final String description;

    FaultKind(String description) {
        this.description = description;
    }
}

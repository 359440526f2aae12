package dev.sonde.bpf.jit;

/**
 * The JIT declined a program. The program itself is fine: the caller runs it with the
 * interpreter. {@link #reason} says why (in words a log line can carry), {@link #insn} where.
 */
public final class JitException extends Exception {
    private final int insn;
    private final String reason;

    JitException(int insn, String reason) {
        super(insn >= 0 ? "insn " + insn + ": " + reason : reason);
        this.insn = insn;
        this.reason = reason;
    }

    JitException(int insn, String reason, Throwable cause) {
        this(insn, reason);
        initCause(cause);
    }

    /** The slot the reason concerns, or -1 for the whole program. */
    public int insn() {
        return insn;
    }

    public String reason() {
        return reason;
    }
}

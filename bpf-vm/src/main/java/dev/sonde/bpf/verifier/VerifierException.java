package dev.sonde.bpf.verifier;

/**
 * A program the verifier refuses. {@link #getMessage()} is one sentence naming the instruction
 * ("R1 may be null: test it before the load at insn 12 (probe.bpf.c:31)"); {@link #log()} adds the
 * path that led there, the register state and the statistics, in the manner of Linux's verifier log.
 */
public final class VerifierException extends Exception {
    private final int insn;
    private final String log;

    VerifierException(int insn, String message, String log) {
        super(message);
        this.insn = insn;
        this.log = log;
    }

    /** The slot of the offending instruction; -1 when the whole program is at fault. */
    public int insn() {
        return insn;
    }

    public String log() {
        return log;
    }
}

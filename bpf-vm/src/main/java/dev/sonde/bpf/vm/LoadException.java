package dev.sonde.bpf.vm;

/** A program that cannot be prepared for running; the message names the instruction and the reason. */
public final class LoadException extends Exception {
    private final int insn;

    public LoadException(int insn, String reason) {
        super(insn >= 0 ? "insn " + insn + ": " + reason : reason);
        this.insn = insn;
    }

    public LoadException(int insn, String reason, Throwable cause) {
        super(insn >= 0 ? "insn " + insn + ": " + reason : reason, cause);
        this.insn = insn;
    }

    private LoadException(int insn, String message, Throwable cause, boolean asIs) {
        super(message, cause);
        this.insn = insn;
    }

    /** An error about instruction {@code insn} whose message already says where (object, program, line). */
    public static LoadException located(int insn, String message, Throwable cause) {
        return new LoadException(insn, message, cause, true);
    }

    /** Index (in 8-byte slots) of the offending instruction, or -1 when it concerns the whole program. */
    public int insn() {
        return insn;
    }
}

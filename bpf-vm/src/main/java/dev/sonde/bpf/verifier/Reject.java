package dev.sonde.bpf.verifier;

/**
 * Thrown inside the verifier when a check fails; {@link Verifier} turns it into a
 * {@link VerifierException} with the log. {@code reason} is phrased so that " at insn N" can follow.
 */
final class Reject extends RuntimeException {
    final int pc;
    final String reason;

    Reject(int pc, String reason) {
        super(reason, null, false, false);
        this.pc = pc;
        this.reason = reason;
    }
}

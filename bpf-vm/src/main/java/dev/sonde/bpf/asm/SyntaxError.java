package dev.sonde.bpf.asm;

/**
 * A problem found inside one line, before the line is known; the {@link Assembler} turns it into an
 * {@link AsmException} that names the line.
 */
final class SyntaxError extends Exception {
    SyntaxError(String problem) {
        super(problem, null, false, false);
    }
}

package dev.sonde.bpf.asm;

/**
 * Assembler input that does not form a program. The message names the line (1-based), quotes its
 * text and says what is wrong with it, e.g.
 * {@code line 7: "jne %r0, 15, faild": undefined label 'faild'}.
 */
public final class AsmException extends Exception {
    private final int line;
    private final String text;
    private final String problem;

    public AsmException(int line, String text, String problem) {
        super("line " + line + ": \"" + text.strip() + "\": " + problem);
        this.line = line;
        this.text = text;
        this.problem = problem;
    }

    /** The 1-based number of the offending line. */
    public int line() {
        return line;
    }

    /** The offending line as written. */
    public String text() {
        return text;
    }

    /** What is wrong, without the line number and text. */
    public String problem() {
        return problem;
    }
}

package dev.sonde.bpf.asm;

import java.math.BigInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the pieces an operand is made of: registers, numbers in range, memory operands and jump
 * targets. Numbers are decimal or {@code 0x} hex, either case, with an optional minus sign.
 */
final class Operands {
    private Operands() {
    }

    /** A register and a signed 16-bit offset, as in {@code [%r10-8]}. */
    record Mem(int reg, int off) {
    }

    /** A jump or call target: a label to resolve later, or an offset already known. */
    record Target(String label, long offset) {
        boolean isLabel() {
            return label != null;
        }
    }

    static final Pattern LABEL = Pattern.compile("[A-Za-z_.$][A-Za-z0-9_.$]*");
    private static final Pattern REGISTER = Pattern.compile("%r(\\d{1,2})");
    private static final Pattern NUMBER = Pattern.compile("([+-]?)(0[xX][0-9a-fA-F]+|[0-9]+)");
    private static final Pattern MEMORY = Pattern.compile("\\[(%r\\d+)(?:([+-])([^\\]]+))?]");

    private static final BigInteger TWO_31 = BigInteger.ONE.shiftLeft(31);
    private static final BigInteger TWO_32 = BigInteger.ONE.shiftLeft(32);
    private static final BigInteger TWO_63 = BigInteger.ONE.shiftLeft(63);
    private static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(64);

    static int register(String text) throws SyntaxError {
        Matcher m = REGISTER.matcher(text);
        if (!m.matches() || Integer.parseInt(m.group(1)) > 10) {
            throw new SyntaxError("bad register '" + text + "' (registers are %r0..%r10)");
        }
        return Integer.parseInt(m.group(1));
    }

    /**
     * A 32-bit immediate: any value from -2^31 to 2^32-1, so that both {@code -1} and
     * {@code 0xffffffff} name the all-ones field. Returned sign-extended, as the decoder gives it.
     */
    static long imm32(String text, String what) throws SyntaxError {
        BigInteger v = number(text, what);
        if (v.compareTo(TWO_31.negate()) < 0 || v.compareTo(TWO_32) >= 0) {
            throw new SyntaxError(what + " " + text + " does not fit in 32 bits");
        }
        return v.intValue();
    }

    /** A 64-bit immediate: any value from -2^63 to 2^64-1. */
    static long imm64(String text) throws SyntaxError {
        BigInteger v = number(text, "immediate");
        if (v.compareTo(TWO_63.negate()) < 0 || v.compareTo(TWO_64) >= 0) {
            throw new SyntaxError("immediate " + text + " does not fit in 64 bits");
        }
        return v.longValue();
    }

    /** A signed 16-bit offset; unlike immediates it does not wrap (0xffff is out of range, -1 is not). */
    static int off16(String text, String what) throws SyntaxError {
        BigInteger v = number(text, what);
        if (v.bitLength() > 15) {
            throw new SyntaxError(what + " " + text + " out of 16-bit range (-32768..32767)");
        }
        return v.intValue();
    }

    /** {@code [%rN]}, {@code [%rN+off]} or {@code [%rN-off]}; spaces inside the brackets are ignored. */
    static Mem memory(String text) throws SyntaxError {
        String t = text.replaceAll("\\s+", "");
        Matcher m = MEMORY.matcher(t);
        if (!m.matches()) {
            throw new SyntaxError("bad memory operand '" + text + "' (expected [%rN], [%rN+off] or [%rN-off])");
        }
        int reg = register(m.group(1));
        if (m.group(2) == null) {
            return new Mem(reg, 0);
        }
        if (m.group(3).startsWith("+") || m.group(3).startsWith("-")) {
            throw new SyntaxError("bad memory operand '" + text + "'");
        }
        return new Mem(reg, off16(m.group(2) + m.group(3), "memory offset"));
    }

    /**
     * A label, or {@code +n}/{@code -n} slots relative to the next instruction. A bare number is
     * refused: it would be unclear whether it is an offset or an absolute slot.
     */
    static Target target(String text) throws SyntaxError {
        if (text.startsWith("+") || text.startsWith("-")) {
            return new Target(null, number(text, "jump offset").longValue());
        }
        if (!LABEL.matcher(text).matches()) {
            throw new SyntaxError("bad jump target '" + text + "' (expected a label, or +n/-n slots)");
        }
        return new Target(text, 0);
    }

    private static BigInteger number(String text, String what) throws SyntaxError {
        Matcher m = NUMBER.matcher(text);
        if (!m.matches()) {
            String hint = text.matches("r\\d+") ? " (registers are written %rN)" : "";
            throw new SyntaxError("bad " + what + " '" + text + "'" + hint);
        }
        String digits = m.group(2);
        BigInteger v = digits.length() > 2 && (digits.charAt(1) == 'x' || digits.charAt(1) == 'X')
            ? new BigInteger(digits.substring(2), 16)
            : new BigInteger(digits);
        return m.group(1).equals("-") ? v.negate() : v;
    }
}

package dev.sonde.probe.symbol;

/**
 * An address mapped back to its method, bytecode index and line, as addr2line would.
 *
 * @param line the source line, -1 when no stack walk reported one for this bci
 */
public record Symbolized(MethodSymbol method, int bci, int line) {
    /** {@code com.shop.Cart.add(JI)Z+0x1c (Cart.java:42)}; the offset and line only when known. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(method.text());
        if (bci != 0) {
            sb.append("+0x").append(Integer.toHexString(bci));
        }
        if (line >= 0) {
            String file = method.sourceFile();
            sb.append(" (").append(file != null ? file : "?").append(':').append(line).append(')');
        }
        return sb.toString();
    }
}

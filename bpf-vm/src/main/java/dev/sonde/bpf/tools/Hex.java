package dev.sonde.bpf.tools;

/**
 * Hex text to bytes, as the conformance runner writes it: two digits per byte, either case, with
 * or without whitespace between bytes (the runner writes each byte followed by spaces).
 */
public final class Hex {
    private Hex() {
    }

    /** Thrown for text that is not whole bytes of hex; the message says where. */
    public static final class HexException extends Exception {
        HexException(String message) {
            super(message);
        }
    }

    public static byte[] parse(String text) throws HexException {
        byte[] buf = new byte[text.length() / 2 + 1];
        int n = 0;
        int high = -1;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isWhitespace(c)) {
                if (high >= 0) {
                    throw new HexException("lone hex digit before position " + i + " (a byte is two digits)");
                }
                continue;
            }
            int d = Character.digit(c, 16);
            if (d < 0) {
                throw new HexException("'" + c + "' at position " + i + " is not a hex digit");
            }
            if (high < 0) {
                high = d;
            } else {
                buf[n++] = (byte) (high << 4 | d);
                high = -1;
            }
        }
        if (high >= 0) {
            throw new HexException("odd number of hex digits (a byte is two digits)");
        }
        return java.util.Arrays.copyOf(buf, n);
    }
}

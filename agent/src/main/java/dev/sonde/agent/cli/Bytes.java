package dev.sonde.agent.cli;

import java.math.BigInteger;
import java.util.List;

/**
 * Keys and values on the command line and in output.
 *
 * <pre>
 *   hex 01 00 00 00      bytes in hex, one token each (as bpftool's {@code key hex 01 00 00 00});
 *                        "hex 01000000" (one token of several bytes) works too
 *   42, -1, 0x2a         one integer (decimal, or hex with 0x), little-endian, for a 4- or
 *                        8-byte key or value only (the map's size decides which)
 * </pre>
 *
 * Output: bytes as two-digit hex separated by spaces; JSON gives the same string and, for 4- and
 * 8-byte keys and values, the unsigned little-endian integer as well.
 */
final class Bytes {
    private Bytes() {
    }

    /** Parses the tokens of a key or value of {@code size} bytes (-1: any length, hex only); {@code what} names it in errors. */
    static byte[] parse(List<String> tokens, int size, String what) throws SondeCli.UsageException {
        if (tokens.isEmpty()) {
            throw new SondeCli.UsageException(what + " is missing: give 'hex 01 00 00 00' or an integer");
        }
        if (tokens.get(0).equals("hex")) {
            StringBuilder digits = new StringBuilder();
            for (String t : tokens.subList(1, tokens.size())) {
                String d = t.startsWith("0x") ? t.substring(2) : t;
                if (!d.matches("([0-9a-fA-F]{2})+") && !d.matches("[0-9a-fA-F]")) {
                    throw new SondeCli.UsageException(what + ": '" + t + "' is not hex bytes");
                }
                digits.append(d.length() == 1 ? "0" + d : d);
            }
            byte[] b = new byte[digits.length() / 2];
            for (int i = 0; i < b.length; i++) {
                b[i] = (byte) Integer.parseInt(digits.substring(2 * i, 2 * i + 2), 16);
            }
            if (size >= 0 && b.length != size) {
                throw new SondeCli.UsageException(what + " has " + b.length + " bytes; the map's are " + size + " bytes");
            }
            return b;
        }
        if (tokens.size() != 1) {
            throw new SondeCli.UsageException(what + ": " + tokens + " is neither 'hex <bytes>' nor one integer");
        }
        if (size < 0) {
            throw new SondeCli.UsageException(what + " of a per-CPU map holds every slot's copy: give it as 'hex <bytes>'");
        }
        if (size != 4 && size != 8) {
            throw new SondeCli.UsageException(what + " is " + size + " bytes: give it as 'hex <bytes>' (integers are for 4 or 8 bytes)");
        }
        String t = tokens.get(0);
        BigInteger v;
        try {
            boolean neg = t.startsWith("-");
            String d = neg ? t.substring(1) : t;
            v = d.startsWith("0x") || d.startsWith("0X") ? new BigInteger(d.substring(2), 16) : new BigInteger(d);
            v = neg ? v.negate() : v;
        } catch (NumberFormatException e) {
            throw new SondeCli.UsageException(what + ": '" + t + "' is not an integer (or use 'hex 01 00 ...')");
        }
        BigInteger lo = BigInteger.ONE.shiftLeft(8 * size - 1).negate();
        BigInteger hi = BigInteger.ONE.shiftLeft(8 * size).subtract(BigInteger.ONE);
        if (v.compareTo(lo) < 0 || v.compareTo(hi) > 0) {
            throw new SondeCli.UsageException(what + ": " + t + " does not fit in " + size + " bytes");
        }
        long x = v.longValue();
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = (byte) (x >>> (8 * i));
        }
        return b;
    }

    static String hex(byte[] b) {
        StringBuilder s = new StringBuilder(b.length * 3);
        for (int i = 0; i < b.length; i++) {
            if (i > 0) {
                s.append(' ');
            }
            s.append(Character.forDigit((b[i] >> 4) & 0xf, 16)).append(Character.forDigit(b[i] & 0xf, 16));
        }
        return s.toString();
    }

    /** The unsigned little-endian integer of 4 or 8 bytes, as a decimal string; null for other sizes. */
    static String integer(byte[] b) {
        if (b.length != 4 && b.length != 8) {
            return null;
        }
        long x = 0;
        for (int i = 0; i < b.length; i++) {
            x |= (b[i] & 0xffL) << (8 * i);
        }
        return Long.toUnsignedString(x);
    }

    /** {@code "name":"01 00","name_int":1} (the integer only for 4/8 bytes). */
    static String json(String name, byte[] b) {
        String i = integer(b);
        return "\"" + name + "\":\"" + hex(b) + "\"" + (i == null ? "" : ",\"" + name + "_int\":" + i);
    }

    /** {@code key: 01 00 00 00 (1)}: hex, and the integer for 4/8 bytes. */
    static String text(String name, byte[] b) {
        String i = integer(b);
        return name + ": " + hex(b) + (i == null ? "" : " (" + i + ")");
    }
}

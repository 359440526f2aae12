package dev.sonde.bpf.conformance;

import dev.sonde.bpf.asm.AsmException;
import dev.sonde.bpf.asm.Assembler;
import dev.sonde.bpf.tools.Hex;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * One test file of the bpf_conformance suite ({@code .data}): sections introduced by
 * {@code -- NAME} lines. Read here: {@code asm}, {@code raw} (hex instruction words, which
 * override {@code asm}), {@code mem} (hex bytes), {@code result} (r0 in hex) and {@code error}
 * (expected error text); others ({@code c}, {@code no register offset}) are ignored. {@code #}
 * starts a comment; the {@code asm} text keeps its comments for the assembler, so that its line
 * numbers stay those of the file.
 *
 * @param name    the file name, for messages
 * @param asm     the assembler text, or null
 * @param asmLine the file line number of the first line of {@code asm}
 * @param raw     the instruction bytes from {@code -- raw}, or null
 * @param mem     the input memory, or null when the file has no {@code -- mem}
 * @param result  the expected r0, or null
 * @param error   the expected error text, or null
 */
public record DataFile(String name, String asm, int asmLine, byte[] raw, byte[] mem, Long result, String error) {

    /** The program's bytes: the raw words if given, else the assembled text. */
    public byte[] program() throws AsmException {
        if (raw != null) {
            return raw.clone();
        }
        if (asm == null) {
            throw new IllegalStateException(name + " has neither -- asm nor -- raw");
        }
        return Assembler.assembleBytes(asm, asmLine);
    }

    /** Parses {@code text}; malformed sections throw IllegalArgumentException naming file and line. */
    public static DataFile parse(String name, String text) {
        String[] lines = text.split("\r?\n", -1);
        String asm = null;
        int asmLine = 0;
        byte[] raw = null;
        byte[] mem = null;
        Long result = null;
        String error = null;
        int k = 0;
        while (k < lines.length) {
            if (!lines[k].startsWith("-- ")) {
                k++;
                continue;
            }
            String section = lines[k].substring(3).strip();
            int start = ++k;
            while (k < lines.length && !lines[k].startsWith("-- ")) {
                k++;
            }
            List<String> body = List.of(lines).subList(start, k);
            int firstLine = start + 1;
            switch (section) {
                case "asm" -> {
                    asm = String.join("\n", body);
                    asmLine = firstLine;
                }
                case "raw" -> raw = rawWords(name, firstLine, body);
                case "mem" -> mem = hexBytes(name, firstLine, body);
                case "result" -> result = resultValue(name, firstLine, body);
                case "error" -> error = String.join("\n", uncommented(body)).strip();
                default -> {
                    // informational sections ("c", "no register offset")
                }
            }
        }
        return new DataFile(name, asm, asmLine, raw, mem, result, error);
    }

    private static List<String> uncommented(List<String> body) {
        List<String> out = new ArrayList<>();
        for (String line : body) {
            int hash = line.indexOf('#');
            String s = (hash >= 0 ? line.substring(0, hash) : line).strip();
            if (!s.isEmpty()) {
                out.add(s);
            }
        }
        return out;
    }

    /** Each word is one 64-bit slot written as a number, so its low byte (the opcode) comes first. */
    private static byte[] rawWords(String name, int firstLine, List<String> body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String word : uncommented(body)) {
            String hex = word.startsWith("0x") || word.startsWith("0X") ? word.substring(2) : word;
            long v;
            try {
                v = Long.parseUnsignedLong(hex, 16);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(name + ": -- raw (from line " + firstLine + "): bad word '" + word + "'");
            }
            for (int i = 0; i < 8; i++) {
                out.write((int) (v >>> (8 * i)));
            }
        }
        return out.toByteArray();
    }

    private static byte[] hexBytes(String name, int firstLine, List<String> body) {
        try {
            return Hex.parse(String.join(" ", uncommented(body)));
        } catch (Hex.HexException e) {
            throw new IllegalArgumentException(name + ": -- mem (from line " + firstLine + "): " + e.getMessage());
        }
    }

    /** The suite writes results in hex, with or without 0x ("0x2a", "0"). */
    private static Long resultValue(String name, int firstLine, List<String> body) {
        List<String> words = uncommented(body);
        if (words.size() != 1) {
            throw new IllegalArgumentException(name + ": -- result (line " + firstLine + ") must hold one number");
        }
        String w = words.get(0);
        String hex = w.startsWith("0x") || w.startsWith("0X") ? w.substring(2) : w;
        try {
            return Long.parseUnsignedLong(hex, 16);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + ": -- result (line " + firstLine + "): bad value '" + w + "'");
        }
    }
}

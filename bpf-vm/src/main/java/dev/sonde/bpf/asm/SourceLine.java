package dev.sonde.bpf.asm;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One line of assembly split into its parts: the labels it defines, the mnemonic and the operand
 * texts. Knows the lexical rules only ({@code #} comments, {@code name:} labels, comma-separated
 * operands); which mnemonic exists comes from {@link Syntax}.
 *
 * @param labels   labels defined on this line, in order
 * @param mnemonic the mnemonic in lower case with single spaces ({@code lock fetch add}), or null
 *                 when the line holds no instruction
 * @param operands operand texts, trimmed
 */
record SourceLine(List<String> labels, String mnemonic, List<String> operands) {

    private static final Pattern LEADING_LABEL = Pattern.compile("\\s*(" + Operands.LABEL.pattern() + ")\\s*:");
    private static final Pattern WORD = Pattern.compile("\\S+");

    static SourceLine parse(String line) throws SyntaxError {
        int hash = line.indexOf('#');
        String code = hash >= 0 ? line.substring(0, hash) : line;
        List<String> labels = new ArrayList<>();
        Matcher lm = LEADING_LABEL.matcher(code);
        while (lm.lookingAt()) {
            labels.add(lm.group(1));
            code = code.substring(lm.end());
            lm = LEADING_LABEL.matcher(code);
        }
        if (code.isBlank()) {
            return new SourceLine(labels, null, List.of());
        }
        // The mnemonic is the longest run of leading words that names one ("lock fetch add32"
        // before "lock"), so that operands such as "local f" in "call local f" stay operands.
        List<String> words = new ArrayList<>();
        List<Integer> ends = new ArrayList<>();
        Matcher wm = WORD.matcher(code);
        while (words.size() < Syntax.MAX_MNEMONIC_WORDS && wm.find()) {
            words.add(wm.group().toLowerCase(Locale.ROOT));
            ends.add(wm.end());
        }
        for (int k = words.size(); k > 0; k--) {
            String mnemonic = String.join(" ", words.subList(0, k));
            if (!Syntax.rows(mnemonic).isEmpty()) {
                return new SourceLine(labels, mnemonic, splitOperands(code.substring(ends.get(k - 1))));
            }
        }
        String shown = words.size() > 1 && Syntax.startsMnemonic(words.get(0)) ? words.get(0) + " " + words.get(1) : words.get(0);
        throw new SyntaxError("unknown mnemonic '" + shown + "'");
    }

    private static List<String> splitOperands(String rest) throws SyntaxError {
        if (rest.isBlank()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (String part : rest.split(",", -1)) {
            String p = part.strip().replaceAll("\\s+", " ");
            if (p.isEmpty()) {
                throw new SyntaxError("empty operand");
            }
            out.add(p);
        }
        return out;
    }
}

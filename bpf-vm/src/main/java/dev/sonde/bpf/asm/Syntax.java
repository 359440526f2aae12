package dev.sonde.bpf.asm;

import dev.sonde.bpf.isa.Op;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How assembly text spells the rows of {@link Op}: the mnemonic comes from the row, the operand
 * template from its {@link Op.Shape}. The assembler and the disassembler both read this class, so
 * what one writes the other reads. Nothing here knows an encoding; that stays in {@link Op}.
 */
final class Syntax {
    private Syntax() {
    }

    /** One operand position of a template, with the form it is written in. */
    enum Operand {
        /** {@code %rN} into dst. */
        DST("%rD"),
        /** {@code %rN} into src. */
        SRC("%rS"),
        /** A 32-bit immediate (also a helper id). */
        IMM("imm"),
        /** {@code [%rN+off]} into dst and off. */
        DST_MEM("[%rD+off]"),
        /** {@code [%rN+off]} into src and off. */
        SRC_MEM("[%rS+off]"),
        /** A label or {@code +n}/{@code -n}, into the 16-bit offset. */
        OFF_TARGET("label|+off"),
        /** A label or {@code +n}/{@code -n}, into imm (gotol). */
        IMM_TARGET("label|+off"),
        /** {@code local} then a label or {@code +n}/{@code -n}, into imm. */
        LOCAL_TARGET("local label|+off"),
        /** A 64-bit immediate, or for pseudo-source rows {@code kind:imm[:next]}. */
        IMM64("imm64");

        final String placeholder;

        Operand(String placeholder) {
            this.placeholder = placeholder;
        }
    }

    private static final Map<String, List<Op>> BY_MNEMONIC;
    /** Words in the longest mnemonic ({@code lock fetch add32} has three). */
    static final int MAX_MNEMONIC_WORDS;

    static {
        Map<String, List<Op>> m = new HashMap<>();
        int words = 1;
        for (Op op : Op.values()) {
            List<String> names = new ArrayList<>();
            names.add(op.mnemonic);
            names.addAll(op.aliases);
            for (String name : names) {
                m.computeIfAbsent(name, k -> new ArrayList<>()).add(op);
                words = Math.max(words, name.split(" ").length);
            }
        }
        m.replaceAll((k, v) -> Collections.unmodifiableList(v));
        BY_MNEMONIC = Collections.unmodifiableMap(m);
        MAX_MNEMONIC_WORDS = words;
    }

    /** The rows spelled {@code mnemonic} (lower case, words separated by one space), in table order. */
    static List<Op> rows(String mnemonic) {
        return BY_MNEMONIC.getOrDefault(mnemonic, List.of());
    }

    /** True when {@code word} is the first of a several-word mnemonic ({@code lock}). */
    static boolean startsMnemonic(String word) {
        return BY_MNEMONIC.keySet().stream().anyMatch(k -> k.startsWith(word + " "));
    }

    static List<Operand> operands(Op.Shape shape) {
        return switch (shape) {
            case ALU_K -> List.of(Operand.DST, Operand.IMM);
            case ALU_X, MOVSX -> List.of(Operand.DST, Operand.SRC);
            case UNARY, END, CALLX -> List.of(Operand.DST);
            case JMP_K -> List.of(Operand.DST, Operand.IMM, Operand.OFF_TARGET);
            case JMP_X -> List.of(Operand.DST, Operand.SRC, Operand.OFF_TARGET);
            case JA -> List.of(Operand.OFF_TARGET);
            case JA32 -> List.of(Operand.IMM_TARGET);
            case CALL -> List.of(Operand.IMM);
            case CALL_LOCAL -> List.of(Operand.LOCAL_TARGET);
            case EXIT -> List.of();
            case LDX, LOAD_ACQ -> List.of(Operand.DST, Operand.SRC_MEM);
            case ST -> List.of(Operand.DST_MEM, Operand.IMM);
            case STX, ATOMIC, STORE_REL -> List.of(Operand.DST_MEM, Operand.SRC);
            case LDDW -> List.of(Operand.DST, Operand.IMM64);
        };
    }

    /**
     * The name of an {@code lddw} row's pseudo source as written before the colon
     * ({@code map_fd} for {@link Op#LDDW_MAP_FD}), taken from the row's name so that no second list
     * of kinds exists; null for the plain 64-bit immediate and for every other row.
     */
    static String pseudoName(Op op) {
        if (op.shape != Op.Shape.LDDW || op == Op.LDDW) {
            return null;
        }
        return op.name().substring("LDDW_".length()).toLowerCase(Locale.ROOT);
    }

    /** True when {@code text} is written in the form {@code kind} expects (its content may still be bad). */
    static boolean fits(Op op, Operand kind, String text) {
        boolean reg = text.startsWith("%");
        boolean mem = text.startsWith("[");
        boolean local = text.startsWith("local ") || text.equals("local");
        boolean value = !reg && !mem && !local && !text.isEmpty();
        return switch (kind) {
            case DST, SRC -> reg;
            case DST_MEM, SRC_MEM -> mem;
            case IMM, OFF_TARGET, IMM_TARGET -> value;
            case LOCAL_TARGET -> local;
            case IMM64 -> {
                String pseudo = pseudoName(op);
                yield pseudo == null ? value && text.indexOf(':') < 0 : text.startsWith(pseudo + ":");
            }
        };
    }

    /** How a row is written, for error messages: {@code add %rD, imm}. */
    static String form(Op op) {
        StringBuilder sb = new StringBuilder(op.mnemonic);
        String sep = " ";
        for (Operand o : operands(op.shape)) {
            sb.append(sep);
            sep = ", ";
            String pseudo = pseudoName(op);
            if (o == Operand.IMM64 && pseudo != null) {
                sb.append(pseudo).append(op == Op.LDDW_FUNC ? ":label|+off" : ":imm").append("[:next]");
            } else {
                sb.append(o.placeholder);
            }
        }
        return sb.toString();
    }
}

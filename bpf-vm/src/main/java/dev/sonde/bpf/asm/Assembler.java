package dev.sonde.bpf.asm;

import dev.sonde.bpf.asm.Operands.Target;
import dev.sonde.bpf.asm.Syntax.Operand;
import dev.sonde.bpf.isa.Encoder;
import dev.sonde.bpf.isa.Insn;
import dev.sonde.bpf.isa.Op;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Assembly text to instructions, in the syntax of the bpf_conformance suite; see the package
 * documentation for the grammar. The mnemonic selects the rows of {@link Op} spelled that way; the
 * operands select among them (a register second operand picks the X form, {@code local} a local
 * call, {@code map_fd:} a pseudo {@code lddw}), so every instruction the table has can be written
 * and nothing else can.
 *
 * <p>Two passes: the first reads every line and places instructions in slots (an {@code lddw}
 * takes two), the second resolves labels to offsets relative to the slot after the jump.
 */
public final class Assembler {
    private Assembler() {
    }

    /** An instruction read in the first pass, its target not yet resolved. */
    private record Pending(int line, String text, Op op, int slot, int dst, int src, int off, long imm,
                           Target target, Operand targetKind) {
    }

    /** Assembles {@code source}; line numbers in errors start at 1. */
    public static List<Insn> assemble(String source) throws AsmException {
        return assemble(source, 1);
    }

    /**
     * Assembles {@code source} whose first line is line {@code firstLine} of some larger file, so
     * that errors name the line in that file.
     */
    public static List<Insn> assemble(String source, int firstLine) throws AsmException {
        String[] lines = source.split("\r?\n", -1);
        Map<String, Integer> labels = new HashMap<>();
        Map<String, Integer> labelLines = new HashMap<>();
        List<Pending> pending = new ArrayList<>();
        int slot = 0;
        int firstExit = -1;
        for (int k = 0; k < lines.length; k++) {
            int lineNo = firstLine + k;
            String text = lines[k];
            try {
                SourceLine sl = SourceLine.parse(text);
                for (String label : sl.labels()) {
                    Integer before = labelLines.putIfAbsent(label, lineNo);
                    if (before != null) {
                        throw new SyntaxError("duplicate label '" + label + "' (first defined on line " + before + ")");
                    }
                    labels.put(label, slot);
                }
                if (sl.mnemonic() == null) {
                    continue;
                }
                Pending p = instruction(lineNo, text, slot, sl);
                if (p.op() == Op.EXIT && firstExit < 0) {
                    firstExit = slot;
                }
                pending.add(p);
                slot += p.op().isWide() ? 2 : 1;
            } catch (SyntaxError e) {
                throw new AsmException(lineNo, text, e.getMessage());
            }
        }
        // As in the bpf_conformance assembler, "exit" names the first exit instruction unless a
        // label of that name exists; the suite's tests jump to it without defining it.
        if (firstExit >= 0) {
            labels.putIfAbsent("exit", firstExit);
        }
        List<Insn> out = new ArrayList<>(pending.size());
        for (Pending p : pending) {
            out.add(resolve(p, labels));
        }
        return out;
    }

    /** Assembles {@code source} to its bytes: 8 little-endian bytes per slot. */
    public static byte[] assembleBytes(String source) throws AsmException {
        return Encoder.encode(assemble(source));
    }

    /** Assembles {@code source}, whose first line is line {@code firstLine}, to its bytes. */
    public static byte[] assembleBytes(String source, int firstLine) throws AsmException {
        return Encoder.encode(assemble(source, firstLine));
    }

    private static Pending instruction(int line, String text, int slot, SourceLine sl) throws SyntaxError {
        Op op = select(sl.mnemonic(), sl.operands());
        List<Operand> kinds = Syntax.operands(op.shape);
        int dst = 0;
        int src = 0;
        int off = 0;
        long imm = 0;
        Target target = null;
        Operand targetKind = null;
        for (int i = 0; i < kinds.size(); i++) {
            String t = sl.operands().get(i);
            switch (kinds.get(i)) {
                case DST -> dst = Operands.register(t);
                case SRC -> src = Operands.register(t);
                case IMM -> imm = Operands.imm32(t, op.shape == Op.Shape.CALL ? "helper id" : "immediate");
                case DST_MEM -> {
                    Operands.Mem m = Operands.memory(t);
                    dst = m.reg();
                    off = m.off();
                }
                case SRC_MEM -> {
                    Operands.Mem m = Operands.memory(t);
                    src = m.reg();
                    off = m.off();
                }
                case OFF_TARGET, IMM_TARGET -> {
                    target = Operands.target(t);
                    targetKind = kinds.get(i);
                }
                case LOCAL_TARGET -> {
                    target = Operands.target(t.substring("local".length()).strip());
                    targetKind = Operand.IMM_TARGET;
                }
                case IMM64 -> {
                    String pseudo = Syntax.pseudoName(op);
                    if (pseudo == null) {
                        imm = Operands.imm64(t);
                        break;
                    }
                    String[] parts = t.substring(pseudo.length() + 1).split(":", -1);
                    if (parts.length > 2) {
                        throw new SyntaxError("bad operand '" + t + "' (expected " + pseudo + ":imm[:next])");
                    }
                    long next = parts.length == 2 ? Operands.imm32(parts[1], "next immediate") : 0;
                    long low = 0;
                    if (op == Op.LDDW_FUNC) {
                        target = Operands.target(parts[0]);
                        targetKind = Operand.IMM_TARGET;
                    } else {
                        low = Operands.imm32(parts[0], "immediate");
                    }
                    imm = (low & 0xffffffffL) | next << 32;
                }
            }
        }
        return new Pending(line, text, op, slot, dst, src, off, imm, target, targetKind);
    }

    /** The first row of the mnemonic whose operand template the operands fit. */
    private static Op select(String mnemonic, List<String> operands) throws SyntaxError {
        List<Op> rows = Syntax.rows(mnemonic);
        for (Op op : rows) {
            List<Operand> kinds = Syntax.operands(op.shape);
            if (kinds.size() != operands.size()) {
                continue;
            }
            boolean all = true;
            for (int i = 0; i < kinds.size() && all; i++) {
                all = Syntax.fits(op, kinds.get(i), operands.get(i));
            }
            if (all) {
                return op;
            }
        }
        StringJoiner forms = new StringJoiner(" | ");
        rows.stream().map(Syntax::form).distinct().forEach(forms::add);
        throw new SyntaxError("bad operands for '" + mnemonic + "' (expected " + forms + ")");
    }

    private static Insn resolve(Pending p, Map<String, Integer> labels) throws AsmException {
        Op op = p.op();
        int off = p.off();
        long imm = p.imm();
        if (p.target() != null) {
            long offset = p.target().offset();
            if (p.target().isLabel()) {
                Integer slot = labels.get(p.target().label());
                if (slot == null) {
                    throw new AsmException(p.line(), p.text(), "undefined label '" + p.target().label() + "'");
                }
                offset = slot - (p.slot() + 1L);
            }
            if (p.targetKind() == Operand.OFF_TARGET) {
                if (offset < Short.MIN_VALUE || offset > Short.MAX_VALUE) {
                    throw new AsmException(p.line(), p.text(), "jump offset " + offset
                        + " out of 16-bit range (-32768..32767); ja32 (gotol) takes a 32-bit offset");
                }
                off = (int) offset;
            } else {
                if (offset < Integer.MIN_VALUE || offset > Integer.MAX_VALUE) {
                    throw new AsmException(p.line(), p.text(), "offset " + offset + " out of 32-bit range");
                }
                imm = op.isWide() ? (imm & 0xffffffff00000000L) | (offset & 0xffffffffL) : offset;
            }
        }
        // Fill the discriminating field as the decoder reports it, so that assembled and decoded
        // instructions compare equal.
        int src = op.discr == Op.Discr.SRC ? op.discrValue : p.src();
        if (op.discr == Op.Discr.OFF) {
            off = op.discrValue;
        }
        if (op.discr == Op.Discr.IMM) {
            imm = op.discrValue;
        }
        return Insn.of(op, p.dst(), src, off, imm);
    }
}

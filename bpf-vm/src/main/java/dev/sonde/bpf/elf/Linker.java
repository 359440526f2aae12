package dev.sonde.bpf.elf;

import dev.sonde.bpf.isa.DecodeException;
import dev.sonde.bpf.isa.Decoder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds one self-contained instruction array per entry program, as libbpf's
 * {@code bpf_object__reloc_code} does:
 *
 * <ol>
 * <li>Copy the program's own instructions.</li>
 * <li>Walk the copied instructions in order. A bpf-to-bpf call or a code-address {@code lddw}
 *     that names a {@code .text} function not yet in the array appends that whole function at the
 *     end; appended functions are walked in turn, so everything reachable ends up in the array,
 *     each function exactly once, in first-reference order.</li>
 * <li>Rewrite each call and code address to be pc-relative within the array
 *     ({@code imm = callee start - pc - 1}), each map {@code lddw} to src=1 with the map index, each
 *     global-data {@code lddw} to src=2 with the map index and next_imm = value offset.</li>
 * <li>Decode the result, so a program that leaves the parser is well-formed instruction by
 *     instruction (control flow is the verifier's business).</li>
 * </ol>
 *
 * Termination: a function is appended only when absent, and there are finitely many.
 */
final class Linker {
    private final CodeSection text;
    private final BtfExt ext;

    Linker(CodeSection text, BtfExt ext) {
        this.text = text;
        this.ext = ext;
    }

    private record Piece(CodeSection code, CodeSection.Function fn, int slot) {
    }

    /** The linked array being built: grows by whole functions. */
    private static final class Buffer {
        byte[] bytes;
        int used;

        Buffer(int capacity) {
            bytes = new byte[capacity];
        }

        Piece append(CodeSection code, CodeSection.Function fn) {
            int n = fn.length() * 8;
            if (bytes.length - used < n) {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, used + n));
            }
            code.copy(fn.slot(), fn.length(), bytes, used);
            Piece p = new Piece(code, fn, used / 8);
            used += n;
            return p;
        }
    }

    LinkedProgram link(CodeSection section, CodeSection.Function program, RelocationResolver resolver)
            throws ObjectFormatException {
        List<Piece> pieces = new ArrayList<>();
        Map<Integer, Integer> placedText = new HashMap<>();
        Buffer out = new Buffer(program.length() * 8);
        pieces.add(out.append(section, program));
        List<Ref> refs = new ArrayList<>();
        for (int i = 0; i < pieces.size(); i++) {
            Piece piece = pieces.get(i);
            CodeSection code = piece.code();
            for (int s = piece.fn().slot(); s < piece.fn().end(); s++) {
                if (!code.isStart(s)) {
                    continue;
                }
                int pc = piece.slot() + s - piece.fn().slot();
                CodeSection.Target t = code.target(s);
                String where = code.section.describe() + ": slot " + s + " (in '" + piece.fn().name() + "')";
                if (code.opcode(s) == CodeSection.LDDW) {
                    if (t == null) {
                        if (code.src(s) != 0) {
                            throw new ObjectFormatException(where + ": lddw with pseudo source " + code.src(s)
                                + " but no relocation");
                        }
                        continue;
                    }
                    switch (t.kind()) {
                        case MAP -> {
                            setLddw(out.bytes, pc, Ref.Kind.MAP.pseudoSource, t.mapIndex(), 0);
                            refs.add(Ref.map(pc, t.mapIndex()));
                        }
                        case MAP_VALUE -> {
                            setLddw(out.bytes, pc, Ref.Kind.MAP_VALUE.pseudoSource, t.mapIndex(), t.offset());
                            refs.add(Ref.mapValue(pc, t.mapIndex(), t.offset()));
                        }
                        case FUNC -> {
                            int start = placeText(t.textSlot(), placedText, pieces, out);
                            setLddw(out.bytes, pc, Ref.Kind.FUNC.pseudoSource, start - pc - 1, 0);
                            refs.add(Ref.func(pc, start));
                        }
                    }
                } else if (code.isLocalCall(s)) {
                    int textSlot;
                    if (t != null) {
                        textSlot = t.textSlot();
                    } else if (code.isText) {
                        // A call inside .text may come without relocation: clang already wrote pc-relative imm.
                        textSlot = resolver.textFunction((long) s + code.imm(s) + 1, where);
                    } else {
                        throw new ObjectFormatException(where + ": bpf-to-bpf call without relocation outside .text");
                    }
                    int start = placeText(textSlot, placedText, pieces, out);
                    setImm(out.bytes, pc * 8 + 4, start - pc - 1);
                }
            }
        }
        byte[] insns = Arrays.copyOf(out.bytes, out.used);
        List<LinkedProgram.Function> functions = new ArrayList<>();
        List<LineInfo> lines = new ArrayList<>();
        for (Piece p : pieces) {
            functions.add(new LinkedProgram.Function(p.fn().name(), p.code().name(), p.fn().slot(), p.slot(),
                p.fn().length(), btfFuncId(p)));
            for (LineInfo l : ext.lineInfo(p.code().name())) {
                if (l.slot() >= p.fn().slot() && l.slot() < p.fn().end()) {
                    lines.add(l.withSlot(p.slot() + l.slot() - p.fn().slot()));
                }
            }
        }
        lines.sort(Comparator.comparingInt(LineInfo::slot));
        refs.sort(Comparator.comparingInt(Ref::slot));
        LinkedProgram linked = new LinkedProgram(program.name(), section.name(), SecName.parse(section.name()), insns,
            functions, refs, lines);
        checkDecodes(linked, insns);
        return linked;
    }

    private int placeText(int textSlot, Map<Integer, Integer> placed, List<Piece> pieces, Buffer out) {
        Integer at = placed.get(textSlot);
        if (at == null) {
            Piece p = out.append(text, text.functionStartingAt(textSlot));
            pieces.add(p);
            at = p.slot();
            placed.put(textSlot, at);
        }
        return at;
    }

    private int btfFuncId(Piece p) {
        for (FuncInfo f : ext.funcInfo(p.code().name())) {
            if (f.slot() == p.fn().slot()) {
                return f.typeId();
            }
        }
        return 0;
    }

    private static void setLddw(byte[] out, int pc, int src, int imm, int nextImm) {
        int p = pc * 8;
        out[p + 1] = (byte) (out[p + 1] & 0x0f | src << 4);
        setImm(out, p + 4, imm);
        setImm(out, p + 12, nextImm);
    }

    private static void setImm(byte[] out, int p, int v) {
        out[p] = (byte) v;
        out[p + 1] = (byte) (v >> 8);
        out[p + 2] = (byte) (v >> 16);
        out[p + 3] = (byte) (v >> 24);
    }

    private static void checkDecodes(LinkedProgram linked, byte[] insns) throws ObjectFormatException {
        try {
            Decoder.decode(insns);
        } catch (DecodeException e) {
            StringBuilder msg = new StringBuilder("program '" + linked.name() + "' in section '" + linked.section() + "'");
            linked.functionAt(e.slot()).ifPresent(f -> msg.append(", function '").append(f.name()).append("' in section '")
                .append(f.section()).append("' slot ").append(f.sectionSlot() + e.slot() - f.slot()));
            linked.lineAt(e.slot()).ifPresent(l -> msg.append(" (at ").append(l.location()).append(')'));
            throw new ObjectFormatException(msg + ": " + e.getMessage());
        }
    }
}

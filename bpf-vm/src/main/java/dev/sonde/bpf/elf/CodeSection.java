package dev.sonde.bpf.elf;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An executable section: its instruction bytes, the functions its FUNC symbols delimit, where
 * each instruction starts (an {@code lddw} covers two slots), and — once
 * {@link RelocationResolver} has run — what each relocated instruction refers to.
 */
final class CodeSection {
    /** A FUNC symbol's range, in slots of this section. */
    record Function(String name, int slot, int length, boolean global) {
        int end() {
            return slot + length;
        }
    }

    /**
     * A resolved relocation. MAP / MAP_VALUE: {@code mapIndex} (and {@code offset}) into the
     * object's map list. FUNC: {@code textSlot}, the first slot of a {@code .text} function —
     * for an {@code lddw} a code address, for a {@code call} the callee.
     */
    record Target(Ref.Kind kind, int mapIndex, int offset, int textSlot) {
    }

    static final int LDDW = 0x18;
    static final int CALL = 0x85;

    final ElfSection section;
    final boolean isText;
    private final byte[] code;
    private final boolean[] starts;
    final List<Function> functions;
    private final Map<Integer, Function> byStart = new HashMap<>();
    private final Map<Integer, Target> targets = new HashMap<>();

    private CodeSection(ElfSection section, boolean isText, byte[] code, boolean[] starts, List<Function> functions) {
        this.section = section;
        this.isText = isText;
        this.code = code;
        this.starts = starts;
        this.functions = functions;
        for (Function f : functions) {
            byStart.put(f.slot(), f);
        }
    }

    static CodeSection read(ElfFile elf, ElfSection s, boolean isText) throws ObjectFormatException {
        if (s.size() % 8 != 0) {
            throw new ObjectFormatException(s.describe() + ": size " + s.size() + " is not a multiple of 8 (one instruction slot)");
        }
        byte[] code = elf.data(s).bytes(0, s.size());
        int n = code.length / 8;
        boolean[] starts = new boolean[n];
        for (int i = 0; i < n; i++) {
            starts[i] = true;
            if ((code[i * 8] & 0xff) == LDDW) {
                i++;  // the second half of an lddw is no instruction
            }
        }
        List<Function> functions = new ArrayList<>();
        for (ElfSymbol sym : elf.symbols()) {
            if (sym.shndx() != s.index() || !sym.isFunction()) {
                continue;
            }
            if (!isText && !sym.isGlobal()) {
                // libbpf refuses static entry programs too: nothing could attach them by name.
                throw new ObjectFormatException(s.describe() + ": " + sym.describe()
                    + " is a static function in a program section; programs must be global");
            }
            if (sym.value() % 8 != 0 || sym.size() % 8 != 0 || sym.size() <= 0 || sym.value() < 0
                    || sym.value() > s.size() || sym.size() > s.size() - sym.value()) {
                throw new ObjectFormatException(String.format("%s: %s: value 0x%x, size 0x%x is not a whole run of"
                    + " instructions inside the section's %d bytes", s.describe(), sym.describe(), sym.value(), sym.size(), s.size()));
            }
            int slot = (int) (sym.value() / 8);
            if (!starts[slot]) {
                throw new ObjectFormatException(s.describe() + ": " + sym.describe() + " starts in the middle of an lddw at slot "
                    + (slot - 1));
            }
            int end = (int) ((sym.value() + sym.size()) / 8);
            if (end < n && !starts[end]) {
                throw new ObjectFormatException(s.describe() + ": " + sym.describe() + " ends in the middle of the lddw at slot "
                    + (end - 1));
            }
            functions.add(new Function(sym.name(), slot, (int) (sym.size() / 8), sym.isGlobal()));
        }
        functions.sort(Comparator.comparingInt(Function::slot));
        for (int i = 1; i < functions.size(); i++) {
            Function a = functions.get(i - 1);
            Function b = functions.get(i);
            if (b.slot() < a.end()) {
                throw new ObjectFormatException(s.describe() + ": functions '" + a.name() + "' and '" + b.name() + "' overlap");
            }
        }
        if (!isText && functions.isEmpty() && n > 0) {
            throw new ObjectFormatException(s.describe() + ": " + n + " instructions but no FUNC symbol naming a program");
        }
        return new CodeSection(s, isText, code, starts, Collections.unmodifiableList(functions));
    }

    String name() {
        return section.name();
    }

    int slots() {
        return starts.length;
    }

    boolean isStart(int slot) {
        return slot >= 0 && slot < starts.length && starts[slot];
    }

    int opcode(int slot) {
        return code[slot * 8] & 0xff;
    }

    int src(int slot) {
        return (code[slot * 8 + 1] & 0xff) >>> 4;
    }

    int imm(int slot) {
        int p = slot * 8 + 4;
        return (code[p] & 0xff) | (code[p + 1] & 0xff) << 8 | (code[p + 2] & 0xff) << 16 | code[p + 3] << 24;
    }

    /** True for {@code call} with src=1, a bpf-to-bpf call. */
    boolean isLocalCall(int slot) {
        return opcode(slot) == CALL && src(slot) == 1;
    }

    /** Copies slots {@code [from, from+count)} to {@code out} at byte {@code at}. */
    void copy(int from, int count, byte[] out, int at) {
        System.arraycopy(code, from * 8, out, at, count * 8);
    }

    /** The function starting exactly at {@code slot}, or null. */
    Function functionStartingAt(int slot) {
        return byStart.get(slot);
    }

    void setTarget(int slot, Target t) {
        targets.put(slot, t);
    }

    /** The resolved relocation at {@code slot}, or null if none was there. */
    Target target(int slot) {
        return targets.get(slot);
    }
}

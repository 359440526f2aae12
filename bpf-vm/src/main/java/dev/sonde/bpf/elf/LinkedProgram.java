package dev.sonde.bpf.elf;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * One entry program after linking, as libbpf hands it to {@code BPF_PROG_LOAD}: its own
 * instructions followed by every {@code .text} function it reaches, with calls and code addresses
 * pc-relative within this array and every map and global-data {@code lddw} rewritten to Linux's
 * pseudo sources, a map index in place of the fd.
 *
 * @param name      the C function name
 * @param section   the ELF section name ({@code SEC("...")})
 * @param secName   the section name parsed
 * @param functions the pieces the array is made of, in order; the first is the program itself
 * @param refs      one per relocated {@code lddw}, in slot order
 * @param lineInfo  line info remapped to slots of this array, in slot order
 */
public record LinkedProgram(String name, String section, SecName secName, byte[] insns, List<Function> functions,
                            List<Ref> refs, List<LineInfo> lineInfo) {

    /**
     * A function copied into the linked array.
     *
     * @param name        its symbol name
     * @param section     the ELF section it came from
     * @param sectionSlot its first slot in that section
     * @param slot        its first slot in the linked array
     * @param length      its length in slots
     * @param btfTypeId   its BTF FUNC (from func_info), 0 when the object has none
     */
    public record Function(String name, String section, int sectionSlot, int slot, int length, int btfTypeId) {
    }

    public LinkedProgram {
        insns = insns.clone();
        functions = List.copyOf(functions);
        refs = List.copyOf(refs);
        lineInfo = List.copyOf(lineInfo);
    }

    /** The linked instructions, 8 bytes a slot, little-endian. A fresh copy each call. */
    @Override
    public byte[] insns() {
        return insns.clone();
    }

    public int slots() {
        return insns.length / 8;
    }

    /** The source line of the instruction at {@code slot}: the last line_info at or before it within its function. */
    public Optional<LineInfo> lineAt(int slot) {
        Function f = functionAt(slot).orElse(null);
        if (f == null) {
            return Optional.empty();
        }
        LineInfo best = null;
        for (LineInfo l : lineInfo) {
            if (l.slot() >= f.slot() && l.slot() <= slot) {
                best = l;
            }
        }
        return Optional.ofNullable(best);
    }

    /** The function whose range contains {@code slot}. */
    public Optional<Function> functionAt(int slot) {
        for (Function f : functions) {
            if (slot >= f.slot() && slot < f.slot() + f.length()) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }

    /** The ref of the {@code lddw} at {@code slot}. */
    public Optional<Ref> refAt(int slot) {
        for (Ref r : refs) {
            if (r.slot() == slot) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LinkedProgram p && name.equals(p.name) && section.equals(p.section)
            && Arrays.equals(insns, p.insns) && functions.equals(p.functions) && refs.equals(p.refs)
            && lineInfo.equals(p.lineInfo);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(insns);
    }

    @Override
    public String toString() {
        return "LinkedProgram[" + name + " in " + section + ", " + slots() + " slots, " + functions.size()
            + " functions, " + refs.size() + " refs]";
    }
}

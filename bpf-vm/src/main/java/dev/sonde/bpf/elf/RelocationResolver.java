package dev.sonde.bpf.elf;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks every relocation of a code section and records what it resolves to (libbpf
 * {@code bpf_program__record_reloc}). All relocations are checked, not only those of reachable
 * functions, so a bad one is reported at parse time wherever it is.
 *
 * <table>
 * <caption>What a relocation may be</caption>
 * <tr><th>instruction</th><th>type</th><th>symbol's section</th><th>result</th></tr>
 * <tr><td>lddw</td><td>R_BPF_64_64</td><td>.maps / maps</td><td>MAP: the map at symbol value + imm</td></tr>
 * <tr><td>lddw</td><td>R_BPF_64_64</td><td>global data</td><td>MAP_VALUE at offset symbol value + imm</td></tr>
 * <tr><td>lddw</td><td>R_BPF_64_64</td><td>.text</td><td>FUNC: the function at (value + imm) / 8</td></tr>
 * <tr><td>call src=1</td><td>R_BPF_64_32</td><td>.text</td><td>FUNC: the function at value / 8 + imm + 1</td></tr>
 * </table>
 *
 * The two symbol forms clang uses agree with these formulas: a global symbol carries the offset
 * in its value (imm 0, or -1 for a call), a section symbol (statics, string literals) has value 0
 * and the offset in imm.
 */
final class RelocationResolver {
    /** Which map index sits at which byte offset of a map-definition section, per section index. */
    private final Map<Integer, Map<Long, Integer>> mapsAt;
    /** A global-data section's map index and size. */
    record DataMap(int mapIndex, int size) {
    }

    /** The map of each global-data section, by section index. */
    private final Map<Integer, DataMap> dataMaps;
    private final CodeSection text;

    RelocationResolver(Map<Integer, Map<Long, Integer>> mapsAt, Map<Integer, DataMap> dataMaps, CodeSection text) {
        this.mapsAt = mapsAt;
        this.dataMaps = dataMaps;
        this.text = text;
    }

    void resolve(CodeSection code, ElfSection relSection, List<ElfRelocation> relocations, List<ElfSection> sections)
            throws ObjectFormatException {
        Map<Integer, ElfRelocation> seen = new HashMap<>();
        for (ElfRelocation r : relocations) {
            String where = String.format("%s: relocation #%d at offset 0x%x", relSection.describe(), r.index(), r.offset());
            RelocationType type = RelocationType.of(r.type() & 0xffffffffL);
            if (type == null) {
                throw new ObjectFormatException(where + ": unknown relocation type " + Integer.toUnsignedString(r.type()));
            }
            if (r.offset() < 0 || r.offset() % 8 != 0 || r.offset() >= (long) code.slots() * 8) {
                throw new ObjectFormatException(where + ": not an instruction slot of " + code.section.describe());
            }
            int slot = (int) (r.offset() / 8);
            if (!code.isStart(slot)) {
                throw new ObjectFormatException(where + ": points at the second half of the lddw at slot " + (slot - 1));
            }
            if (seen.put(slot, r) != null) {
                throw new ObjectFormatException(where + ": a second relocation for the instruction at slot " + slot);
            }
            ElfSymbol sym = r.symbol();
            if (!sym.isDefined()) {
                throw new ObjectFormatException(where + ": " + sym.describe() + " is undefined (extern "
                    + "__kconfig/__ksym variables and kfuncs are not supported)");
            }
            ElfSection target = sections.get(sym.shndx());
            int opcode = code.opcode(slot);
            if (opcode == CodeSection.LDDW) {
                requireType(type, RelocationType.R_BPF_64_64, where, "lddw");
                if (slot + 1 >= code.slots()) {
                    throw new ObjectFormatException(where + ": lddw has no second slot");
                }
                code.setTarget(slot, lddwTarget(code, slot, sym, target, where));
            } else if (code.isLocalCall(slot)) {
                requireType(type, RelocationType.R_BPF_64_32, where, "call");
                code.setTarget(slot, callTarget(code, slot, sym, target, where));
            } else {
                throw new ObjectFormatException(String.format("%s: instruction at slot %d (opcode 0x%02x) is neither an lddw"
                    + " nor a bpf-to-bpf call", where, slot, opcode));
            }
        }
    }

    private static void requireType(RelocationType actual, RelocationType wanted, String where, String insn)
            throws ObjectFormatException {
        if (actual != wanted) {
            throw new ObjectFormatException(where + ": " + actual + " is not valid at a " + insn + " (expected " + wanted + ")");
        }
    }

    private CodeSection.Target lddwTarget(CodeSection code, int slot, ElfSymbol sym, ElfSection target, String where)
            throws ObjectFormatException {
        long at = sym.value() + code.imm(slot);
        Map<Long, Integer> maps = mapsAt.get(target.index());
        if (maps != null) {
            Integer index = maps.get(at);
            if (index == null) {
                throw new ObjectFormatException(String.format("%s: %s + %d = offset 0x%x of %s is not the start of a map",
                    where, sym.describe(), code.imm(slot), at, target.describe()));
            }
            return new CodeSection.Target(Ref.Kind.MAP, index, 0, -1);
        }
        DataMap data = dataMaps.get(target.index());
        if (data != null) {
            // The kernel refuses a value pointer that starts outside the value (array_map_direct_value_addr).
            if (at < 0 || at >= data.size()) {
                throw new ObjectFormatException(String.format("%s: %s + %d = offset %d lies outside the %d bytes of %s",
                    where, sym.describe(), code.imm(slot), at, data.size(), target.describe()));
            }
            return new CodeSection.Target(Ref.Kind.MAP_VALUE, data.mapIndex(), (int) at, -1);
        }
        if (text != null && target.index() == text.section.index()) {
            if (at % 8 != 0) {
                throw new ObjectFormatException(where + ": code address .text+" + at + " is not instruction-aligned");
            }
            return new CodeSection.Target(Ref.Kind.FUNC, -1, 0, textFunction(at / 8, where));
        }
        if (target.isExecutable()) {
            throw new ObjectFormatException(where + ": code address in " + target.describe()
                + "; only .text functions can be referenced (as libbpf requires)");
        }
        throw new ObjectFormatException(where + ": lddw refers to " + sym.describe() + " in " + target.describe()
            + ", which is neither a map, global data nor .text");
    }

    private CodeSection.Target callTarget(CodeSection code, int slot, ElfSymbol sym, ElfSection target, String where)
            throws ObjectFormatException {
        if (text == null || target.index() != text.section.index()) {
            throw new ObjectFormatException(where + ": call to " + sym.describe() + " in " + target.describe()
                + "; only .text functions can be called (as libbpf requires)");
        }
        if (sym.value() % 8 != 0) {
            throw new ObjectFormatException(where + ": " + sym.describe() + " value " + sym.value() + " is not instruction-aligned");
        }
        return new CodeSection.Target(Ref.Kind.FUNC, -1, 0, textFunction(sym.value() / 8 + code.imm(slot) + 1, where));
    }

    /** Checks that a .text slot is where a function starts (libbpf always lands on a subprogram's start). */
    int textFunction(long textSlot, String where) throws ObjectFormatException {
        if (text == null || textSlot < 0 || textSlot >= text.slots() || text.functionStartingAt((int) textSlot) == null) {
            throw new ObjectFormatException(where + ": target .text slot " + textSlot + " is not the start of a .text function");
        }
        return (int) textSlot;
    }
}

package dev.sonde.bpf.elf;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Initial PROG_ARRAY slots from {@code .rel.maps}. {@code __array(values, ...)} with
 * {@code .values = {[1] = &tail1}} leaves zeros in the section and one R_BPF_64_ABS64 per slot at
 * {@code map offset + offset of 'values' + 8 * slot}, naming the program (libbpf
 * {@code bpf_object__collect_map_relos}).
 */
final class ProgArrayInit {
    private ProgArrayInit() {
    }

    /** Returns {@code maps} with their initial slots filled in. */
    static List<BtfMaps.Located> apply(List<BtfMaps.Located> maps, ElfSection rel, List<ElfRelocation> relocations,
                                       List<ElfSection> sections, String textName) throws ObjectFormatException {
        List<Map<Integer, String>> slots = new ArrayList<>();
        for (int i = 0; i < maps.size(); i++) {
            slots.add(new TreeMap<>());
        }
        for (ElfRelocation r : relocations) {
            String where = String.format("%s: relocation #%d at offset 0x%x", rel.describe(), r.index(), r.offset());
            RelocationType type = RelocationType.of(r.type() & 0xffffffffL);
            if (type == null) {
                throw new ObjectFormatException(where + ": unknown relocation type " + Integer.toUnsignedString(r.type()));
            }
            if (type != RelocationType.R_BPF_64_ABS64) {
                throw new ObjectFormatException(where + ": " + type + " is not valid in .maps (expected R_BPF_64_ABS64)");
            }
            int index = containing(maps, r.offset());
            if (index < 0) {
                throw new ObjectFormatException(where + ": is inside no map");
            }
            BtfMaps.Located m = maps.get(index);
            long delta = r.offset() - m.offset() - m.valuesOffset();
            if (m.valuesOffset() < 0 || delta < 0 || delta % 8 != 0) {
                throw new ObjectFormatException(where + ": is not a slot of the 'values' of map '" + m.spec().name() + "'");
            }
            long slot = delta / 8;
            if (slot >= m.spec().maxEntries()) {
                throw new ObjectFormatException(where + ": slot " + slot + " is beyond max_entries " + m.spec().maxEntries()
                    + " of map '" + m.spec().name() + "'");
            }
            ElfSymbol sym = r.symbol();
            if (!sym.isDefined() || !sym.isFunction() || !sym.isGlobal()
                    || !sections.get(sym.shndx()).isExecutable() || sections.get(sym.shndx()).name().equals(textName)) {
                throw new ObjectFormatException(where + ": " + sym.describe() + " is not a program (a global function in a"
                    + " program section)");
            }
            if (slots.get(index).put((int) slot, sym.name()) != null) {
                throw new ObjectFormatException(where + ": slot " + slot + " of map '" + m.spec().name() + "' is set twice");
            }
        }
        List<BtfMaps.Located> out = new ArrayList<>(maps.size());
        for (int i = 0; i < maps.size(); i++) {
            BtfMaps.Located m = maps.get(i);
            out.add(new BtfMaps.Located(m.spec().withInitialSlots(slots.get(i)), m.offset(), m.size(), m.valuesOffset()));
        }
        return out;
    }

    private static int containing(List<BtfMaps.Located> maps, long offset) {
        for (int i = 0; i < maps.size(); i++) {
            BtfMaps.Located m = maps.get(i);
            if (offset >= m.offset() && offset - m.offset() < m.size()) {
                return i;
            }
        }
        return -1;
    }
}

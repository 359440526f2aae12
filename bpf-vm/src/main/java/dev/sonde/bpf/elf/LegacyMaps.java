package dev.sonde.bpf.elf;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;

/**
 * Maps of the legacy {@code maps} section: an array of {@code struct bpf_map_def}
 * {@code {u32 type, key_size, value_size, max_entries, map_flags}}, one per symbol. libbpf 1.0
 * dropped them; they cost a few lines, so old objects still load. As libbpf did, the definition
 * size is the section size divided by the number of map symbols.
 */
final class LegacyMaps {
    private LegacyMaps() {
    }

    private static final int DEF_TYPE = 0;
    private static final int DEF_KEY_SIZE = 4;
    private static final int DEF_VALUE_SIZE = 8;
    private static final int DEF_MAX_ENTRIES = 12;
    private static final int DEF_MAP_FLAGS = 16;
    /** Without map_flags: the oldest layout. */
    private static final int MIN_DEF_SIZE = 16;

    static List<BtfMaps.Located> parse(ElfFile elf, ElfSection maps) throws ObjectFormatException {
        List<ElfSymbol> symbols = new ArrayList<>();
        for (ElfSymbol s : elf.symbols()) {
            if (s.shndx() == maps.index() && !s.isSection() && s.isGlobal()) {
                symbols.add(s);
            }
        }
        if (symbols.isEmpty()) {
            return List.of();
        }
        if (maps.isNobits()) {
            throw new ObjectFormatException(maps.describe() + ": legacy map definitions cannot be NOBITS");
        }
        long defSize = maps.size() / symbols.size();
        if (defSize < MIN_DEF_SIZE || maps.size() % symbols.size() != 0) {
            throw new ObjectFormatException(maps.describe() + ": " + maps.size() + " bytes do not divide into "
                + symbols.size() + " struct bpf_map_def of at least " + MIN_DEF_SIZE + " bytes");
        }
        ByteView data = elf.data(maps);
        List<BtfMaps.Located> out = new ArrayList<>();
        for (ElfSymbol s : symbols) {
            String where = maps.describe() + ": map '" + s.name() + "'";
            if (s.value() < 0 || s.value() % defSize != 0 || s.value() > maps.size() - defSize) {
                throw new ObjectFormatException(where + ": offset " + s.value() + " is not a definition slot");
            }
            long at = s.value();
            long flags = defSize >= DEF_MAP_FLAGS + 4 ? data.u32(at + DEF_MAP_FLAGS) : 0;
            MapSpec spec = new MapSpec(s.name(), data.s32(at + DEF_TYPE), checked(data.u32(at + DEF_KEY_SIZE), where),
                checked(data.u32(at + DEF_VALUE_SIZE), where), checked(data.u32(at + DEF_MAX_ENTRIES), where), (int) flags, 0,
                0, 0, new TreeMap<>());
            out.add(new BtfMaps.Located(spec, at, defSize, -1));
        }
        out.sort(Comparator.comparingLong(BtfMaps.Located::offset));
        for (int i = 1; i < out.size(); i++) {
            if (out.get(i).offset() == out.get(i - 1).offset()) {
                throw new ObjectFormatException(maps.describe() + ": maps '" + out.get(i - 1).spec().name() + "' and '"
                    + out.get(i).spec().name() + "' share offset " + out.get(i).offset());
            }
        }
        return out;
    }

    private static int checked(long v, String where) throws ObjectFormatException {
        if (v > Integer.MAX_VALUE) {
            throw new ObjectFormatException(where + ": size or max_entries " + v + " is too large");
        }
        return (int) v;
    }
}

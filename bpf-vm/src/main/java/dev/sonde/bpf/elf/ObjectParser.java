package dev.sonde.bpf.elf;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * The steps of {@link BpfObjectFile#parse}, in dependency order:
 *
 * <ol>
 * <li>ELF: header, sections, symbols ({@link ElfFile}).</li>
 * <li>Sort sections by role; each role that must be unique is checked to be.</li>
 * <li>BTF and .BTF.ext (maps need BTF; line info needs BTF strings).</li>
 * <li>Maps: BTF-defined (+ {@code .rel.maps} initial slots), legacy, then global data. Their
 *     order is the map index every {@link Ref} uses.</li>
 * <li>Code sections: functions, then every relocation resolved against the maps.</li>
 * <li>Link each program.</li>
 * </ol>
 */
final class ObjectParser {
    private final ElfFile elf;
    private ElfSection text;
    private ElfSection mapsSection;
    private ElfSection legacyMaps;
    private ElfSection btfSection;
    private ElfSection extSection;
    private ElfSection license;
    private ElfSection version;
    private final List<ElfSection> programSections = new ArrayList<>();
    private final List<ElfSection> dataSections = new ArrayList<>();
    /** Relocation section by the index of the section it relocates. */
    private final Map<Integer, ElfSection> relFor = new HashMap<>();

    private ObjectParser(ElfFile elf) {
        this.elf = elf;
    }

    static BpfObjectFile parse(String objectName, byte[] bytes) throws ObjectFormatException {
        ObjectParser p = new ObjectParser(ElfFile.parse(bytes));
        p.classify();
        return p.build(objectName);
    }

    private void classify() throws ObjectFormatException {
        List<ElfSection> sections = elf.sections();
        for (ElfSection s : sections.subList(1, sections.size())) {
            if (s.type() == ElfLayout.SHT_REL || s.type() == ElfLayout.SHT_RELA) {
                if (s.info() <= 0 || s.info() >= sections.size()) {
                    throw new ObjectFormatException(s.describe() + ": sh_info " + Integer.toUnsignedString(s.info())
                        + " is not a section");
                }
                if (s.type() == ElfLayout.SHT_RELA) {
                    if (sections.get(s.info()).isExecutable()) {
                        throw new ObjectFormatException(s.describe() + ": RELA relocations are not used by BPF (expected REL)");
                    }
                    continue;
                }
                ElfSection before = relFor.put(s.info(), s);
                if (before != null) {
                    throw new ObjectFormatException(s.describe() + ": a second relocation section for section [" + s.info()
                        + "] (the first is " + before.describe() + ")");
                }
            } else if (s.isExecutable()) {
                if (s.name().equals(".text")) {
                    text = unique(text, s);
                } else {
                    programSections.add(s);
                }
            } else if (DataSections.isDataSection(s)) {
                dataSections.add(s);
            } else {
                switch (s.name()) {
                    case ".maps" -> mapsSection = unique(mapsSection, s);
                    case "maps" -> legacyMaps = unique(legacyMaps, s);
                    case ".BTF" -> btfSection = unique(btfSection, s);
                    case ".BTF.ext" -> extSection = unique(extSection, s);
                    case "license" -> license = unique(license, s);
                    case "version" -> version = unique(version, s);
                    default -> {
                        // .debug_*, .llvm_addrsig, string and symbol tables: nothing to load.
                    }
                }
            }
        }
        for (int i = 0; i < dataSections.size(); i++) {
            for (int j = 0; j < i; j++) {
                if (dataSections.get(i).name().equals(dataSections.get(j).name())) {
                    unique(dataSections.get(j), dataSections.get(i));
                }
            }
        }
    }

    private static ElfSection unique(ElfSection previous, ElfSection s) throws ObjectFormatException {
        if (previous != null) {
            throw new ObjectFormatException(s.describe() + ": a second section of this name (the first is "
                + previous.describe() + ")");
        }
        return s;
    }

    private BpfObjectFile build(String objectName) throws ObjectFormatException {
        Btf btf = btfSection == null ? null : Btf.parse(elf.data(btfSection));
        BtfExt ext = BtfExt.EMPTY;
        if (extSection != null) {
            if (btf == null) {
                throw new ObjectFormatException(extSection.describe() + ": .BTF.ext without .BTF");
            }
            ext = BtfExt.parse(elf.data(extSection), btf);
        }

        List<MapDefinition> maps = new ArrayList<>();
        Map<Integer, Map<Long, Integer>> mapsAt = new HashMap<>();
        if (mapsSection != null) {
            if (btf == null) {
                throw new ObjectFormatException(mapsSection.describe() + ": BTF-defined maps need a .BTF section");
            }
            List<BtfMaps.Located> located = BtfMaps.parse(btf, elf, mapsSection);
            ElfSection rel = relFor.get(mapsSection.index());
            if (rel != null) {
                located = ProgArrayInit.apply(located, rel, elf.relocations(rel), elf.sections(), ".text");
            }
            addMaps(maps, mapsAt, mapsSection, located);
        }
        if (legacyMaps != null) {
            addMaps(maps, mapsAt, legacyMaps, LegacyMaps.parse(elf, legacyMaps));
        }
        Map<Integer, RelocationResolver.DataMap> dataMaps = new HashMap<>();
        for (ElfSection s : dataSections) {
            if (s.size() == 0) {
                continue;  // as libbpf: an empty section gets no map, and nothing can point into it
            }
            DataSpec d = DataSections.read(elf, s);
            dataMaps.put(s.index(), new RelocationResolver.DataMap(maps.size(), d.size()));
            maps.add(d);
        }

        CodeSection textCode = text == null ? null : CodeSection.read(elf, text, true);
        List<CodeSection> code = new ArrayList<>();
        if (textCode != null) {
            code.add(textCode);
        }
        for (ElfSection s : programSections) {
            code.add(CodeSection.read(elf, s, false));
        }
        RelocationResolver resolver = new RelocationResolver(mapsAt, dataMaps, textCode);
        for (CodeSection c : code) {
            ElfSection rel = relFor.get(c.section.index());
            if (rel != null) {
                resolver.resolve(c, rel, elf.relocations(rel), elf.sections());
            }
            checkExt(c, ext, btf);
        }

        Linker linker = new Linker(textCode, ext);
        List<LinkedProgram> programs = new ArrayList<>();
        for (CodeSection c : code) {
            if (c.isText) {
                continue;
            }
            for (CodeSection.Function f : c.functions) {
                programs.add(linker.link(c, f, resolver));
            }
        }
        return new BpfObjectFile(objectName, maps, programs, licenseString(), kernelVersion(), btf, ext);
    }

    private static void addMaps(List<MapDefinition> maps, Map<Integer, Map<Long, Integer>> mapsAt, ElfSection s,
                                List<BtfMaps.Located> located) {
        Map<Long, Integer> at = new HashMap<>();
        for (BtfMaps.Located m : located) {
            at.put(m.offset(), maps.size());
            maps.add(m.spec());
        }
        mapsAt.put(s.index(), at);
    }

    /** func_info must name FUNCs and both kinds of info must point inside their section. */
    private static void checkExt(CodeSection c, BtfExt ext, Btf btf) throws ObjectFormatException {
        for (FuncInfo f : ext.funcInfo(c.name())) {
            if (f.slot() >= c.slots() || !(btf.type(f.typeId()) instanceof BtfType.Func)) {
                throw new ObjectFormatException(".BTF.ext: func_info for " + c.section.describe() + " at slot " + f.slot()
                    + " (type " + f.typeId() + ") is outside the section or not a FUNC");
            }
        }
        for (LineInfo l : ext.lineInfo(c.name())) {
            if (l.slot() >= c.slots()) {
                throw new ObjectFormatException(".BTF.ext: line_info for " + c.section.describe() + " at slot " + l.slot()
                    + " is beyond the section's " + c.slots() + " slots");
            }
        }
    }

    /** The licence string: up to the first NUL, or the whole section if it has none (libbpf copies that far). */
    private String licenseString() throws ObjectFormatException {
        if (license == null || license.isNobits()) {
            return "";
        }
        byte[] b = elf.data(license).bytes(0, license.size());
        int n = 0;
        while (n < b.length && b[n] != 0) {
            n++;
        }
        return new String(b, 0, n, StandardCharsets.UTF_8);
    }

    private OptionalInt kernelVersion() throws ObjectFormatException {
        if (version == null) {
            return OptionalInt.empty();
        }
        if (version.size() != 4 || version.isNobits()) {
            throw new ObjectFormatException(version.describe() + ": size " + version.size() + ", expected a 4-byte u32");
        }
        return OptionalInt.of(elf.data(version).s32(0));
    }
}

package dev.sonde.bpf.elf;

import static org.junit.jupiter.api.Assertions.*;

import dev.sonde.bpf.isa.Decoder;
import dev.sonde.bpf.isa.Insn;
import dev.sonde.bpf.isa.Op;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each example object against {@code inspect.out.txt}: BTF kinds, func/line info, maps, global
 * data, code sections and functions, and every relocation with the resolution the independent
 * parser says a loader must apply — checked in the linked programs (Ref records and the rewritten
 * lddw/call fields).
 *
 * <p>inspect.out.txt predates the objects' rebuild with {@code -fdebug-prefix-map}: its file
 * names carry the old directory (and its BTF str_len is larger by that much). File names are
 * compared by their last path element, str_len is not compared.
 */
class InspectComparisonTest {
    private static final Map<String, InspectOut.ObjectE> EXPECTED =
        InspectOut.parse(Examples.text("/examples/inspect.out.txt"));

    static List<String> names() {
        return Examples.NAMES;
    }

    @Test
    void inspectCoversEveryExample() {
        assertEquals(Set.copyOf(Examples.NAMES), EXPECTED.keySet());
    }

    @ParameterizedTest
    @MethodSource("names")
    void btfMatches(String name) throws Exception {
        InspectOut.ObjectE e = EXPECTED.get(name);
        Btf btf = Examples.parse(name).btf().orElseThrow();
        assertEquals(e.typeCount, btf.size() - 1, "type count");
        Map<String, Integer> kinds = new HashMap<>();
        for (BtfType t : btf.types().subList(1, btf.size())) {
            kinds.merge(t.kind().name(), 1, Integer::sum);
        }
        assertEquals(e.kinds, kinds);
    }

    @ParameterizedTest
    @MethodSource("names")
    void btfExtMatches(String name) throws Exception {
        InspectOut.ObjectE e = EXPECTED.get(name);
        BpfObjectFile obj = Examples.parse(name);
        Btf btf = obj.btf().orElseThrow();
        BtfExt ext = obj.btfExt();
        int funcs = 0;
        int lines = 0;
        for (String s : ext.sections()) {
            funcs += ext.funcInfo(s).size();
            lines += ext.lineInfo(s).size();
        }
        assertEquals(e.funcInfoRecords, funcs);
        assertEquals(e.funcInfos.size(), funcs, "inspect lists every func_info");
        assertEquals(e.lineInfoRecords, lines);
        assertEquals(0, e.coreReloRecords);
        for (InspectOut.FuncInfoE f : e.funcInfos) {
            assertTrue(ext.funcInfo(f.section()).contains(new FuncInfo(f.insnOff() / 8, f.typeId())), f.toString());
            BtfType t = btf.type(f.typeId());
            assertEquals(BtfKind.FUNC, t.kind());
            assertEquals(f.name(), t.name());
        }
        assertFalse(e.lines.isEmpty());
        for (InspectOut.LineE l : e.lines) {
            String base = l.fileTail().substring(l.fileTail().lastIndexOf('/') + 1);
            assertTrue(ext.lineInfo(l.section()).stream().anyMatch(x -> x.slot() == l.insnOff() / 8 && x.line() == l.line()
                && x.column() == l.col() && x.file().endsWith("/" + base)), l + " in " + ext.lineInfo(l.section()));
        }
    }

    @ParameterizedTest
    @MethodSource("names")
    void mapsMatch(String name) throws Exception {
        InspectOut.ObjectE e = EXPECTED.get(name);
        BpfObjectFile obj = Examples.parse(name);
        List<String> expectedOrder = new ArrayList<>();
        for (InspectOut.DatasecE d : e.datasecs) {
            if (!d.name().equals(".maps")) {
                continue;
            }
            List<InspectOut.VarE> vars = new ArrayList<>(d.vars());
            vars.sort((a, b) -> Integer.compare(a.symOff(), b.symOff()));
            for (InspectOut.VarE v : vars) {
                expectedOrder.add(v.name());
                MapSpec m = (MapSpec) obj.maps().get(obj.mapIndex(v.name()));
                Map<String, String> def = v.mapDef();
                assertEquals(Integer.parseInt(def.get("type").replaceAll("\\(.*", "")), m.type(), v.name() + " type");
                assertEquals(intOr(def, "max_entries", 0), m.maxEntries(), v.name() + " max_entries");
                assertEquals(intOr(def, "key_size", 0), m.keySize(), v.name() + " key_size");
                // __array(values, ...) makes value_size 4 (libbpf), though the BTF struct has no value field.
                assertEquals(intOr(def, "value_size", def.containsKey("values@byte") ? 4 : 0), m.valueSize(), v.name());
                assertEquals(intOr(def, "map_flags", 0), m.flags(), v.name() + " map_flags");
                assertEquals(0, m.pinning());
            }
        }
        List<String> actualOrder = new ArrayList<>();
        for (MapDefinition m : obj.maps()) {
            if (m instanceof MapSpec) {
                actualOrder.add(m.name());
            }
        }
        assertEquals(expectedOrder, actualOrder, "BTF maps by symbol offset, before data maps");
        for (int i = 0; i < obj.maps().size(); i++) {
            assertEquals(i >= actualOrder.size(), obj.maps().get(i) instanceof DataSpec, "MapSpecs then DataSpecs");
        }
        for (InspectOut.MapsRelE r : e.mapsRelocs) {
            assertEquals("R_BPF_64_ABS64", r.type());
            InspectOut.VarE v = e.datasecs.stream().filter(d -> d.name().equals(".maps")).findFirst().orElseThrow()
                .vars().stream().filter(x -> r.offset() >= x.symOff() && r.offset() < x.symOff() + x.size()).findFirst()
                .orElseThrow();
            int slot = (r.offset() - v.symOff() - Integer.parseInt(v.mapDef().get("values@byte"))) / 8;
            MapSpec m = (MapSpec) obj.maps().get(obj.mapIndex(v.name()));
            assertEquals(Map.of(slot, r.sym()), m.initialSlots());
            assertTrue(obj.program(r.sym()).isPresent(), "slot names a program");
        }
        int withSlots = 0;
        for (MapDefinition m : obj.maps()) {
            withSlots += m instanceof MapSpec s ? s.initialSlots().size() : 0;
        }
        assertEquals(e.mapsRelocs.size(), withSlots);
    }

    private static int intOr(Map<String, String> def, String key, int otherwise) {
        return def.containsKey(key) ? Integer.parseInt(def.get(key)) : otherwise;
    }

    @ParameterizedTest
    @MethodSource("names")
    void globalDataMatches(String name) throws Exception {
        InspectOut.ObjectE e = EXPECTED.get(name);
        BpfObjectFile obj = Examples.parse(name);
        Set<String> expected = new HashSet<>();
        for (InspectOut.DatasecE d : e.datasecs) {
            if (d.name().equals(".maps") || d.name().equals("license")) {
                continue;
            }
            expected.add(d.name());
            DataSpec spec = (DataSpec) obj.maps().get(obj.mapIndex(d.name()));
            assertEquals(d.elfSize(), spec.size());
            assertEquals(d.elfSize(), spec.bytes().length);
            assertEquals(d.name().startsWith(".rodata"), spec.readOnly());
            List<DataSpec.Variable> vars = new ArrayList<>();
            for (InspectOut.VarE v : d.vars()) {
                vars.add(new DataSpec.Variable(v.name(), v.symOff(), v.size()));
            }
            vars.sort((a, b) -> Integer.compare(a.offset(), b.offset()));
            assertEquals(vars, spec.variables());
        }
        for (InspectOut.RelocE r : e.relocs) {
            if (r.resolution().startsWith("global data")) {
                expected.add(r.symSection());  // .rodata.str1.1 has no DATASEC
            }
        }
        Set<String> actual = new HashSet<>();
        for (MapDefinition m : obj.maps()) {
            if (m instanceof DataSpec d) {
                actual.add(d.name());
                assertEquals(DataSpec.ARRAY, d.type());
                assertEquals(1, d.maxEntries());
                assertEquals(4, d.keySize());
            }
        }
        assertEquals(expected, actual);
        InspectOut.DatasecE lic = e.datasecs.stream().filter(d -> d.name().equals("license")).findFirst().orElseThrow();
        assertEquals(lic.elfSize() - 1, obj.license().length());
    }

    @ParameterizedTest
    @MethodSource("names")
    void programsMatchCodeSections(String name) throws Exception {
        InspectOut.ObjectE e = EXPECTED.get(name);
        BpfObjectFile obj = Examples.parse(name);
        int programs = 0;
        for (InspectOut.CodeSecE c : e.code) {
            int own = 0;
            for (InspectOut.FnE f : c.functions()) {
                if (c.name().equals(".text")) {
                    assertTrue(obj.programs().stream().anyMatch(p -> p.functions().stream().anyMatch(
                        x -> x.section().equals(".text") && x.name().equals(f.name()) && x.sectionSlot() == f.slot())),
                        ".text function " + f + " is linked into some program");
                    continue;
                }
                assertTrue(f.global());
                LinkedProgram p = obj.program(f.name()).orElseThrow();
                assertEquals(c.name(), p.section());
                assertEquals(SecName.parse(c.name()), p.secName());
                LinkedProgram.Function self = p.functions().get(0);
                assertEquals(new LinkedProgram.Function(f.name(), c.name(), f.slot(), 0, self.length(), self.btfTypeId()), self);
                own += self.length();
                programs++;
            }
            if (!c.name().equals(".text")) {
                assertEquals(c.insns(), own, "the programs cover section " + c.name());
            }
        }
        assertEquals(programs, obj.programs().size());
    }

    private static final Pattern MAP_RES = Pattern.compile("^map reference .*\\(map at \\.maps\\+(\\d+)\\)$");
    private static final Pattern DATA_RES = Pattern.compile("^global data .*fd of (\\S+) map, next_imm = imm\\+sym_off = (\\d+)$");
    private static final Pattern FUNC_RES = Pattern.compile("^code address .* = (\\d+)$");
    private static final Pattern CALL_RES = Pattern.compile("^bpf-to-bpf call .* = (\\d+) in \\.text$");

    /** Every relocation listed, in every linked program that contains its instruction. */
    @ParameterizedTest
    @MethodSource("names")
    void everyRelocationIsResolvedAsInspectSays(String name) throws Exception {
        InspectOut.ObjectE e = EXPECTED.get(name);
        BpfObjectFile obj = Examples.parse(name);
        ElfFile elf = ElfFile.parse(Examples.object(name));
        Map<String, Integer> refsExpected = new HashMap<>();
        for (InspectOut.RelocE r : e.relocs) {
            String section = sectionOf(elf, r);
            int seen = 0;
            for (LinkedProgram p : obj.programs()) {
                for (LinkedProgram.Function f : p.functions()) {
                    if (!f.section().equals(section) || r.insn() < f.sectionSlot() || r.insn() >= f.sectionSlot() + f.length()) {
                        continue;
                    }
                    seen++;
                    int slot = f.slot() + r.insn() - f.sectionSlot();
                    checkResolution(obj, p, slot, r, e);
                    if (r.code() == 0x18) {
                        refsExpected.merge(p.name(), 1, Integer::sum);
                    }
                }
            }
            assertTrue(seen > 0, r + " lies in some linked program");
        }
        for (LinkedProgram p : obj.programs()) {
            assertEquals(refsExpected.getOrDefault(p.name(), 0), p.refs().size(), "every Ref of " + p.name() + " is listed");
        }
    }

    private static String sectionOf(ElfFile elf, InspectOut.RelocE r) throws ObjectFormatException {
        List<String> found = new ArrayList<>();
        for (ElfSection s : elf.sections()) {
            if (s.type() != ElfLayout.SHT_REL) {
                continue;
            }
            ElfSection target = elf.section(s.info());
            if (!target.isExecutable() || !target.name().startsWith(r.sectionPrefix())) {
                continue;
            }
            for (ElfRelocation x : elf.relocations(s)) {
                if (x.offset() == r.insn() * 8L && x.symbol().name().equals(r.sym())
                        && RelocationType.of(x.type()).name().equals(r.type())) {
                    found.add(target.name());
                }
            }
        }
        assertEquals(1, found.size(), "exactly one relocation matches " + r);
        return found.get(0);
    }

    private static void checkResolution(BpfObjectFile obj, LinkedProgram p, int slot, InspectOut.RelocE r,
                                        InspectOut.ObjectE e) {
        byte[] insns = p.insns();
        String where = p.name() + " slot " + slot + ": " + r;
        assertEquals(r.code(), Examples.opcode(insns, slot), where);
        Matcher m;
        if ((m = MAP_RES.matcher(r.resolution())).matches()) {
            int off = Integer.parseInt(m.group(1));
            String mapName = e.datasecs.stream().filter(d -> d.name().equals(".maps")).flatMap(d -> d.vars().stream())
                .filter(v -> v.symOff() == off).findFirst().orElseThrow().name();
            assertEquals(r.sym(), mapName);
            int index = obj.mapIndex(mapName);
            assertEquals(Ref.map(slot, index), p.refAt(slot).orElseThrow(), where);
            assertEquals(1, Examples.src(insns, slot), where);
            assertEquals(index, Examples.imm(insns, slot), where);
            assertEquals(0, Examples.nextImm(insns, slot), where);
        } else if ((m = DATA_RES.matcher(r.resolution())).matches()) {
            assertEquals(r.symSection(), m.group(1));
            int index = obj.mapIndex(m.group(1));
            int offset = Integer.parseInt(m.group(2));
            assertTrue(obj.maps().get(index) instanceof DataSpec, where);
            assertEquals(Ref.mapValue(slot, index, offset), p.refAt(slot).orElseThrow(), where);
            assertEquals(2, Examples.src(insns, slot), where);
            assertEquals(index, Examples.imm(insns, slot), where);
            assertEquals(offset, Examples.nextImm(insns, slot), where);
        } else if ((m = FUNC_RES.matcher(r.resolution())).matches()) {
            int target = linkedStartOfText(p, Integer.parseInt(m.group(1)));
            assertEquals(Ref.func(slot, target), p.refAt(slot).orElseThrow(), where);
            assertEquals(4, Examples.src(insns, slot), where);
            assertEquals(target, slot + 1 + Examples.imm(insns, slot), where);
        } else if ((m = CALL_RES.matcher(r.resolution())).matches()) {
            int target = linkedStartOfText(p, Integer.parseInt(m.group(1)));
            assertEquals(1, Examples.src(insns, slot), where);
            assertEquals(target, slot + 1 + Examples.imm(insns, slot), where);
            assertTrue(p.refAt(slot).isEmpty(), "calls get no Ref");
        } else {
            fail("unknown resolution: " + r.resolution());
        }
    }

    private static int linkedStartOfText(LinkedProgram p, int textSlot) {
        return p.functions().stream().filter(f -> f.section().equals(".text") && f.sectionSlot() == textSlot)
            .findFirst().orElseThrow(() -> new AssertionError(".text slot " + textSlot + " not linked into " + p.name()))
            .slot();
    }

    /** Linked programs decode, and every local call and code address lands on a linked function's first slot. */
    @ParameterizedTest
    @MethodSource("names")
    void linkedProgramsDecodeAndCallsLandOnFunctionStarts(String name) throws Exception {
        for (LinkedProgram p : Examples.parse(name).programs()) {
            Insn[] insns = Decoder.decode(p.insns());
            int covered = 0;
            for (LinkedProgram.Function f : p.functions()) {
                assertEquals(covered, f.slot(), "functions are contiguous");
                covered += f.length();
            }
            assertEquals(p.slots(), covered);
            for (int pc = 0; pc < insns.length; pc++) {
                Insn i = insns[pc];
                if (i == null) {
                    continue;
                }
                if (i.op() == Op.CALL_LOCAL || i.op() == Op.LDDW_FUNC) {
                    int target = i.target(pc);
                    assertTrue(p.functions().stream().anyMatch(f -> f.slot() == target), p.name() + " pc " + pc);
                }
                if (i.op() == Op.LDDW_MAP_FD || i.op() == Op.LDDW_MAP_VALUE || i.op() == Op.LDDW_FUNC) {
                    assertTrue(p.refAt(pc).isPresent(), p.name() + " pc " + pc + " has a Ref");
                }
            }
        }
    }
}

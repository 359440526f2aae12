package dev.sonde.bpf.elf;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads {@code inspect.out.txt}, the output of the independent Python parser
 * ({@code bpfobj_inspect.py}), into per-object expectations. Every line kind the file has is
 * recognised; an unrecognised line fails, so nothing in the file is silently skipped.
 */
final class InspectOut {
    record FuncInfoE(String section, int insnOff, int typeId, String name) {
    }

    record LineE(String section, int insnOff, String fileTail, int line, int col) {
    }

    record VarE(String name, int btfOff, int symOff, int size, int linkage, Map<String, String> mapDef) {
    }

    record DatasecE(String name, int btfSize, int elfSize, List<VarE> vars) {
    }

    record FnE(String name, int slot, boolean global) {
    }

    record CodeSecE(int index, String name, int insns, List<FnE> functions) {
    }

    record RelocE(String sectionPrefix, int insn, String type, String sym, String symSection, int code, int imm,
                  String resolution) {
    }

    record MapsRelE(int offset, String type, String sym) {
    }

    static final class ObjectE {
        String file;
        int typeLen;
        int typeCount;
        final Map<String, Integer> kinds = new LinkedHashMap<>();
        int extHdrLen;
        int funcInfoRecords;
        final List<FuncInfoE> funcInfos = new ArrayList<>();
        int lineInfoRecords;
        final List<LineE> lines = new ArrayList<>();
        int coreReloRecords;
        final List<DatasecE> datasecs = new ArrayList<>();
        final List<CodeSecE> code = new ArrayList<>();
        final List<RelocE> relocs = new ArrayList<>();
        final List<MapsRelE> mapsRelocs = new ArrayList<>();
    }

    private static final Pattern OBJECT = Pattern.compile("^(\\w+)\\.o$");
    private static final Pattern BTF = Pattern.compile(
        "^\\.BTF header: \\{'hdr_len': (\\d+), 'type_off': (\\d+), 'type_len': (\\d+), 'str_off': (\\d+), 'str_len': (\\d+)\\} types: (\\d+)$");
    private static final Pattern KINDS = Pattern.compile("^  kinds present: \\{(.*)\\}$");
    private static final Pattern PAIR = Pattern.compile("'([\\w@]+)': '?([^',]*)'?");
    private static final Pattern EXT = Pattern.compile("^\\.BTF\\.ext hdr_len=(\\d+)$");
    private static final Pattern FUNC_HDR = Pattern.compile("^  func_info: rec_size=(\\d+) records=(\\d+)$");
    private static final Pattern FUNC = Pattern.compile("^    sec='([^']*)' insn_off\\(bytes\\)=(\\d+) type_id=(\\d+) \\((\\w+)\\)$");
    private static final Pattern LINE_HDR = Pattern.compile("^  line_info: rec_size=(\\d+) records=(\\d+)$");
    private static final Pattern LINE = Pattern.compile("^    sec='([^']*)' insn_off=(\\d+) file='([^']*)' line=(\\d+) col=(\\d+)$");
    private static final Pattern CORE = Pattern.compile("^  core_relo: rec_size=(\\d+) records=(\\d+)$");
    private static final Pattern DATASEC = Pattern.compile("^DATASEC '([^']*)': size in BTF=(\\d+), ELF section size=(\\d+)$");
    private static final Pattern VAR = Pattern.compile("^   VAR (\\S+)\\s+btf_off=(\\d+)\\s+sym_off=(\\d+)\\s+size=(\\d+) linkage=(\\d+)$");
    private static final Pattern MAPDEF = Pattern.compile("^       map def: \\{(.*)\\}$");
    private static final Pattern CODE = Pattern.compile("^code section \\[(\\d+)\\] '([^']*)': (\\d+) insns; functions: (.*)$");
    private static final Pattern FN = Pattern.compile("(\\w+)@(\\d+)\\((global|static)\\)");
    private static final Pattern RELOC = Pattern.compile(
        "^  reloc (.{10}) insn (\\d+)\\s+(R_BPF_\\w+)\\s+sym=(\\S*)\\s+\\(([^)]*)\\) code=0x([0-9a-f]+) imm=(-?\\d+): (.*)$");
    private static final Pattern MAPS_REL = Pattern.compile("^  \\.rel\\.maps at \\.maps\\+(\\d+) (R_BPF_\\w+) -> (\\w+) .*$");

    static Map<String, ObjectE> parse(String text) {
        Map<String, ObjectE> out = new LinkedHashMap<>();
        ObjectE cur = null;
        DatasecE sec = null;
        for (String line : text.split("\n")) {
            Matcher m;
            if (line.isEmpty() || line.startsWith("=====")) {
                continue;
            } else if ((m = OBJECT.matcher(line)).matches()) {
                cur = new ObjectE();
                cur.file = m.group(1);
                out.put(cur.file, cur);
            } else if ((m = BTF.matcher(line)).matches()) {
                cur.typeLen = Integer.parseInt(m.group(3));
                cur.typeCount = Integer.parseInt(m.group(6));
            } else if ((m = KINDS.matcher(line)).matches()) {
                Matcher p = PAIR.matcher(m.group(1));
                while (p.find()) {
                    cur.kinds.put(p.group(1), Integer.parseInt(p.group(2)));
                }
            } else if ((m = EXT.matcher(line)).matches()) {
                cur.extHdrLen = Integer.parseInt(m.group(1));
            } else if ((m = FUNC_HDR.matcher(line)).matches()) {
                cur.funcInfoRecords = Integer.parseInt(m.group(2));
            } else if ((m = FUNC.matcher(line)).matches()) {
                cur.funcInfos.add(new FuncInfoE(m.group(1), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)), m.group(4)));
            } else if ((m = LINE_HDR.matcher(line)).matches()) {
                cur.lineInfoRecords = Integer.parseInt(m.group(2));
            } else if ((m = LINE.matcher(line)).matches()) {
                cur.lines.add(new LineE(m.group(1), Integer.parseInt(m.group(2)), m.group(3), Integer.parseInt(m.group(4)),
                    Integer.parseInt(m.group(5))));
            } else if ((m = CORE.matcher(line)).matches()) {
                cur.coreReloRecords = Integer.parseInt(m.group(2));
            } else if ((m = DATASEC.matcher(line)).matches()) {
                sec = new DatasecE(m.group(1), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)), new ArrayList<>());
                cur.datasecs.add(sec);
            } else if ((m = VAR.matcher(line)).matches()) {
                sec.vars().add(new VarE(m.group(1), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)),
                    Integer.parseInt(m.group(4)), Integer.parseInt(m.group(5)), new LinkedHashMap<>()));
            } else if ((m = MAPDEF.matcher(line)).matches()) {
                Matcher p = PAIR.matcher(m.group(1));
                Map<String, String> def = sec.vars().get(sec.vars().size() - 1).mapDef();
                while (p.find()) {
                    def.put(p.group(1), p.group(2));
                }
            } else if ((m = CODE.matcher(line)).matches()) {
                List<FnE> fns = new ArrayList<>();
                Matcher f = FN.matcher(m.group(4));
                while (f.find()) {
                    fns.add(new FnE(f.group(1), Integer.parseInt(f.group(2)), f.group(3).equals("global")));
                }
                cur.code.add(new CodeSecE(Integer.parseInt(m.group(1)), m.group(2), Integer.parseInt(m.group(3)), fns));
            } else if ((m = RELOC.matcher(line)).matches()) {
                cur.relocs.add(new RelocE(m.group(1).strip(), Integer.parseInt(m.group(2)), m.group(3), m.group(4), m.group(5),
                    Integer.parseInt(m.group(6), 16), Integer.parseInt(m.group(7)), m.group(8)));
            } else if ((m = MAPS_REL.matcher(line)).matches()) {
                cur.mapsRelocs.add(new MapsRelE(Integer.parseInt(m.group(1)), m.group(2), m.group(3)));
            } else {
                throw new IllegalArgumentException("inspect.out.txt: unrecognised line: " + line);
            }
        }
        return out;
    }
}

package dev.sonde.bpf.elf;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each example object against its {@code *.dump.txt}: section headers and relocations
 * ({@code llvm-readelf -S -r}), symbols ({@code llvm-readelf -s}), the whole BTF
 * ({@code bpftool btf dump}, golden text), and the instruction bytes
 * ({@code llvm-objdump -d}) of every program's own instructions in its linked array.
 */
class DumpComparisonTest {
    static List<String> names() {
        return Examples.NAMES;
    }

    private static final Pattern SECTION = Pattern.compile(
        "^\\s*\\[\\s*(\\d+)\\]\\s+(.*?)\\s*(NULL|PROGBITS|STRTAB|REL|NOBITS|SYMTAB|LLVM_ADDRSIG)\\s+[0-9a-f]{16}\\s+([0-9a-f]{6})"
            + "\\s+([0-9a-f]{6})\\s+([0-9a-f]{2})\\s+(\\S*)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)$");
    private static final Map<String, Integer> TYPES = Map.of("NULL", 0, "PROGBITS", 1, "SYMTAB", 2, "STRTAB", 3,
        "NOBITS", 8, "REL", 9, "LLVM_ADDRSIG", 0x6fff4c03);

    @ParameterizedTest
    @MethodSource("names")
    void sectionHeadersMatchReadelf(String name) throws Exception {
        ElfFile elf = ElfFile.parse(Examples.object(name));
        int seen = 0;
        for (String line : Examples.dumpPart(Examples.dump(name), "llvm-readelf-\\d+ -S").split("\n")) {
            Matcher m = SECTION.matcher(line);
            if (!m.matches()) {
                continue;
            }
            ElfSection s = elf.section(Integer.parseInt(m.group(1)));
            assertEquals(m.group(2), s.name(), line);
            assertEquals(TYPES.get(m.group(3)), s.type(), line);
            assertEquals(Long.parseLong(m.group(4), 16), s.offset(), line);
            assertEquals(Long.parseLong(m.group(5), 16), s.size(), line);
            assertEquals(Long.parseLong(m.group(6), 16), s.entsize(), line);
            assertEquals(m.group(7).contains("X"), (s.flags() & ElfLayout.SHF_EXECINSTR) != 0, line);
            assertEquals(m.group(7).contains("W"), (s.flags() & ElfLayout.SHF_WRITE) != 0, line);
            assertEquals(Integer.parseInt(m.group(8)), s.link(), line);
            assertEquals(Integer.parseInt(m.group(9)), s.info(), line);
            seen++;
        }
        assertEquals(elf.sections().size(), seen);
    }

    private static final Pattern REL_HEADER = Pattern.compile("^Relocation section '(.*)' at offset 0x([0-9a-f]+) contains (\\d+) entries:$");
    private static final Pattern REL = Pattern.compile("^([0-9a-f]{16})\\s+([0-9a-f]{16})\\s+(R_BPF_\\w+)\\s+([0-9a-f]{16})\\s*(.*)$");

    @ParameterizedTest
    @MethodSource("names")
    void relocationsMatchReadelf(String name) throws Exception {
        ElfFile elf = ElfFile.parse(Examples.object(name));
        Map<String, List<String>> expected = new HashMap<>();
        List<String> cur = null;
        for (String line : Examples.dumpPart(Examples.dump(name), "llvm-readelf-\\d+ -S").split("\n")) {
            Matcher h = REL_HEADER.matcher(line);
            Matcher r = REL.matcher(line);
            if (h.matches()) {
                cur = new ArrayList<>();
                expected.put(h.group(1), cur);
            } else if (r.matches()) {
                cur.add(r.group(1) + " " + r.group(2) + " " + r.group(3) + " " + r.group(4) + " " + r.group(5));
            }
        }
        Map<String, List<String>> actual = new HashMap<>();
        for (ElfSection s : elf.sections()) {
            if (s.type() != ElfLayout.SHT_REL) {
                continue;
            }
            List<String> rows = new ArrayList<>();
            for (ElfRelocation r : elf.relocations(s)) {
                ElfSymbol sym = r.symbol();
                String symName = sym.isSection() ? elf.section(sym.shndx()).name() : sym.name();
                rows.add(String.format("%016x %016x %s %016x %s", r.offset(), (long) sym.index() << 32 | r.type(),
                    RelocationType.of(r.type()), sym.value(), symName));
            }
            actual.put(s.name(), rows);
        }
        assertEquals(expected, actual);
    }

    private static final Pattern SYMBOL = Pattern.compile(
        "^\\s*(\\d+): ([0-9a-f]{16})\\s+(\\d+) (\\w+)\\s+(\\w+)\\s+\\w+\\s+(\\w+) ?(.*)$");
    private static final Map<String, Integer> SYM_TYPES = Map.of("NOTYPE", 0, "OBJECT", 1, "FUNC", 2, "SECTION", 3, "FILE", 4);
    private static final Map<String, Integer> BINDS = Map.of("LOCAL", 0, "GLOBAL", 1, "WEAK", 2);

    @ParameterizedTest
    @MethodSource("names")
    void symbolsMatchReadelf(String name) throws Exception {
        ElfFile elf = ElfFile.parse(Examples.object(name));
        int seen = 0;
        for (String line : Examples.dumpPart(Examples.dump(name), "llvm-readelf-\\d+ -s ").split("\n")) {
            Matcher m = SYMBOL.matcher(line);
            if (!m.matches()) {
                continue;
            }
            ElfSymbol s = elf.symbols().get(Integer.parseInt(m.group(1)));
            assertEquals(Long.parseLong(m.group(2), 16), s.value(), line);
            assertEquals(Long.parseLong(m.group(3)), s.size(), line);
            assertEquals(SYM_TYPES.get(m.group(4)), s.type(), line);
            assertEquals(BINDS.get(m.group(5)), s.bind(), line);
            String ndx = m.group(6);
            int shndx = ndx.equals("UND") ? 0 : ndx.equals("ABS") ? ElfLayout.SHN_ABS : Integer.parseInt(ndx);
            assertEquals(shndx, s.shndx(), line);
            // llvm-readelf names section symbols after their section; the symbol's own name is empty.
            assertEquals(s.isSection() ? "" : m.group(7), s.isSection() ? "" : s.name(), line);
            seen++;
        }
        assertEquals(elf.symbols().size(), seen);
    }

    @ParameterizedTest
    @MethodSource("names")
    void btfMatchesBpftoolDump(String name) throws Exception {
        String expected = Examples.dumpPart(Examples.dump(name), "bpftool btf dump").strip();
        Btf btf = Examples.parse(name).btf().orElseThrow();
        assertEquals(expected, BpftoolFormat.dump(btf).strip());
    }

    private static final Pattern SEC_HEADER = Pattern.compile("^Disassembly of section (.*):$");
    private static final Pattern INSN = Pattern.compile("^\\s*(\\d+):\\t((?:[0-9a-f]{2} )+)\\s*\\t?.*$");

    /** The program's own slots in the linked array are the section's bytes, except the fields the loader rewrites. */
    @ParameterizedTest
    @MethodSource("names")
    void ownInstructionsMatchObjdump(String name) throws Exception {
        Map<String, Map<Integer, byte[]>> sections = new HashMap<>();
        Map<Integer, byte[]> cur = null;
        for (String line : Examples.dumpPart(Examples.dump(name), "llvm-objdump-\\d+ -dr ").split("\n")) {
            Matcher h = SEC_HEADER.matcher(line);
            Matcher i = INSN.matcher(line);
            if (h.matches()) {
                cur = new HashMap<>();
                sections.put(h.group(1), cur);
            } else if (i.matches()) {
                String[] hex = i.group(2).trim().split(" ");
                byte[] b = new byte[hex.length];
                for (int k = 0; k < hex.length; k++) {
                    b[k] = (byte) Integer.parseInt(hex[k], 16);
                }
                cur.put(Integer.parseInt(i.group(1)), b);
            }
        }
        int compared = 0;
        for (LinkedProgram p : Examples.parse(name).programs()) {
            byte[] linked = p.insns();
            for (LinkedProgram.Function f : p.functions()) {
                Map<Integer, byte[]> original = sections.get(f.section());
                for (int s = f.sectionSlot(); s < f.sectionSlot() + f.length(); s++) {
                    byte[] o = original.get(s);
                    if (o == null) {
                        continue;  // second half of an lddw
                    }
                    int at = (f.slot() + s - f.sectionSlot()) * 8;
                    boolean rewritten = (o[0] & 0xff) == 0x18 && p.refAt(f.slot() + s - f.sectionSlot()).isPresent()
                        || (o[0] & 0xff) == 0x85 && (o[1] & 0xf0) == 0x10;
                    for (int k = 0; k < o.length; k++) {
                        boolean field = k >= 4 && k < 8 || k >= 12 || k == 1;
                        if (rewritten && field) {
                            continue;
                        }
                        assertEquals(o[k], linked[at + k], p.name() + " " + f.name() + " slot " + s + " byte " + k);
                    }
                    if (rewritten) {
                        assertEquals(o[1] & 0x0f, linked[at + 1] & 0x0f, "dst register kept");
                    }
                    compared++;
                }
            }
        }
        assertTrue(compared > 0);
    }
}

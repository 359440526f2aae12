package dev.sonde.bpf.elf;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Arrays;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * One hand-made defect per test, each in an otherwise valid example, with the message the user
 * gets: it must name the section (or header) and the offset, field or relocation that is wrong.
 */
class MalformedObjectTest {
    private static final String KPROBE_A = "kprobe/com.example.Service::handle";
    private static final String REL_A = ".relkprobe/com.example.Service::handle";

    private static String reject(String example, Consumer<RawElf> patch) {
        byte[] b = Examples.object(example).clone();
        patch.accept(new RawElf(b));
        ObjectFormatException e = assertThrows(ObjectFormatException.class, () -> BpfObjectFile.parse(example + ".o", b));
        assertTrue(e.getMessage().startsWith(example + ".o: "), e.getMessage());
        return e.getMessage();
    }

    private static void contains(String message, String... parts) {
        for (String p : parts) {
            assertTrue(message.contains(p), "message lacks '" + p + "': " + message);
        }
    }

    private static long codeAt(RawElf elf, String section, int slot) {
        return elf.section(section).offset() + slot * 8L;
    }

    @Test
    void notElf() {
        contains(reject("a_kprobe_hash", e -> e.bytes[1] = 'X'), "ELF header", "magic");
    }

    @Test
    void wrongMachine() {
        contains(reject("a_kprobe_hash", e -> RawElf.put16(e.bytes, 18, 62)), "ELF header", "e_machine", "62", "247");
    }

    @Test
    void truncatedBeforeSectionHeaders() {
        ObjectFormatException e = assertThrows(ObjectFormatException.class,
            () -> BpfObjectFile.parse("t.o", Arrays.copyOf(Examples.object("a_kprobe_hash"), 4000)));
        contains(e.getMessage(), "ELF header", "e_shoff", "4000-byte file");
        e = assertThrows(ObjectFormatException.class, () -> BpfObjectFile.parse("t.o", new byte[10]));
        contains(e.getMessage(), "ELF header", "10 bytes");
    }

    @Test
    void sectionOutsideFile() {
        contains(reject("a_kprobe_hash", e -> RawElf.put64(e.bytes, e.section(".BTF").at() + 32, 0x100000)),
            "section [17]", "sh_offset 0x804", "sh_size 0x100000");
    }

    @Test
    void badSectionNameOffset() {
        contains(reject("a_kprobe_hash", e -> RawElf.put32(e.bytes, e.section(".maps").at(), 0xfffff)),
            "sh_name of section [6]", "0xfffff");
    }

    @Test
    void relocationSectionWithBadInfo() {
        contains(reject("a_kprobe_hash", e -> RawElf.put32(e.bytes, e.section(REL_A).at() + 44, 99)),
            "section [4] '" + REL_A + "'", "sh_info 99");
    }

    @Test
    void relocationSectionWithBadLink() {
        contains(reject("a_kprobe_hash", e -> RawElf.put32(e.bytes, e.section(REL_A).at() + 40, 5)),
            "section [4] '" + REL_A + "'", "sh_link 5");
    }

    @Test
    void unknownRelocationType() {
        contains(reject("a_kprobe_hash", e -> RawElf.put32(e.bytes, e.section(REL_A).offset() + 8, 7)),
            "'" + REL_A + "'", "relocation #0 at offset 0x40", "unknown relocation type 7");
    }

    @Test
    void wrongRelocationTypeForInstruction() {
        contains(reject("a_kprobe_hash", e -> RawElf.put32(e.bytes, e.section(REL_A).offset() + 16 + 8, 10)),
            "relocation #1 at offset 0x90", "R_BPF_64_32 is not valid at a lddw");
    }

    @Test
    void relocationSymbolIndexOutOfRange() {
        contains(reject("a_kprobe_hash", e -> RawElf.put32(e.bytes, e.section(REL_A).offset() + 12, 5000)),
            "'" + REL_A + "'", "relocation #0 at offset 0x40", "symbol index 5000");
    }

    @Test
    void relocationAgainstUndefinedSymbol() {
        contains(reject("d_subprog_call", e -> RawElf.put16(e.bytes, e.symbol("add_to_slot") + 6, 0)),
            "'.relkprobe/com.example.Service::mix': relocation #1 at offset 0x30", "'add_to_slot' is undefined");
    }

    @Test
    void relocationAtInstructionThatIsNeitherLddwNorCall() {
        contains(reject("a_kprobe_hash", e -> RawElf.put64(e.bytes, e.section(REL_A).offset(), 0x10)),
            "relocation #0 at offset 0x10", "slot 2 (opcode 0x79) is neither an lddw nor a bpf-to-bpf call");
    }

    @Test
    void relocationOnSecondHalfOfLddw() {
        contains(reject("a_kprobe_hash", e -> RawElf.put64(e.bytes, e.section(REL_A).offset(), 0x48)),
            "relocation #0 at offset 0x48", "second half of the lddw at slot 8");
    }

    @Test
    void relocationOutsideSection() {
        contains(reject("a_kprobe_hash", e -> RawElf.put64(e.bytes, e.section(REL_A).offset(), 0x1000)),
            "relocation #0 at offset 0x1000", "not an instruction slot of section [3]");
    }

    @Test
    void staticEntryProgram() {
        contains(reject("a_kprobe_hash", e -> e.bytes[e.symbol("count_calls") + 4] = 0x02),
            "section [3] '" + KPROBE_A + "'", "'count_calls' is a static function");
    }

    @Test
    void functionSymbolPastSectionEnd() {
        contains(reject("a_kprobe_hash", e -> RawElf.put64(e.bytes, e.symbol("count_calls") + 16, 0xd8)),
            "section [3]", "'count_calls'", "size 0xd8");
    }

    @Test
    void mapReferenceNotAtMapStart() {
        contains(reject("h_misc_helpers", e -> RawElf.put32(e.bytes, codeAt(e, "kprobe/com.example.Service::misc", 22) + 4, 4)),
            "'stacks' + 4 = offset 0x1c", "'.maps' is not the start of a map");
    }

    @Test
    void globalDataOffsetOutsideSection() {
        contains(reject("c_globals_printk", e -> RawElf.put32(e.bytes, codeAt(e, "kprobe/com.example.Service::compute", 13) + 4, 100)),
            "relocation #3 at offset 0x68", "+ 100 = offset 100 lies outside the 32 bytes of section [7] '.rodata'");
    }

    @Test
    void callTargetNotAFunctionStart() {
        contains(reject("d_subprog_call", e -> RawElf.put32(e.bytes, codeAt(e, "kprobe/com.example.Service::mix", 2) + 4, 14)),
            "relocation #0 at offset 0x10", "target .text slot 15 is not the start of a .text function");
    }

    @Test
    void lddwWithPseudoSourceButNoRelocation() {
        contains(reject("d_subprog_call", e -> e.bytes[(int) codeAt(e, ".text", 7) + 1] = 0x11),
            "section [2] '.text': slot 7 (in 'add_to_slot')", "pseudo source 1 but no relocation");
    }

    @Test
    void undecodableInstructionIsReportedWithProgramAndSourceLine() {
        String m = reject("a_kprobe_hash", e -> e.bytes[(int) codeAt(e, KPROBE_A, 20)] = (byte) 0xff);
        contains(m, "program 'count_calls' in section '" + KPROBE_A + "'", "slot 20", "a_kprobe_hash.bpf.c:", "insn 20",
            "unknown opcode 0xff");
    }

    @Test
    void progArrayInitialiserOffMapSlots() {
        contains(reject("k_prog_array_values", e -> RawElf.put64(e.bytes, e.section(".rel.maps").offset(), 0x1c)),
            "'.rel.maps'", "relocation #0 at offset 0x1c", "not a slot of the 'values' of map 'jt'");
    }

    @Test
    void progArrayInitialiserNamingNoProgram() {
        contains(reject("k_prog_array_values", e -> RawElf.put32(e.bytes, e.section(".rel.maps").offset() + 12, 15)),
            "'.rel.maps'", "relocation #0", "symbol #15 'jt' is not a program");
    }

    @Test
    void unknownMapAttribute() {
        contains(reject("a_kprobe_hash", e -> e.bytes[e.string(".BTF", "max_entries") + 10] = 'z'),
            "section [6] '.maps': map 'calls_by_arg1': field 'max_entriez': unknown map attribute");
    }

    @Test
    void mapWithoutElfSymbol() {
        contains(reject("a_kprobe_hash", e -> e.bytes[e.string(".strtab", "calls_by_arg1")] = 'K'),
            "'.maps': map 'calls_by_arg1' is in BTF but has no ELF symbol");
    }

    @Test
    void btfBadMagic() {
        contains(reject("a_kprobe_hash", e -> RawElf.put16(e.bytes, e.section(".BTF").offset(), 0x1234)),
            "section [17] '.BTF'", "bad magic 0x1234 at offset 0");
    }

    @Test
    void btfStringSectionBeyondEnd() {
        contains(reject("a_kprobe_hash", e -> RawElf.put32(e.bytes, e.section(".BTF").offset() + 20, 0x10000)),
            "'.BTF'", "string section (str_off/str_len) at 0x288+0x10000");
    }

    @Test
    void btfTypeNameOffsetBeyondStrings() {
        // type [1]'s name_off (a PTR's, normally 0)
        contains(reject("a_kprobe_hash", e -> RawElf.put32(e.bytes, e.section(".BTF").offset() + 24, 0x7000)),
            "'.BTF': type [1] at type offset 0x0: name_off 28672 is outside");
    }

    @Test
    void btfTypeReferenceOutOfRange() {
        contains(reject("a_kprobe_hash", e -> RawElf.put32(e.bytes, e.section(".BTF").offset() + 24 + 8, 99)),
            "'.BTF': type [1] PTR", "refers to type 99, but the last id is 21");
    }

    @Test
    void btfVlenPastTypeSection() {
        contains(reject("a_kprobe_hash", e -> RawElf.put32(e.bytes, e.section(".BTF").offset() + 24 + 4, 4 << 24 | 0xffff)),
            "section [17] '.BTF' types: type [1] STRUCT data (vlen 65535) at offset 0xc");
    }

    @Test
    void btfExtLineInfoBeyondSection() {
        // first line_info record's insn_off; its block header sits after rec_size
        contains(reject("a_kprobe_hash", e -> {
            long ext = e.section(".BTF.ext").offset();
            java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(e.bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            long lineOff = bb.getInt((int) ext + 16);
            RawElf.put32(e.bytes, ext + 32 + lineOff + 4 + 8, 0x800);
        }), ".BTF.ext: line_info for section [3]", "slot 256 is beyond the section's 26 slots");
    }

    @Test
    void hugeBss() {
        contains(reject("c_globals_printk", e -> RawElf.put64(e.bytes, e.section(".bss").at() + 32, 1L << 40)),
            "section [5] '.bss': sh_size 1099511627776 exceeds");
    }

    @Test
    void duplicateSectionName() {
        contains(reject("c_globals_printk", e -> RawElf.put32(e.bytes, e.section(".data").at(),
            Integer.toUnsignedLong(java.nio.ByteBuffer.wrap(e.bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .getInt(e.section(".bss").at())))), "section [6] '.bss': a second section of this name");
    }
}

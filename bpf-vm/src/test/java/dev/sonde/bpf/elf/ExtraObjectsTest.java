package dev.sonde.bpf.elf;

import static org.junit.jupiter.api.Assertions.*;

import dev.sonde.bpf.isa.Decoder;
import dev.sonde.bpf.isa.Insn;
import dev.sonde.bpf.isa.Op;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The extra clang objects in {@code /elf/}: linker cases and legacy maps (sources beside them). */
class ExtraObjectsTest {
    private static BpfObjectFile parse(String name) throws ObjectFormatException {
        return BpfObjectFile.parse(name + ".o", Examples.resource("/elf/" + name + ".o"));
    }

    private static List<String> layout(LinkedProgram p) {
        return p.functions().stream().map(f -> f.name() + "@" + f.slot() + "+" + f.length() + " from " + f.section() + ":"
            + f.sectionSlot()).toList();
    }

    @Test
    void transitiveCallsAreAppendedOnceInFirstReferenceOrder() throws Exception {
        BpfObjectFile obj = parse("x_link_cases");
        assertEquals(List.of("one", "two", "tick"), obj.programs().stream().map(LinkedProgram::name).toList());
        LinkedProgram one = obj.program("one").orElseThrow();
        // The callback (lddw at slot 5) is met first, then top (call at 15); leaf is reached from cb by a
        // call that has no relocation (pc-relative inside .text), middle from top by a relocated one.
        assertEquals(List.of("one@0+22 from kprobe/com.example.A::one:0", "cb@22+9 from .text:22", "top@31+8 from .text:31",
            "leaf@39+6 from .text:16", "middle@45+16 from .text:0"), layout(one));
        assertEquals(List.of("two@0+3 from kprobe/com.example.A::one:22", "leaf@3+6 from .text:16"),
            layout(obj.program("two").orElseThrow()));
        assertEquals(List.of("tick@0+5 from timer/100ms:0", "middle@5+16 from .text:0", "leaf@21+6 from .text:16"),
            layout(obj.program("tick").orElseThrow()));
    }

    @Test
    void everyCallLandsOnTheCalleeNamedInTheSource() throws Exception {
        LinkedProgram one = parse("x_link_cases").program("one").orElseThrow();
        Insn[] insns = Decoder.decode(one.insns());
        Map<Integer, String> expected = Map.of(
            15, "top",       // one: top(acc)
            22 + 3, "leaf",  // cb: leaf(i), no relocation in the object
            31 + 1, "middle", 31 + 5, "leaf",   // top
            45 + 9, "leaf"); // middle
        int calls = 0;
        for (int pc = 0; pc < insns.length; pc++) {
            if (insns[pc] != null && insns[pc].op() == Op.CALL_LOCAL) {
                int target = insns[pc].target(pc);
                assertEquals(expected.get(pc), one.functionAt(target).orElseThrow().name(), "call at " + pc);
                assertEquals(target, one.functionAt(target).orElseThrow().slot());
                calls++;
            }
        }
        assertEquals(expected.size(), calls);
        assertEquals(Ref.func(5, 22), one.refAt(5).orElseThrow(), "bpf_loop callback cb");
        assertEquals(Op.LDDW_FUNC, insns[5].op());
        assertEquals(22, insns[5].target(5));
    }

    @Test
    void mapsFromTextAndCustomDataSections() throws Exception {
        BpfObjectFile obj = parse("x_link_cases");
        assertEquals(List.of("pinned", ".data.custom", ".rodata.cfg", ".bss"), obj.maps().stream().map(MapDefinition::name).toList());
        MapSpec pinned = (MapSpec) obj.maps().get(0);
        assertEquals(List.of(1, 4, 8, 16, 0, 1), List.of(pinned.type(), pinned.keySize(), pinned.valueSize(),
            pinned.maxEntries(), pinned.flags(), pinned.pinning()));
        DataSpec custom = (DataSpec) obj.maps().get(1);
        assertFalse(custom.readOnly());
        assertEquals(24, custom.size());
        byte[] b = custom.bytes();
        assertEquals(-2, (int) Examples.le32(b, 8), "shape_var.c = GREEN");
        DataSpec cfg = (DataSpec) obj.maps().get(2);
        assertTrue(cfg.readOnly());
        assertEquals(DataSpec.F_RDONLY_PROG, cfg.flags());
        assertEquals(42, Examples.le32(cfg.bytes(), 0));
        assertEquals(List.of(new DataSpec.Variable("counter", 0, 4)), ((DataSpec) obj.maps().get(3)).variables());
        assertArrayEquals(new byte[4], ((DataSpec) obj.maps().get(3)).bytes());
        LinkedProgram tick = obj.program("tick").orElseThrow();
        assertEquals(List.of(Ref.mapValue(0, 3, 0), Ref.map(5 + 4, 0), Ref.mapValue(21 + 1, 2, 0)), tick.refs());
        assertEquals(new SecName(SecName.Type.TIMER, "100ms", false, "timer/100ms"), tick.secName());
    }

    @Test
    void lineInfoFollowsAppendedFunctions() throws Exception {
        String src = Examples.text("/elf/x_link_cases.bpf.c");
        List<String> lines = src.lines().toList();
        int middleFrom = lines.indexOf("__noinline __u64 middle(__u64 x)") + 1;
        int middleTo = lines.indexOf("static __noinline __u64 top(__u64 x)") + 1;
        LinkedProgram tick = parse("x_link_cases").program("tick").orElseThrow();
        for (int slot = 5; slot < 21; slot++) {
            LineInfo l = tick.lineAt(slot).orElseThrow();
            assertTrue(l.file().endsWith("x_link_cases.bpf.c"));
            assertTrue(l.line() == 0 || l.line() >= middleFrom && l.line() < middleTo, "slot " + slot + ": " + l);
            if (l.line() > 0) {
                assertEquals(lines.get(l.line() - 1), l.source(), "line_info carries the source line's text");
            }
        }
        assertEquals(tick.functions().get(1).btfTypeId(), parse("x_link_cases").btf().orElseThrow()
            .find(BtfKind.FUNC, "middle").orElseThrow().id());
    }

    @Test
    void btfKindsBeyondTheExamples() throws Exception {
        Btf btf = parse("x_link_cases").btf().orElseThrow();
        BtfType.EnumType color = (BtfType.EnumType) btf.find(BtfKind.ENUM, "color").orElseThrow();
        assertEquals(List.of("RED", "GREEN"), color.values().stream().map(BtfType.EnumValue::name).toList());
        assertEquals(-2, (int) color.values().get(1).value());
        BtfType.Composite u = (BtfType.Composite) btf.find(BtfKind.UNION, "u").orElseThrow();
        assertTrue(u.isUnion());
        assertEquals(4, btf.sizeOf(u.id()));
        BtfType.Composite shape = (BtfType.Composite) btf.find(BtfKind.STRUCT, "shape").orElseThrow();
        assertEquals(24, btf.sizeOf(shape.id()));
        assertEquals(List.of("f", "u", "c", "fwd"), shape.members().stream().map(BtfType.Member::name).toList());
        assertEquals(List.of(0L, 32L, 64L, 128L), shape.members().stream().map(BtfType.Member::bitOffset).toList());
        assertEquals(BtfKind.FLOAT, btf.resolve(shape.members().get(0).type()).kind());
        BtfType.Ptr fwdPtr = (BtfType.Ptr) btf.type(shape.members().get(3).type());
        assertEquals(new BtfType.Fwd(fwdPtr.type(), "opaque", false), btf.type(fwdPtr.type()));
        BtfType.Var cfg = (BtfType.Var) btf.find(BtfKind.VAR, "cfg").orElseThrow();
        assertEquals(8, btf.sizeOf(cfg.id()));
        assertEquals("unsigned long long", btf.resolve(cfg.type()).name(), "const volatile __u64 resolves to the INT");
    }

    @Test
    void legacyMapsAndVersion() throws Exception {
        BpfObjectFile obj = parse("x_legacy_maps");
        assertEquals(List.of(
            new MapSpec("old_hash", 1, 4, 8, 32, 1, 0, 0, 0, new java.util.TreeMap<>()),
            new MapSpec("old_array", 2, 4, 16, 2, 0, 0, 0, 0, new java.util.TreeMap<>())), obj.maps());
        assertEquals(0x60100, obj.kernelVersion().orElseThrow());
        LinkedProgram old = obj.program("old").orElseThrow();
        assertTrue(old.secName().isReturn());
        assertEquals(List.of(1, 0), old.refs().stream().map(Ref::mapIndex).toList(), "old_array then old_hash");
    }
}

package dev.sonde.bpf.verifier;

import static dev.sonde.bpf.isa.Op.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonde.bpf.isa.Decoder;
import dev.sonde.bpf.isa.Insn;
import dev.sonde.bpf.isa.Op;
import dev.sonde.bpf.testing.Resources;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Typical probe shapes that must verify (kernel selftests style: program and verdict side by side). */
class AcceptanceTest {

    static Proof accept(Insn[] p, VerifierConfig cfg) {
        try {
            return Verifier.verify(p, cfg);
        } catch (VerifierException e) {
            throw new AssertionError("rejected: " + e.getMessage() + "\n" + e.log(), e);
        }
    }

    static Proof accept(Prog p) {
        return accept(p.build(), TestHelpers.kprobe());
    }

    /** key = 0 on the stack; r0 = lookup(map 0, &key); null-checked; atomic add on the value. */
    @Test
    void mapLookupNullCheckAtomicAdd() {
        Proof p = accept(Prog.of()
            .st(ST_W, 10, -4, 0)
            .movr(2, 10).add(2, -4)
            .ldmap(1, 0)
            .call(1)
            .jmp(JEQ64_K, 0, 0, "out")
            .mov(1, 1)
            .atomic(ATOMIC64_ADD, 0, 0, 1)
            .label("out").ret0());
        AccessFact f = p.access(8);
        assertEquals(PointerKind.MAP_VALUE, f.kind());
        assertTrue(f.inBounds() && f.constantOffset() && f.write());
        assertEquals(PointerKind.STACK, p.access(0).kind());
        assertEquals(508, p.access(0).minOff());
    }

    /** The copy of a maybe-null pointer is checked through the original (ids propagate). */
    @Test
    void nullCheckPropagatesToCopies() {
        accept(Prog.of()
            .st(ST_W, 10, -4, 0).movr(2, 10).add(2, -4).ldmap(1, 0).call(1)
            .movr(6, 0)
            .jmp(JNE64_K, 0, 0, "use").ret0()
            .label("use").ldx(LDX_DW, 0, 6, 0).exit());
    }

    /** The kretprobe of example (b) as clang emits it: reserve, fill, comm, submit. */
    @Test
    void ringbufReserveSubmit() {
        accept(Prog.of()
            .movr(6, 1).ldx(LDX_DW, 9, 6, 80)
            .ldmap(1, 1).mov(2, 56).mov(3, 0).call(131)
            .movr(7, 0)
            .jmp(JEQ64_K, 7, 0, "out")
            .stx(STX_DW, 7, 16, 9)
            .call(5).stx(STX_DW, 7, 8, 0)
            .ldx(LDX_DW, 1, 6, 128).stx(STX_DW, 7, 24, 1)
            .movr(1, 7).add(1, 40).mov(2, 16).call(16)
            .movr(1, 7).mov(2, 0).call(132)
            .label("out").ret0());
    }

    @Test
    void ringbufDiscardOnOnePathSubmitOnTheOther() {
        accept(Prog.of()
            .movr(6, 1)
            .ldmap(1, 1).mov(2, 8).mov(3, 0).call(131)
            .jmp(JEQ64_K, 0, 0, "out")
            .movr(7, 0)
            .ldx(LDX_DW, 8, 6, 112)
            .stx(STX_DW, 7, 0, 8)
            .movr(1, 7).mov(2, 0)
            .jmp(JSGT64_K, 8, 0, "submit")
            .call(133).ja("out")
            .label("submit").call(132)
            .label("out").ret0());
    }

    /** Whole fields, and the low 4, 2, 1 bytes of a field (DESIGN.md §4). */
    @Test
    void contextFields() {
        Proof p = accept(Prog.of()
            .ldx(LDX_DW, 2, 1, 112)
            .ldx(LDX_W, 3, 1, 104)
            .ldx(LDX_H, 4, 1, 96)
            .ldx(LDX_B, 5, 1, 80)
            .ldx(LDXS_W, 6, 1, 160)
            .ldx(LDX_DW, 0, 1, 152)
            .exit());
        assertEquals(PointerKind.CTX, p.access(0).kind());
        assertEquals(112, p.access(0).minOff());
    }

    @Test
    void stackBuffersToHelpers() {
        accept(Prog.of()
            .movr(6, 1)
            .movr(1, 10).add(1, -16).mov(2, 16).call(16)            // comm into fp-16
            .movr(1, 10).add(1, -16).mov(2, 16).mov(3, 1).call(6)   // printk reads it
            .movr(1, 10).add(1, -24).mov(2, 8).ldx(LDX_DW, 3, 6, 112).call(112)
            .ldx(LDX_DW, 0, 10, -24)
            .exit());
    }

    @Test
    void mapUpdateWithKeyAndValueOnTheStack() {
        accept(Prog.of()
            .ldx(LDX_DW, 1, 1, 112)
            .stx(STX_W, 10, -4, 1)
            .st(ST_DW, 10, -16, 1)
            .ldmap(1, 0).movr(2, 10).add(2, -4).movr(3, 10).add(3, -16).mov(4, 0).call(2)
            .ret0());
    }

    /** for (i = 0; i < 16; i++) sum += buf[i]; over a stack buffer filled by a helper. */
    @Test
    void boundedLoopOverStackBuffer() {
        accept(Prog.of()
            .ldx(LDX_DW, 3, 1, 112)
            .movr(1, 10).add(1, -16).mov(2, 16).call(112)
            .mov(0, 0).mov(6, 0)
            .label("loop")
            .movr(1, 10).add(1, -16).alux(ADD64_X, 1, 6)
            .ldx(LDX_B, 2, 1, 0)
            .alux(ADD64_X, 0, 2)
            .add(6, 1)
            .jmp(JLT64_K, 6, 16, "loop")
            .exit());
    }

    /** n = min(ctx->di, 8); for (i = 0; i < n; i++) v[i] on a map value: the bound check refines i. */
    @Test
    void loopWithVariableBoundOverMapValue() {
        accept(Prog.of()
            .ldx(LDX_DW, 7, 1, 112)
            .st(ST_W, 10, -4, 0).movr(2, 10).add(2, -4).ldmap(1, 4).call(1)
            .jmp(JEQ64_K, 0, 0, "out")
            .jmp(JLE64_K, 7, 16, "ok").mov(7, 16).label("ok")
            .mov(6, 0)
            .label("loop")
            .jmpx(JGE64_X, 6, 7, "out")
            .movr(1, 0).alux(ADD64_X, 1, 6)
            .st(ST_B, 1, 0, 7)
            .add(6, 1)
            .ja("loop")
            .label("out").ret0());
    }

    /** A variable index masked into range, and a signed bound (both sides of the test). */
    @Test
    void maskedAndSignedIndexes() {
        accept(Prog.of()
            .ldx(LDX_DW, 6, 1, 112)
            .st(ST_W, 10, -4, 0).movr(2, 10).add(2, -4).ldmap(1, 4).call(1)
            .jmp(JEQ64_K, 0, 0, "out")
            .movr(1, 6).alu(AND64_K, 1, 15).movr(2, 0).alux(ADD64_X, 2, 1).ldx(LDX_B, 3, 2, 0)
            .movr(1, 6).jmp(JSLT64_K, 1, 0, "out").jmp(JSGT64_K, 1, 12, "out")
            .movr(2, 0).alux(ADD64_X, 2, 1).ldx(LDX_W, 3, 2, 0)
            .label("out").ret0());
    }

    /** main passes a pointer to its stack to a subprogram that writes through it. */
    @Test
    void bpfToBpfCall() {
        Proof p = accept(Prog.of()
            .movr(1, 10).add(1, -8).mov(2, 42)
            .callLocal("store")
            .ldx(LDX_DW, 0, 10, -8)
            .exit()
            .label("store")
            .st(ST_DW, 10, -8, 0)
            .stx(STX_DW, 1, 0, 2)
            .mov(0, 0).exit());
        assertEquals(-1, p.access(7).region());   // the callee writes into its caller's frame
    }

    @Test
    void nestedCallsKeepCalleeSavedRegisters() {
        accept(Prog.of()
            .mov(6, 7).callLocal("f").alux(ADD64_X, 0, 6).exit()
            .label("f").mov(6, 1).callLocal("g").alux(ADD64_X, 0, 6).exit()
            .label("g").mov(0, 3).exit());
    }

    /** bpf_loop(8, cb, &sum, 0) with cb(i, ctx) { *ctx += i; return 0; }. */
    @Test
    void bpfLoopCallback() {
        accept(Prog.of()
            .st(ST_DW, 10, -8, 0)
            .mov(1, 8).ldfunc(2, "cb").movr(3, 10).add(3, -8).mov(4, 0).call(181)
            .ldx(LDX_DW, 0, 10, -8)
            .exit()
            .label("cb")
            .ldx(LDX_DW, 3, 2, 0).alux(ADD64_X, 3, 1).stx(STX_DW, 2, 0, 3)
            .mov(0, 0).exit());
    }

    @Test
    void globalDataAndPrintk() {
        accept(Prog.of()
            .ldmapval(6, 3, 8).ldx(LDX_DW, 1, 6, 0).add(1, 1).stx(STX_DW, 6, 0, 1)   // .bss counter
            .ldmapval(1, 2, 0).mov(2, 10).ldx(LDX_DW, 3, 6, 0).call(6)                 // .rodata format
            .ldmapval(1, 2, 0).ldx(LDX_B, 0, 1, 0)                                      // folds to 'h'
            .exit());
    }

    @Test
    void snprintfWithConstantFormat() {
        accept(Prog.of()
            .st(ST_DW, 10, -8, 5)
            .movr(1, 10).add(1, -32).mov(2, 16).ldmapval(3, 2, 0).movr(4, 10).add(4, -8).mov(5, 8).call(165)
            .ret0());
    }

    @Test
    void tailCallAndFuncArg() {
        accept(Prog.of()
            .movr(6, 1)
            .mov(2, 0).movr(3, 10).add(3, -8).call(183)
            .movr(1, 6).ldmap(2, 5).mov(3, 1).call(12)
            .ret0());
    }

    @Test
    void atomicsOnTheStackAndCmpxchg() {
        accept(Prog.of()
            .st(ST_DW, 10, -8, 1)
            .mov(1, 2).atomic(ATOMIC64_FETCH_ADD, 10, -8, 1)
            .mov(0, 3).atomic(ATOMIC64_CMPXCHG, 10, -8, 1)
            .st(ST_W, 10, -12, 0).mov(2, 5).atomic(ATOMIC32_XCHG, 10, -12, 2)
            .ldx(LDX_DW, 0, 10, -8)
            .exit());
    }

    @Test
    void pointerDifferenceIsAScalar() {
        accept(Prog.of()
            .movr(2, 10).add(2, -16).movr(3, 10).alux(SUB64_X, 3, 2).movr(0, 3).exit());
    }

    @Test
    void timerProgram() {
        accept(Prog.of().call(5).alu(AND64_K, 0, 1).exit().build(),
            VerifierConfig.of(ProgramType.TIMER).withHelpers(TestHelpers.TABLE).withAllowedHelpers(Set.of(5)));
    }

    @Test
    void sourceLinesAppearInTheLog() {
        // An accepted program's log lists notes (division by a register) and statistics.
        Proof p = accept(Prog.of().mov(0, 10).mov(1, 3).alux(DIV64_X, 0, 1).exit().build(), VerifierConfig.raw(0));
        assertTrue(p.log().contains("div by register r1"), p.log());
    }

    // ---- clang output of the example objects, map lddw patched as the loader would -----------

    static Insn[] section(String object, String section, Map<Integer, Integer> mapAt) throws Exception {
        byte[] text = Resources.section(Resources.bytes("/examples/" + object), section);
        Insn[] insns = Decoder.decode(text);
        for (var e : mapAt.entrySet()) {
            Insn in = insns[e.getKey()];
            assertEquals(Op.LDDW, in.op(), "slot " + e.getKey());
            insns[e.getKey()] = Insn.of(Op.LDDW_MAP_IDX, in.dst(), 5, 0, e.getValue());
        }
        return insns;
    }

    @Test
    void exampleKprobeHash() throws Exception {
        Insn[] p = section("a_kprobe_hash.o", "kprobe/com.example.Service::handle", Map.of(8, 0, 18, 0));
        accept(p, TestHelpers.kprobe().withMaps(List.of(MapInfo.of("calls_by_arg1", MapInfo.HASH, 8, 8, 1024))));
    }

    @Test
    void exampleKretprobeRingbuf() throws Exception {
        Insn[] p = section("b_kretprobe_ringbuf.o", "kretprobe/com.example.Service::handle", Map.of(4, 0));
        accept(p, VerifierConfig.of(ProgramType.KRETPROBE).withHelpers(TestHelpers.TABLE)
            .withMaps(List.of(MapInfo.of("events", MapInfo.RINGBUF, 0, 0, 256 * 1024))));
    }

    @Test
    void exampleBoundedLoop() throws Exception {
        Insn[] p = section("e_bounded_loop.o", "kprobe/com.example.Service::hash", Map.of(21, 0));
        Proof proof = accept(p, TestHelpers.kprobe().withMaps(List.of(MapInfo.of("sums", MapInfo.PERCPU_ARRAY, 4, 8, 1))));
        assertNotNull(proof.access(14));
        assertEquals(PointerKind.STACK, proof.access(14).kind());
        assertEquals(448, proof.access(14).minOff());
        assertEquals(511, proof.access(14).maxOff());
    }

    /** The only conformance test with a "-- raw" section (the others need the assembler). */
    @Test
    void conformanceLddwRaw() throws Exception {
        String data = new String(Resources.bytes("/conformance/tests/lddw.data"), java.nio.charset.StandardCharsets.US_ASCII);
        String raw = data.substring(data.indexOf("-- raw") + 6);
        raw = raw.substring(0, raw.indexOf("--")).replaceAll("#.*", "");
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (String w : raw.trim().split("\\s+")) {
            long v = Long.parseUnsignedLong(w.replace("0x", ""), 16);
            for (int i = 0; i < 8; i++) {
                out.write((int) (v >>> (8 * i)));
            }
        }
        accept(Decoder.decode(out.toByteArray()), VerifierConfig.of(ProgramType.RAW));
    }
}

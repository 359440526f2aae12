package dev.sonde.bpf.verifier;

import static dev.sonde.bpf.isa.Op.*;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonde.bpf.isa.Insn;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Programs the verifier must refuse, each with the words its reason must contain (kernel
 * selftests style). Every one is rejected, with that reason, naming an instruction.
 */
class NegativeCorpusTest {
    record Case(String name, Insn[] prog, VerifierConfig cfg, String reason) {
    }

    private static final List<Case> CASES = new ArrayList<>();

    private static void kprobe(String name, Prog p, String reason) {
        CASES.add(new Case(name, p.build(), TestHelpers.kprobe(), reason));
    }

    private static void raw(String name, int len, Prog p, String reason) {
        CASES.add(new Case(name, p.build(), VerifierConfig.raw(len).withHelpers(TestHelpers.TABLE), reason));
    }

    private static void with(String name, VerifierConfig cfg, Prog p, String reason) {
        CASES.add(new Case(name, p.build(), cfg, reason));
    }

    /** key 0 on the stack, r0 = lookup(map idx). */
    private static Prog lookup(int map) {
        return Prog.of().ldx(LDX_DW, 7, 1, 112).st(ST_W, 10, -4, 0).movr(2, 10).add(2, -4).ldmap(1, map).call(1);
    }

    private static Prog lookupChecked(int map) {
        return lookup(map).jmp(JNE64_K, 0, 0, "ok").ret0().label("ok");
    }

    private static Prog reserve(int size) {
        return Prog.of().ldmap(1, 1).mov(2, size).mov(3, 0).call(131);
    }

    static {
        // ---- null dereference ------------------------------------------------------------------
        kprobe("load from unchecked map value", lookup(0).ldx(LDX_DW, 0, 0, 0).exit(), "R0 may be null: test it before the load");
        kprobe("store to unchecked map value", lookup(0).st(ST_DW, 0, 0, 1).ret0(), "R0 may be null: test it before the store");
        kprobe("atomic on unchecked map value", lookup(0).mov(1, 1).atomic(ATOMIC64_ADD, 0, 0, 1).ret0(), "may be null");
        kprobe("copy used before check", lookup(0).movr(6, 0).ldx(LDX_DW, 0, 6, 0).exit(), "R6 may be null");
        kprobe("checked on the wrong branch", lookup(0).jmp(JNE64_K, 0, 0, "out").ldx(LDX_DW, 0, 0, 0).exit()
            .label("out").ret0(), "R0 is a scalar (0)");
        kprobe("arithmetic before null check", lookup(0).add(0, 8).ret0(), "may be null prohibited");
        kprobe("unchecked ringbuf record", reserve(8).st(ST_DW, 0, 0, 1).ret0(), "R0 may be null");
        kprobe("unchecked record submitted", reserve(8).movr(1, 0).mov(2, 0).call(132).ret0(), "may be null: test the record");
        kprobe("dereference of scalar 0", Prog.of().mov(1, 0).ldx(LDX_DW, 0, 1, 0).exit(), "R1 is a scalar (0), not a pointer");
        kprobe("dereference of unknown scalar", Prog.of().ldx(LDX_DW, 1, 1, 112).ldx(LDX_DW, 0, 1, 0).exit(), "R1 is a scalar");

        // ---- out of bounds: map value (8 bytes in map 0, 16 in map 4) -----------------------------
        kprobe("map value load past end", lookupChecked(0).ldx(LDX_DW, 0, 0, 8).exit(), "offset 8 size 8 is outside the 8 bytes");
        kprobe("map value off-by-one", lookupChecked(0).ldx(LDX_B, 0, 0, 8).exit(), "offset 8 size 1 is outside the 8 bytes");
        kprobe("map value straddles end", lookupChecked(0).ldx(LDX_W, 0, 0, 6).exit(), "offset 6 size 4 is outside");
        kprobe("map value negative offset", lookupChecked(0).ldx(LDX_B, 0, 0, -1).exit(), "offset -1 size 1");
        kprobe("map value store past end", lookupChecked(4).st(ST_W, 0, 16, 1).ret0(), "outside the 16 bytes");
        kprobe("map value variable index unbounded", lookupChecked(4)
            .alux(ADD64_X, 0, 7).ldx(LDX_B, 0, 0, 0).exit(), "may leave the 16 bytes");
        kprobe("map value index masked too wide", lookupChecked(4).movr(2, 7).alu(AND64_K, 2, 31)
            .alux(ADD64_X, 0, 2).ldx(LDX_B, 0, 0, 0).exit(), "offset in [0, 31]");
        kprobe("map value index bound off by one", lookupChecked(4).movr(2, 7)
            .jmp(JGT64_K, 2, 16, "out").alux(ADD64_X, 0, 2).ldx(LDX_B, 0, 0, 0).label("out").ret0(), "offset in [0, 16]");
        kprobe("map value signed index may be negative", lookupChecked(4).movr(3, 7)
            .alu(LSH64_K, 3, 32).alu(ARSH64_K, 3, 32).jmp(JSGT64_K, 3, 8, "out").alux(ADD64_X, 0, 3).ldx(LDX_B, 0, 0, 0)
            .label("out").ret0(), "may leave");
        kprobe("atomic past map value end", lookupChecked(0).mov(1, 1).atomic(ATOMIC64_ADD, 0, 8, 1).ret0(), "outside the 8 bytes");

        // ---- out of bounds: stack ----------------------------------------------------------------
        kprobe("stack below the frame", Prog.of().st(ST_DW, 10, -520, 0).ret0(), "outside the 512-byte frame");
        kprobe("stack over 512 bytes", Prog.of().movr(1, 10).add(1, -513).st(ST_B, 1, 0, 0).ret0(), "outside the 512-byte frame");
        kprobe("stack above r10", Prog.of().st(ST_B, 10, 0, 0).ret0(), "offset fp0 size 1 is outside");
        kprobe("stack read straddling r10", Prog.of().ldx(LDX_DW, 0, 10, -4).exit(), "outside the 512-byte frame");
        kprobe("stack variable offset unbounded", Prog.of().ldx(LDX_DW, 2, 1, 112).movr(1, 10).alux(ADD64_X, 1, 2)
            .st(ST_B, 1, -8, 0).ret0(), "may leave the 512-byte frame");
        kprobe("stack variable offset off by one", Prog.of().ldx(LDX_DW, 2, 1, 112).jmp(JGT64_K, 2, 8, "out")
            .movr(1, 10).alux(ADD64_X, 1, 2).st(ST_B, 1, -8, 0).label("out").ret0(), "may leave the 512-byte frame");

        // ---- out of bounds: context, caller memory, ring buffer, global data ---------------------
        kprobe("ctx past pt_regs", Prog.of().ldx(LDX_DW, 0, 1, 168).exit(), "outside the 168-byte context");
        kprobe("ctx last field straddle", Prog.of().ldx(LDX_DW, 0, 1, 164).exit(), "outside the 168-byte context");
        kprobe("ctx negative offset", Prog.of().ldx(LDX_DW, 0, 1, -8).exit(), "offset -8 size 8 is outside");
        kprobe("ctx high half of a field", Prog.of().ldx(LDX_W, 0, 1, 116).exit(), "not a whole pt_regs field");
        kprobe("ctx misaligned byte", Prog.of().ldx(LDX_B, 0, 1, 113).exit(), "not a whole pt_regs field");
        kprobe("ctx variable offset", Prog.of().movr(6, 1).ldx(LDX_DW, 2, 1, 112).alu(AND64_K, 2, 8)
            .alux(ADD64_X, 6, 2).ldx(LDX_DW, 0, 6, 0).exit(), "variable offset");
        raw("caller memory past end", 16, Prog.of().ldx(LDX_DW, 0, 1, 16).exit(), "outside the 16 bytes of caller_mem");
        raw("caller memory off by one", 16, Prog.of().ldx(LDX_B, 0, 1, 16).exit(), "offset 16 size 1");
        raw("caller memory loop one too far", 8, Prog.of().mov(0, 0).mov(3, 0).label("l").movr(4, 1).alux(ADD64_X, 4, 3)
            .ldx(LDX_B, 5, 4, 0).add(3, 1).jmpx(JLE64_X, 3, 2, "l").exit(), "offset 8 size 1");
        raw("caller memory index compared against wrong bound", 8, Prog.of().mov(0, 0).mov(3, 0).label("l")
            .movr(4, 1).alux(ADD64_X, 4, 3).ldx(LDX_B, 5, 4, 0).add(3, 1).jmp(JLT64_K, 3, 9, "l").exit(), "outside the 8 bytes");
        raw("no memory: r1 is a number", -1, Prog.of().ldx(LDX_B, 0, 1, 0).exit(), "R1 is a scalar (0)");
        kprobe("ringbuf record past end", reserve(8).jmp(JEQ64_K, 0, 0, "out").st(ST_DW, 0, 8, 1).movr(1, 0).mov(2, 0)
            .call(132).label("out").ret0(), "outside the 8 bytes of ringbuf_mem");
        kprobe("global data past end", Prog.of().ldmapval(1, 3, 16).ldx(LDX_B, 0, 1, 0).exit(), "outside the 16 bytes");
        kprobe("global data offset walk", Prog.of().ldmapval(1, 3, 8).add(1, 8).ldx(LDX_W, 0, 1, 0).exit(), "offset 16 size 4");

        // ---- permissions -------------------------------------------------------------------------
        kprobe("write to context", Prog.of().st(ST_DW, 1, 112, 0).ret0(), "cannot write into the context");
        kprobe("store register into context", Prog.of().mov(2, 1).stx(STX_DW, 1, 80, 2).ret0(), "context is read-only");
        kprobe("atomic on context", Prog.of().mov(2, 1).atomic(ATOMIC64_ADD, 1, 80, 2).ret0(), "atomic operation on the context");
        kprobe("write to rodata", Prog.of().ldmapval(1, 2, 0).st(ST_B, 1, 0, 0).ret0(), "read-only global_data of map 2 '.rodata'");
        kprobe("atomic on rodata", Prog.of().ldmapval(1, 2, 0).mov(2, 1).atomic(ATOMIC64_ADD, 1, 0, 2).ret0(), "read-only");
        CASES.add(new Case("write to read-only caller memory", Prog.of().st(ST_B, 1, 0, 1).ret0().build(),
            VerifierConfig.of(ProgramType.RAW).withRawMemory(8, false), "read-only caller_mem"));
        kprobe("helper writes into rodata", Prog.of().ldmapval(1, 2, 0).mov(2, 8).call(16).ret0(), "read-only");

        // ---- uninitialised registers and stack ---------------------------------------------------
        kprobe("read of r2 at entry", Prog.of().movr(0, 2).exit(), "R2 is read before it is initialised");
        kprobe("r0 not set at exit", Prog.of().exit(), "R0 is not initialised at exit");
        kprobe("r1 after a call", Prog.of().call(5).movr(0, 1).exit(), "R1 is read before it is initialised");
        kprobe("r5 after a call", Prog.of().mov(5, 1).call(14).alux(ADD64_X, 0, 5).exit(), "unreadable after a call");
        kprobe("r0 uninit on one path", Prog.of().ldx(LDX_DW, 2, 1, 112).jmp(JEQ64_K, 2, 0, "x").mov(0, 1).label("x").exit(),
            "R0 is not initialised at exit");
        kprobe("stack slot never written", Prog.of().ldx(LDX_DW, 0, 10, -8).exit(), "fp-8 is not initialised");
        kprobe("stack partly written", Prog.of().st(ST_W, 10, -8, 0).ldx(LDX_DW, 0, 10, -8).exit(), "fp-4 is not initialised");
        kprobe("uninitialised key to lookup", Prog.of().movr(2, 10).add(2, -4).ldmap(1, 0).call(1).ret0(), "is not initialised");
        kprobe("uninitialised value to update", Prog.of().st(ST_W, 10, -4, 0).ldmap(1, 0).movr(2, 10).add(2, -4)
            .movr(3, 10).add(3, -16).mov(4, 0).call(2).ret0(), "bpf_map_update_elem reads 8 bytes of value");
        kprobe("uninitialised printk format", Prog.of().movr(1, 10).add(1, -8).mov(2, 8).call(6).ret0(), "fp-8 is not initialised");
        kprobe("variable offset read of partly written stack", Prog.of().st(ST_DW, 10, -8, 0).ldx(LDX_DW, 2, 1, 112)
            .alu(AND64_K, 2, 7).movr(3, 10).add(3, -16).alux(ADD64_X, 3, 2).ldx(LDX_B, 0, 3, 0).exit(), "not initialised");

        // ---- ring-buffer references ----------------------------------------------------------------
        kprobe("record leaked at exit", reserve(8).jmp(JEQ64_K, 0, 0, "out").st(ST_DW, 0, 0, 1).label("out").ret0(),
            "never submitted or discarded");
        kprobe("record leaked on one path", Prog.of().ldx(LDX_DW, 6, 1, 112).ldmap(1, 1).mov(2, 8).mov(3, 0).call(131)
            .jmp(JEQ64_K, 0, 0, "out").jmp(JEQ64_K, 6, 0, "out").movr(1, 0).mov(2, 0).call(132).label("out").ret0(),
            "reference leak at exit");
        kprobe("use after submit", reserve(8).jmp(JEQ64_K, 0, 0, "out").movr(6, 0).movr(1, 0).mov(2, 0).call(132)
            .st(ST_DW, 6, 0, 1).label("out").ret0(), "use after release");
        kprobe("double submit", reserve(8).jmp(JEQ64_K, 0, 0, "out").movr(6, 0).movr(1, 0).mov(2, 0).call(132)
            .movr(1, 6).mov(2, 0).call(133).label("out").ret0(), "use after release");
        kprobe("derived pointer after discard", reserve(16).jmp(JEQ64_K, 0, 0, "out").movr(6, 0).add(6, 8).movr(1, 0)
            .mov(2, 0).call(133).ldx(LDX_DW, 0, 6, 0).exit().label("out").ret0(), "use after release");
        kprobe("submit of an offset pointer", reserve(16).jmp(JEQ64_K, 0, 0, "out").movr(1, 0).add(1, 8).mov(2, 0)
            .call(132).label("out").ret0(), "offset 0");
        kprobe("submit of a map value", lookupChecked(0).movr(1, 0).mov(2, 0).call(132).ret0(), "expects a ring-buffer record");
        kprobe("reserve with variable size", Prog.of().ldx(LDX_DW, 2, 1, 112).ldmap(1, 1).mov(3, 0).call(131).ret0(),
            "needs a constant size");
        kprobe("tail call holding a record", Prog.of().movr(6, 1).ldmap(1, 1).mov(2, 8).mov(3, 0).call(131)
            .jmp(JEQ64_K, 0, 0, "out").movr(7, 0).movr(1, 6).ldmap(2, 5).mov(3, 0).call(12).movr(1, 7).mov(2, 0).call(132)
            .label("out").ret0(), "tail call while holding");

        // ---- loops -------------------------------------------------------------------------------
        kprobe("infinite loop", Prog.of().label("l").ja("l"), "infinite loop");
        kprobe("infinite loop with no progress", Prog.of().mov(0, 0).label("l").add(0, 0).jmp(JEQ64_K, 0, 0, "l").exit(),
            "infinite loop");
        with("unbounded loop", TestHelpers.kprobe().withLimits(20_000, 1_000_000),
            Prog.of().mov(0, 0).label("l").add(0, 1).ja("l"), "program too complex");
        with("loop bounded by unknown value", TestHelpers.kprobe().withLimits(50_000, 1_000_000),
            Prog.of().ldx(LDX_DW, 2, 1, 112).mov(0, 0).label("l").add(0, 1).jmpx(JLT64_X, 0, 2, "l").exit(), "too complex");
        with("loop whose counter wraps", TestHelpers.kprobe().withLimits(50_000, 1_000_000),
            Prog.of().mov(0, 0).label("l").add(0, 2).jmp(JNE64_K, 0, 7, "l").exit(), "too complex");

        // ---- atomics -------------------------------------------------------------------------------
        kprobe("misaligned atomic on stack", Prog.of().st(ST_DW, 10, -16, 0).mov(1, 1).atomic(ATOMIC64_ADD, 10, -12, 1).ret0(),
            "misaligned");
        kprobe("misaligned 32-bit atomic", Prog.of().st(ST_DW, 10, -8, 0).mov(1, 1).atomic(ATOMIC32_ADD, 10, -6, 1).ret0(),
            "not a multiple of 4");
        kprobe("misaligned atomic on map value", lookupChecked(4).mov(1, 1).atomic(ATOMIC64_ADD, 0, 4, 1).ret0(), "misaligned");
        kprobe("atomic with pointer operand", lookupChecked(0).movr(1, 10).atomic(ATOMIC64_XCHG, 0, 0, 1).ret0(),
            "must be a scalar");
        kprobe("atomic on uninitialised stack", Prog.of().mov(1, 1).atomic(ATOMIC64_ADD, 10, -8, 1).ret0(),
            "reads uninitialised stack");

        // ---- helper arguments --------------------------------------------------------------------
        kprobe("unknown helper", Prog.of().call(9999).ret0(), "unknown helper 9999");
        with("helper not allowed for program type", TestHelpers.kprobe().withAllowedHelpers(Set.of(1, 2)),
            Prog.of().call(5).ret0(), "is not allowed in KPROBE programs");
        kprobe("lookup with a scalar as map", Prog.of().mov(1, 0).st(ST_W, 10, -4, 0).movr(2, 10).add(2, -4).call(1).ret0(),
            "expects a map in R1");
        kprobe("lookup with a scalar key", Prog.of().ldmap(1, 0).mov(2, 4).call(1).ret0(), "expects a pointer to 4 bytes");
        kprobe("lookup key too small", Prog.of().st(ST_W, 10, -4, 0).movr(2, 10).add(2, -2).ldmap(1, 0).call(1).ret0(),
            "outside the 512-byte stack frame");
        kprobe("lookup in a ring buffer", lookup(1).ret0(), "cannot be used with map 'events'");
        kprobe("reserve from a hash map", Prog.of().ldmap(1, 0).mov(2, 8).mov(3, 0).call(131).ret0(), "cannot be used");
        kprobe("tail call into a hash map", Prog.of().ldmap(2, 0).mov(3, 0).call(12).ret0(), "cannot be used with map 'counts'");
        kprobe("comm buffer larger than stack slot", Prog.of().movr(1, 10).add(1, -8).mov(2, 16).call(16).ret0(),
            "outside the 512-byte stack frame");
        kprobe("comm buffer size zero", Prog.of().movr(1, 10).add(1, -8).mov(2, 0).call(16).ret0(), "may be 0");
        kprobe("probe_read size unbounded", Prog.of().ldx(LDX_DW, 2, 1, 104).movr(1, 10).add(1, -8).mov(3, 0).call(112).ret0(),
            "is unbounded");
        kprobe("probe_read size bound too large", Prog.of().ldx(LDX_DW, 2, 1, 104).jmp(JGT64_K, 2, 16, "out")
            .movr(1, 10).add(1, -8).mov(3, 0).call(112).label("out").ret0(), "outside the 512-byte stack frame");
        kprobe("probe_read into map value too small", lookupChecked(0).movr(1, 0).mov(2, 16).mov(3, 0).call(113).ret0(),
            "outside the 8 bytes");
        kprobe("ctx argument not ctx", Prog.of().movr(1, 10).call(173).ret0(), "expects the context pointer");
        kprobe("size argument is a pointer", Prog.of().movr(2, 10).movr(1, 10).add(1, -8).call(16).ret0(), "expects a scalar");
        kprobe("snprintf format not read-only", Prog.of().st(ST_DW, 10, -8, 0).movr(1, 10).add(1, -16).mov(2, 8)
            .ldmapval(3, 3, 0).mov(4, 0).mov(5, 0).call(165).ret0(), "constant string in read-only data");
        kprobe("snprintf format unterminated", Prog.of().movr(1, 10).add(1, -16).mov(2, 8)
            .ldmapval(3, 2, 15).ldmapval(3, 4, 0).mov(4, 0).mov(5, 0).call(165).ret0(), "constant string");
        kprobe("bpf_loop callback not a function", Prog.of().mov(1, 4).mov(2, 0).mov(3, 0).mov(4, 0).call(181).ret0(),
            "expects a function");
        kprobe("bpf_loop callback returns 2", Prog.of().mov(1, 4).ldfunc(2, "cb").mov(3, 0).mov(4, 0).call(181).ret0()
            .label("cb").mov(0, 2).exit(), "must return 0 or 1");
        kprobe("bpf_loop callback reads uninit ctx", Prog.of().mov(1, 4).ldfunc(2, "cb").movr(3, 10).add(3, -8).mov(4, 0)
            .call(181).ret0().label("cb").ldx(LDX_DW, 0, 2, 0).mov(0, 0).exit(), "fp-8 is not initialised");
        kprobe("get_func_arg out-parameter too small", Prog.of().mov(2, 0).movr(3, 10).add(3, -4).call(183).ret0(),
            "outside the 512-byte stack frame");

        // ---- calls and stack -----------------------------------------------------------------------
        Prog deep = Prog.of();
        for (int i = 0; i < 8; i++) {
            deep.callLocal("f" + (i + 1)).ret0().label("f" + (i + 1));
        }
        kprobe("call depth over 8 frames", deep.ret0(), "call depth over 8 frames");
        kprobe("recursion", Prog.of().callLocal("f").ret0().label("f").callLocal("f").ret0(), "recursive call");
        kprobe("returning callee's stack pointer", Prog.of().callLocal("f").ret0().label("f").movr(0, 10).add(0, -8).exit(),
            "own stack");
        kprobe("callee stores its stack pointer into caller frame", Prog.of().movr(1, 10).add(1, -8).callLocal("f")
            .ret0().label("f").movr(2, 10).add(2, -8).stx(STX_DW, 1, 0, 2).ret0(), "callee's stack frame");
        with("chain stack over Linux's 512 bytes", TestHelpers.kprobe().withMaxChainStack(512),
            Prog.of().st(ST_DW, 10, -400, 0).callLocal("f").ret0().label("f").st(ST_DW, 10, -200, 0).ret0(),
            "deepest call chain uses 600 bytes");

        // Regression: pruning inside a callee once compared the caller's registers with the liveness
        // of the wrong instruction, so the second path (r6 a number) was pruned and never checked.
        kprobe("caller register differs across a pruned callee", Prog.of().ldx(LDX_DW, 7, 1, 112)
            .movr(6, 10).add(6, -8).st(ST_DW, 10, -8, 0)
            .jmp(JNE64_K, 7, 0, "bad").ja("call").label("bad").mov(6, 5)
            .label("call").callLocal("f").ldx(LDX_DW, 0, 6, 0).exit()
            .label("f").ret0(), "R6 is a scalar (5)");

        // ---- pointer leaks and arithmetic abuse --------------------------------------------------
        kprobe("pointer stored into map", lookupChecked(0).stx(STX_DW, 0, 0, 10).ret0(), "would leak an address");
        kprobe("pointer stored into ringbuf record", reserve(8).jmp(JEQ64_K, 0, 0, "out").stx(STX_DW, 0, 0, 10)
            .movr(1, 0).mov(2, 0).call(132).label("out").ret0(), "would leak an address");
        kprobe("pointer passed as map value", Prog.of().st(ST_W, 10, -4, 0).stx(STX_DW, 10, -16, 1).ldmap(1, 0)
            .movr(2, 10).add(2, -4).movr(3, 10).add(3, -16).mov(4, 0).call(2).ret0(), "address leak");
        kprobe("pointer returned", Prog.of().movr(0, 1).exit(), "leak an address");
        kprobe("pointer times scalar", Prog.of().alu(MUL64_K, 1, 2).ret0(), "pointer arithmetic with mul prohibited");
        kprobe("pointer plus pointer", Prog.of().movr(2, 10).alux(ADD64_X, 2, 1).ret0(), "pointer + pointer prohibited");
        kprobe("pointer or scalar", Prog.of().alu(OR64_K, 1, 1).ret0(), "with or prohibited");
        kprobe("32-bit add on pointer", Prog.of().alu(ADD32_K, 1, 8).ret0(), "32-bit add32 on pointer");
        kprobe("mov32 of pointer", Prog.of().insn(MOV32_X, 2, 1, 0, 0).ret0(), "would truncate it");
        kprobe("scalar minus pointer", Prog.of().mov(2, 5).alux(SUB64_X, 2, 1).ret0(), "scalar - pointer prohibited");
        kprobe("pointers into different regions subtracted", Prog.of().movr(2, 10).alux(SUB64_X, 2, 1).ret0(),
            "different regions");
        kprobe("negation of pointer", Prog.of().insn(NEG64, 1, 0, 0, 0).ret0(), "neg of pointer");
        kprobe("arithmetic on map pointer", Prog.of().ldmap(1, 0).add(1, 8).ret0(), "arithmetic on map_ptr");
        kprobe("pointer compared with number", Prog.of().jmp(JGT64_K, 1, 100, "x").label("x").ret0(), "comparison of pointer");
        kprobe("pointers of different regions compared", Prog.of().jmpx(JEQ64_X, 1, 10, "x").label("x").ret0(),
            "different regions");
        kprobe("partial spill of pointer", Prog.of().stx(STX_W, 10, -8, 1).ret0(), "partial store of pointer");
        kprobe("partial fill of spilled pointer", Prog.of().stx(STX_DW, 10, -8, 1).ldx(LDX_W, 0, 10, -8).exit(),
            "spilled at fp-8");
        kprobe("dereference of a map pointer", Prog.of().ldmap(1, 0).ldx(LDX_DW, 0, 1, 0).exit(), "cannot be dereferenced");

        // ---- structure ---------------------------------------------------------------------------
        kprobe("jump past the end", Prog.of().insn(JA, 0, 0, 5, 0).ret0(), "jump out of range");
        kprobe("jump before the start", Prog.of().insn(JA, 0, 0, -2, 0).ret0(), "jump out of range");
        kprobe("jump into lddw", Prog.of().insn(JEQ64_K, 1, 0, 1, 0).lddw(0, 1).exit(), "middle of the lddw");
        kprobe("jump into another function", Prog.of().callLocal("f").jmp(JEQ64_K, 0, 0, "g").ret0().label("f")
            .label("g").ret0(), "jump out of its function");
        kprobe("falling off the end", Prog.of().mov(0, 0), "falls off the end of the program");
        kprobe("conditional jump as last insn", Prog.of().mov(0, 0).label("x").jmp(JEQ64_K, 0, 0, "x"), "falls off the end");
        kprobe("function falls into the next", Prog.of().callLocal("f").ret0().label("f").mov(0, 0).label("g").ret0()
            .ldfunc(1, "g"), "falls from the end of the function at insn 3");
        kprobe("writing r10", Prog.of().mov(10, 0).ret0(), "r10 is the read-only frame pointer");
        kprobe("adding to r10", Prog.of().add(10, -8).ret0(), "read-only frame pointer");
        kprobe("loading into r10", Prog.of().ldx(LDX_DW, 10, 1, 0).ret0(), "read-only frame pointer");
        kprobe("register r11", Prog.of().insn(MOV64_K, 11, 0, 0, 0).ret0(), "does not exist");
        kprobe("unreachable instruction", Prog.of().ret0().mov(0, 1).exit(), "unreachable instruction");
        with("cpu v4 instruction on v1", TestHelpers.kprobe().withCpuVersion(1),
            Prog.of().insn(SDIV64_K, 0, 0, 1, 3).ret0(), "needs -mcpu=v4");
        with("jmp32 on v2", TestHelpers.kprobe().withCpuVersion(2),
            Prog.of().mov(0, 0).jmp(JEQ32_K, 0, 0, "x").label("x").exit(), "needs -mcpu=v3");
        kprobe("map index out of range", Prog.of().ldmap(1, 9).ret0(), "refers to map 9");
        kprobe("callx", Prog.of().mov(1, 5).insn(CALLX, 1, 0, 0, 0).ret0(), "callx");
        CASES.add(new Case("empty program", new Insn[0], TestHelpers.kprobe(), "no instructions"));
    }

    @TestFactory
    Stream<DynamicTest> everyCaseIsRejectedWithItsReason() {
        return CASES.stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            VerifierException e = assertThrows(VerifierException.class, () -> Verifier.verify(c.prog(), c.cfg()),
                () -> c.name() + " was accepted");
            assertTrue(e.getMessage().contains(c.reason()), () -> c.name() + ": expected \"" + c.reason() + "\" in\n"
                + e.getMessage() + "\n" + e.log());
            assertTrue(e.log().contains(e.getMessage()), "the log repeats the reason");
            if (c.prog().length > 0) {
                assertTrue(e.getMessage().contains(" insn "), "the reason names the instruction: " + e.getMessage());
            }
        }));
    }

    @Test
    void corpusIsLargeEnough() {
        assertTrue(CASES.size() >= 80, "only " + CASES.size() + " cases");
        assertFalse(CASES.stream().map(Case::name).distinct().count() < CASES.size(), "names are unique");
    }

    @Test
    void messageCarriesSourceLineAndLogCarriesState() {
        Insn[] p = lookup(0).ldx(LDX_DW, 0, 0, 0).exit().build();
        VerifierException e = assertThrows(VerifierException.class,
            () -> Verifier.verify(p, TestHelpers.kprobe().withSourceLines(slot -> "probe.bpf.c:" + (20 + slot))));
        assertTrue(e.getMessage().equals("R0 may be null: test it before the load at insn 7 (probe.bpf.c:27)"), e.getMessage());
        assertTrue(e.log().contains("ldxdw r0, [r0+0]"), e.log());
        assertTrue(e.log().contains("R0=map_value_or_null(map=0,off=0,size=8,id="), e.log());
        assertTrue(e.log().contains("; probe.bpf.c:21"), e.log());
    }
}

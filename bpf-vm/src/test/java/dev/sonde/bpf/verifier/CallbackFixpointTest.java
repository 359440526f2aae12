package dev.sonde.bpf.verifier;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonde.bpf.asm.Assembler;
import dev.sonde.bpf.helper.Helpers;
import dev.sonde.bpf.helper.ProbeEnv;
import dev.sonde.bpf.helper.TracePipe;
import dev.sonde.bpf.isa.Decoder;
import dev.sonde.bpf.isa.Insn;
import org.junit.jupiter.api.Test;

/**
 * A bpf_loop callback whose next iteration reaches exactly the state of an earlier one has
 * converged (found verifying example h_misc_helpers, which Linux accepts); a loop that never ends
 * inside one iteration is still an infinite loop.
 */
class CallbackFixpointTest {
    private static final VerifierConfig KPROBE = VerifierConfig.of(ProgramType.KPROBE)
        .withHelpers(Helpers.all(ProbeEnv.NONE, TracePipe.DISCARD));

    private static final String CALL = """
        mov %r1, 100
        lddw %r2, func:cb
        mov %r3, 0
        mov %r4, 0
        call 181
        mov %r0, 0
        exit
        cb:
        """;

    @Test
    void aCallbackWithABranchConverges() throws Exception {
        Insn[] p = Decoder.decode(Assembler.assembleBytes(CALL + """
            mov %r0, 0
            jgt %r1, 5, big
            mov %r0, 0
            exit
            big:
            mov %r0, 1
            exit
            """));
        assertDoesNotThrow(() -> Verifier.verify(p, KPROBE));
    }

    @Test
    void aLoopInsideOneIterationIsStillInfinite() throws Exception {
        Insn[] p = Decoder.decode(Assembler.assembleBytes(CALL + """
            mov %r0, 0
            spin:
            ja spin
            """));
        VerifierException e = assertThrows(VerifierException.class, () -> Verifier.verify(p, KPROBE));
        assertTrue(e.getMessage().contains("infinite loop"), e.getMessage());
    }
}

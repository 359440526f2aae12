package dev.sonde.bpf.asm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sonde.bpf.conformance.ConformanceSuite;
import dev.sonde.bpf.isa.Decoder;
import dev.sonde.bpf.isa.Insn;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** For every conformance program: assemble(disassemble(bytes)) is exactly bytes. */
class RoundTripTest {
    static List<String> tests() {
        return ConformanceSuite.names();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tests")
    void disassemblyAssemblesToTheSameBytes(String name) throws Exception {
        byte[] bytes = ConformanceSuite.load(name).program();
        String text = Disassembler.disassemble(bytes);
        assertArrayEquals(bytes, Assembler.assembleBytes(text), () -> name + " disassembled as:\n" + text);
        List<Insn> decoded = Arrays.stream(Decoder.decode(bytes)).filter(Objects::nonNull).toList();
        assertEquals(decoded, Assembler.assemble(text), name);
    }
}
